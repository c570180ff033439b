//go:build integration

package functions_test

import (
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/ferryhq/ferry/transforms/wasm"
	"github.com/ferryhq/ferry/transforms/wasm/wasmtest"
)

// BenchmarkWasmPipeline is records per CPU-second of a whole source
// pipeline — datagen orders, one masking transformation, JsonConverter, Kafka
// — with the native MaskField$Value and with the Rust WebAssembly mask, in
// the same run, alternating passRounds times (medians).
func BenchmarkWasmPipeline(b *testing.B) {
	const n = 20_000
	h, st, _ := benchHandler(b)
	base := fmt.Sprintf("bench-wasm-%d", time.Now().UnixNano()%1e9)
	chains := map[string]map[string]string{
		"native": {"transforms": "m", "transforms.m.type": "org.apache.kafka.connect.transforms.MaskField$Value",
			"transforms.m.fields": "itemid,orderunits"},
		"wasm-rust": {"transforms": "m", "transforms.m.type": wasm.TransformClass, "transforms.m.module": wasmtest.RustMask(b),
			"transforms.m.config.fields": "itemid,orderunits"},
	}
	perCPU := map[string][]float64{}
	for round := range passRounds {
		for _, name := range []string{"native", "wasm-rust"} {
			inv := benchDatagen(fmt.Sprintf("%s-%s-%d", base, name, round))
			inv.Config["iterations"] = fmt.Sprint(n)
			maps.Copy(inv.Config, chains[name])
			c := measureCost(b, n, func() int { return runAll(b, h, st, inv) })
			perCPU[name] = append(perCPU[name], n/c.cpu.Seconds())
		}
	}
	native, rust := median(perCPU["native"], nil), median(perCPU["wasm-rust"], nil)
	b.ReportMetric(native, "native-records/cpu-s")
	b.ReportMetric(rust, "wasm-rust-records/cpu-s")
	b.ReportMetric(native/rust, "native/wasm-x")
}
