// Package noplugins builds but exports no Plugins function.
package noplugins

// Hello is all the package has.
func Hello() string { return "hello" }
