package wasm

// Untimed runs the rest of a benchmark on an engine without the loop checks
// that enforce timeout.ms, to measure what they cost; call the returned
// function to go back to the process's engine. Not for tests that run modules
// that loop.
func Untimed() (restore func()) {
	saved := shared
	e := newEngine()
	e.untimed = true
	shared = func() *engine { return e }
	return func() { shared = saved }
}
