//go:build integration

package wasm

import (
	"testing"

	"github.com/ferryhq/ferry/transforms/wasm/wasmtest"
)

// TestCompiledOncePerProcess: chains are built at every invocation, but a
// module is compiled once per process (a worker, a Lambda container) and a
// started, configured instance is reused by the next chain with the same
// module and configuration.
func TestCompiledOncePerProcess(t *testing.T) {
	module := wasmtest.RustMask(t)
	props := map[string]string{"module": module, "config.fields": "email"}
	first, err := New(props)
	if err != nil {
		t.Fatal(err)
	}
	idle := shared().take(first.r.key)
	if idle == nil {
		t.Fatal("no idle instance after the configuration was checked")
	}
	shared().give(first.r.key, idle)
	again, err := New(props)
	if err != nil {
		t.Fatal(err)
	}
	other, err := New(map[string]string{"module": module, "config.fields": "phone"})
	if err != nil {
		t.Fatal(err)
	}
	if again.r.code != first.r.code || other.r.code != first.r.code {
		t.Error("the module was compiled again")
	}
	if reused := shared().take(again.r.key); reused != idle {
		t.Errorf("the second chain did not reuse the idle instance")
	} else {
		shared().give(again.r.key, reused)
	}
	if other.r.key == first.r.key {
		t.Error("another configuration shares the first one's instances")
	}
}
