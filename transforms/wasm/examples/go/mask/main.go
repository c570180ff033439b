//go:build wasip1

// Command mask is an example ferry WebAssembly transformation: it masks
// personal data in the listed top-level fields of a record's value. A string
// becomes the replacement ("****" by default), except that an e-mail address
// keeps its domain ("****@example.com"); a number becomes 0. Other values
// (null included), and records whose value is not an object, pass unchanged.
//
// Build: GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o mask.wasm ./mask
// Config: transforms.x.config.fields=email,phone  transforms.x.config.replacement=****
package main

import (
	"encoding/json"
	"strings"

	"github.com/ferryhq/ferry/transforms/wasm/examples/go/abi"
)

var (
	fields      = map[string]bool{}
	replacement = "****"
)

func main() {}

//go:wasmexport ferry_alloc
func alloc(size int32) uint32 { return abi.Alloc(size) }

//go:wasmexport ferry_configure
func configure(ptr, size uint32) uint64 {
	cfg, err := abi.Config(ptr, size)
	if err != nil {
		return abi.Error("config: " + err.Error())
	}
	for _, f := range strings.Split(cfg["fields"], ",") {
		if f = strings.TrimSpace(f); f != "" {
			fields[f] = true
		}
	}
	if len(fields) == 0 {
		return abi.Error("config key fields is required: the value fields to mask, comma-separated")
	}
	if r, ok := cfg["replacement"]; ok {
		replacement = r
	}
	return 0
}

//go:wasmexport ferry_transform
func transform(ptr, size uint32) uint64 {
	var rec abi.Record
	if err := json.Unmarshal(abi.Input(ptr, size), &rec); err != nil {
		return abi.Error("not a record line: " + err.Error())
	}
	var value map[string]json.RawMessage
	if json.Unmarshal(rec["value"], &value) != nil || value == nil {
		return abi.Result(abi.Input(ptr, size)) // not an object: unchanged
	}
	for f := range fields {
		if v, ok := value[f]; ok {
			value[f] = mask(v)
		}
	}
	rec["value"], _ = json.Marshal(value)
	out, _ := json.Marshal(rec)
	return abi.Result(out)
}

// mask is the masked form of one JSON value.
func mask(v json.RawMessage) json.RawMessage {
	if string(v) == "null" {
		return v
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		if at := strings.LastIndexByte(s, '@'); at > 0 {
			s = replacement + s[at:]
		} else {
			s = replacement
		}
		b, _ := json.Marshal(s)
		return b
	}
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		return json.RawMessage("0")
	}
	return v
}
