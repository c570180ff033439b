//go:build integration

package functions_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/transforms/wasm"
	"github.com/ferryhq/ferry/transforms/wasm/wasmtest"
)

// A WebAssembly transformation that traps or loops on a record fails that
// record only: with errors.tolerance=all the record goes to the DLQ with its
// original bytes and headers naming the stage, the class and the module,
// the others are delivered, and the task keeps running.
func TestWasmModuleFailuresGoToTheDLQ(t *testing.T) {
	store := redisStore(t)
	const schema = `{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"},{"type":"string","optional":true,"field":"mode"}],"optional":false}`
	modes := []string{"ok", "ok", "trap", "ok", "loop", "ok", "refuse", "ok"}
	var values []string
	bad := map[int]poison{}
	for i, m := range modes {
		values = append(values, fmt.Sprintf(`{"schema":%s,"payload":{"id":%d,"mode":%q}}`, schema, i, m))
		if m != "ok" {
			bad[i] = poison{name: m, stage: functions.StageTransformation, value: values[i]}
		}
	}
	topic := produceStream(t, "wasm-dlq", values)
	dlq := topic + "-dlq"
	sink := &collectingSink{}
	h := handlerWith(t, store, "wasm", sinkPlugin(sink))
	name := topic + "-sink"
	extra := map[string]string{"errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
		"errors.deadletterqueue.context.headers.enable": "true",
		"transforms": "misbehave,key", "transforms.misbehave.type": wasm.TransformClass,
		"transforms.misbehave.module": wasmtest.Misbehave(t), "transforms.misbehave.timeout.ms": "200"}
	res, err := drain(t, h, store, func(e int64) functions.Invocation { return sinkInvocation(name, topic, e, extra) })
	if err != nil || res.State != functions.StateRunning {
		t.Fatalf("want RUNNING, got %s: %v", res.State, err)
	}
	if got := sink.snapshot(); len(got) != len(values)-len(bad) {
		t.Fatalf("delivered %v, want the %d good records", got, len(values)-len(bad))
	}
	letters := readAll(t, dlq, len(bad), false)
	if len(letters) != len(bad) {
		t.Fatalf("DLQ has %d records, want %d", len(letters), len(bad))
	}
	causes := map[string]string{"trap": "trapped: wasm error: unreachable", "loop": "ran past its time limit (timeout.ms=200)",
		"refuse": "failed the record: this record is refused"}
	for _, l := range letters {
		checkDeadLetter(t, l, topic, name, values, bad)
		hs := headerMap(l)
		off, _ := strconv.Atoi(hs[functions.HeaderOffset])
		pz := bad[off]
		msg := hs[functions.HeaderExceptionMsg]
		if hs[functions.HeaderClass] != wasm.TransformClass || !strings.Contains(msg, "ferry_wasm_misbehave.wasm (sha256 ") ||
			!strings.Contains(msg, causes[pz.name]) {
			t.Errorf("DLQ record %d (%s): class %q, message %q", off, pz.name, hs[functions.HeaderClass], msg)
		}
	}
}
