//go:build !linux

package main

// dropStartupPages does nothing outside Linux.
func dropStartupPages() {}
