//go:build wasip1

// Package abi is the guest side of ferry's WebAssembly ABI (version 1) for
// Go modules built with GOOS=wasip1 GOARCH=wasm -buildmode=c-shared: it
// exports ferry_alloc, keeps the buffers the host writes into and reads
// from alive, and packs results. A module imports it, registers its
// functions with Serve, and exports ferry_configure and ferry_transform or
// ferry_test from its main package (//go:wasmexport must be in main).
//
// The ABI is documented in docs/wasm-abi.md.
package abi

import (
	"encoding/json"
	"unsafe"
)

var (
	input  []byte // the buffer ferry_alloc handed out last
	output []byte // the result of the last call, read by the host
)

// Alloc is ferry_alloc: a buffer of size bytes for the host to write the
// next input into. It stays valid until the next Alloc.
func Alloc(size int32) uint32 {
	if int(size) > cap(input) {
		input = make([]byte, size)
	}
	input = input[:size]
	if size == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(&input[0])))
}

// Input is the bytes the host wrote at ptr (a buffer from Alloc).
func Input(ptr, size uint32) []byte {
	if size == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(uintptr(ptr))), size)
}

// Result keeps out alive for the host and packs its address and length.
func Result(out []byte) uint64 {
	output = out
	if len(out) == 0 {
		return 0
	}
	return uint64(uintptr(unsafe.Pointer(&out[0])))<<32 | uint64(len(out))
}

// Error is the result that fails the record (or the configuration) with msg.
func Error(msg string) uint64 {
	b, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg})
	return Result(b)
}

// Config reads the ferry_configure input: the module's keys as a JSON object of strings.
func Config(ptr, size uint32) (map[string]string, error) {
	cfg := map[string]string{}
	err := json.Unmarshal(Input(ptr, size), &cfg)
	return cfg, err
}

// Record is a record line: every member kept as raw JSON, so what a
// module does not change goes back byte for byte.
type Record map[string]json.RawMessage
