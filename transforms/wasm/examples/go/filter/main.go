//go:build wasip1

// Command filter is an example ferry WebAssembly predicate: it matches a
// record whose value has a top-level string field matching a regular
// expression (the whole string, as TopicNameMatches); a value that is not an
// object does not match. With the Filter
// transformation it drops, or with negate keeps, records by content.
//
// Build: GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o filter.wasm ./filter
// Config: predicates.p.config.field=country  predicates.p.config.pattern=DE|FR
package main

import (
	"encoding/json"
	"regexp"

	"github.com/ferryhq/ferry/transforms/wasm/examples/go/abi"
)

var (
	field   string
	pattern *regexp.Regexp
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
	field = cfg["field"]
	if field == "" {
		return abi.Error("config key field is required: the value field to test")
	}
	if pattern, err = regexp.Compile("^(?:" + cfg["pattern"] + ")$"); err != nil {
		return abi.Error("config key pattern: " + err.Error())
	}
	return 0
}

//go:wasmexport ferry_test
func test(ptr, size uint32) uint64 {
	var rec abi.Record
	if err := json.Unmarshal(abi.Input(ptr, size), &rec); err != nil {
		return abi.Error("not a record line: " + err.Error())
	}
	var value map[string]json.RawMessage // stays nil for a value that is not an object
	_ = json.Unmarshal(rec["value"], &value)
	var s string
	if json.Unmarshal(value[field], &s) == nil && value[field] != nil && pattern.MatchString(s) {
		return abi.Result([]byte("true"))
	}
	return abi.Result([]byte("false"))
}
