//go:build integration

package wasm_test

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms"
	"github.com/ferryhq/ferry/transforms/recordline"
	"github.com/ferryhq/ferry/transforms/wasm"
	"github.com/ferryhq/ferry/transforms/wasm/wasmtest"
)

// benchRecords are n record lines whose values are about 1 KiB Structs with
// three personal fields, as transforms' BenchmarkChain5 uses.
func benchRecords(tb testing.TB, n int) []*connectors.Record {
	const schema = `{"type":"struct","name":"com.example.Order","fields":[{"field":"order_id","type":"int64"},` +
		`{"field":"customer_name","type":"string"},{"field":"email","type":"string"},{"field":"phone","type":"string","optional":true},` +
		`{"field":"card_number","type":"string","optional":true},{"field":"quantity","type":"int32"},{"field":"unit_price","type":"double"},` +
		`{"field":"street","type":"string"},{"field":"city","type":"string"},{"field":"country","type":"string"},` +
		`{"field":"description","type":"string","optional":true},{"field":"gift","type":"boolean"}]}`
	out := make([]*connectors.Record, n)
	for i := range out {
		line := fmt.Sprintf(`{"topic":"orders","partition":%d,"offset":%d,"timestamp":%d,"value_schema":%s,"value":{"order_id":%d,`+
			`"customer_name":"Customer Number %06d","email":"customer.%06d@example.com","phone":"+47 555 01 234","card_number":"4111 1111 1111 1111",`+
			`"quantity":%d,"unit_price":%g,"street":"1234 Long Avenue Name, Building %d","city":"Oslo","country":"Norway","description":%q,"gift":%t}}`,
			i%3, i, 1700000000000+int64(i), schema, 100000+i, i, i, i%17, float64(i%1000)/4, i%50,
			strings.Repeat("A comfortable blue sweater, size XL. ", 12), i%2 == 0)
		r, err := recordline.DecodeLine([]byte(line))
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = r
	}
	return out
}

// cpu is the process's user and system CPU time.
func cpu() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkWasmMaskField is the per-record cost of masking three fields of
// a 1 KiB Struct record with the native MaskField$Value and with the Go and
// Rust WebAssembly masks, in the same run, and where a Wasm record's time
// goes: the record-line encoding on the way in, the decoding on the way out,
// the call itself (an echo module: alloc, copies, call, no work), and the
// module's own JSON work (the rest). Costs are CPU time per record (the
// process's user and system time), which other processes on a shared
// machine disturb less than wall time. One op is one round of every variant
// over the records; run it with -benchtime 1x (make bench).
func BenchmarkWasmMaskField(b *testing.B) {
	const n = 3000
	recs := benchRecords(b, n)
	native, err := transforms.NewChain(map[string]string{"transforms": "m",
		"transforms.m.type": "org.apache.kafka.connect.transforms.MaskField$Value", "transforms.m.fields": "email,phone,card_number"})
	if err != nil {
		b.Fatal(err)
	}
	wasmChain := func(module string) *transforms.Chain {
		c, err := transforms.NewChain(map[string]string{"transforms": "m", "transforms.m.type": wasm.TransformClass,
			"transforms.m.module": module, "transforms.m.config.fields": "email,phone,card_number"})
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	goMask, rustMask, echo := wasmChain(wasmtest.GoModule(b, "mask")), wasmChain(wasmtest.RustMask(b)), wasmChain(wasmtest.Misbehave(b))
	restore := wasm.Untimed()
	goUntimed, rustUntimed, echoUntimed := wasmChain(wasmtest.GoModule(b, "mask")), wasmChain(wasmtest.RustMask(b)), wasmChain(wasmtest.Misbehave(b))
	restore()
	codec := recordline.New()
	ctx := context.Background()
	lines := make([][]byte, n)
	for i, r := range recs {
		if lines[i], err = codec.Encode(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	chain := func(c *transforms.Chain) func(int) error {
		return func(i int) error { _, _, err := c.Apply(recs[i]); return err }
	}
	variants := []struct {
		name string
		run  func(i int) error
	}{
		{"native", chain(native)},
		{"wasm-go", chain(goMask)},
		{"wasm-rust", chain(rustMask)},
		{"echo", chain(echo)},
		{"wasm-go-untimed", chain(goUntimed)},
		{"wasm-rust-untimed", chain(rustUntimed)},
		{"echo-untimed", chain(echoUntimed)},
		{"encode", func(i int) error { _, err := codec.Encode(ctx, recs[i]); return err }},
		{"decode", func(i int) error { _, err := codec.Decode(ctx, lines[i]); return err }},
	}
	for _, v := range variants { // warm: instances started, schemas cached
		for i := 0; i < 50; i++ {
			if err := v.run(i); err != nil {
				b.Fatalf("%s: %v", v.name, err)
			}
		}
	}
	wall, cpus := map[string]time.Duration{}, map[string]time.Duration{}
	b.ResetTimer()
	for range b.N {
		for _, v := range variants {
			start, c0 := time.Now(), cpu()
			for i := range n {
				if err := v.run(i); err != nil {
					b.Fatalf("%s: %v", v.name, err)
				}
			}
			wall[v.name] += time.Since(start)
			cpus[v.name] += cpu() - c0
		}
	}
	// CPU time, not wall time, is the measure: on a shared machine the wall
	// time of a variant depends on the other processes.
	per := func(name string) float64 { return float64(cpus[name].Nanoseconds()) / float64(n*b.N) }
	for _, v := range variants {
		b.ReportMetric(per(v.name), v.name+"-cpu-ns/rec")
	}
	b.ReportMetric(float64(wall["native"]+wall["wasm-rust"]+wall["wasm-go"])/float64(cpus["native"]+cpus["wasm-rust"]+cpus["wasm-go"]), "wall/cpu")
	b.ReportMetric(per("wasm-go")/per("native"), "go/native")
	b.ReportMetric(per("wasm-rust")/per("native"), "rust/native")
	b.ReportMetric(1e9/per("wasm-rust"), "wasm-rust-rec/cpu-s")
	b.ReportMetric(1e9/per("native"), "native-rec/cpu-s")
}
