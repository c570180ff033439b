package wasm

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// Bounds of what the process keeps.
const (
	maxRuntimes  = 8         // distinct memory limits
	maxCompiled  = 64        // distinct modules compiled in the process
	maxIdle      = 2         // idle instances per module and configuration
	maxPoolKeys  = 64        // module and configuration pairs with idle instances
	maxIdleBytes = 256 << 20 // the idle instances' memories together
)

// engine is the process's WebAssembly state, shared by every chain a worker
// or Lambda container builds: one wazero runtime per memory limit, sharing
// one compilation cache, the compiled modules, and idle configured
// instances. Chains are rebuilt at each invocation; the compiled code and
// warm instances are not.
type engine struct {
	mu       sync.Mutex
	cache    wazero.CompilationCache
	runtimes map[uint32]wazero.Runtime
	compiled map[compiledKey]*compiled
	idle     map[poolKey][]*instance
	idleSize uint64 // bytes of memory the idle instances hold
	// untimed leaves out the loop checks that stop a module at its time
	// limit: only the benchmark sets it, to measure what they cost.
	untimed bool
}

type compiledKey struct {
	pages uint32
	sha   string
}

type poolKey struct {
	compiledKey
	fn     string
	config string
}

// compiled is one module compiled for one runtime.
type compiled struct {
	rt   wazero.Runtime
	mod  wazero.CompiledModule
	name string
}

// shared is the process's engine, made on first use (not at init).
var shared = sync.OnceValue(newEngine)

func newEngine() *engine {
	return &engine{
		cache:    wazero.NewCompilationCache(),
		runtimes: map[uint32]wazero.Runtime{},
		compiled: map[compiledKey]*compiled{},
		idle:     map[poolKey][]*instance{},
	}
}

// runtime returns the runtime with the memory limit, creating it (with WASI) once.
func (e *engine) runtime(ctx context.Context, pages uint32) (wazero.Runtime, error) {
	if rt, ok := e.runtimes[pages]; ok {
		return rt, nil
	}
	if len(e.runtimes) >= maxRuntimes {
		return nil, fmt.Errorf("this process already runs WebAssembly modules with %d different memory.max.mb values: use one of them", maxRuntimes)
	}
	// WithCloseOnContextDone makes a module stop at its time limit: wazero
	// then checks, at every loop iteration and function entry, whether the
	// call's context is done, returning to Go for it (the price is in
	// BenchmarkWasmMaskField and docs/wasm.md).
	cfg := wazero.NewRuntimeConfig().WithCloseOnContextDone(!e.untimed).WithMemoryLimitPages(pages).WithCompilationCache(e.cache)
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		return nil, fmt.Errorf("starting WASI: %w", err)
	}
	e.runtimes[pages] = rt
	return rt, nil
}

// compile returns src compiled under the memory limit, compiling once per process.
func (e *engine) compile(ctx context.Context, src *source, pages uint32) (*compiled, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	key := compiledKey{pages, src.sha}
	if c, ok := e.compiled[key]; ok {
		return c, nil
	}
	if len(e.compiled) >= maxCompiled {
		return nil, fmt.Errorf("this process already runs %d different WebAssembly modules: %s would be one more", maxCompiled, src.name)
	}
	rt, err := e.runtime(ctx, pages)
	if err != nil {
		return nil, err
	}
	mod, err := rt.CompileModule(ctx, src.code)
	if err != nil {
		return nil, fmt.Errorf("%s is not a valid WebAssembly module: %w", src.name, err)
	}
	c := &compiled{rt: rt, mod: mod, name: src.name}
	e.compiled[key] = c
	return c, nil
}

// take returns an idle instance of the module and configuration, or nil.
func (e *engine) take(k poolKey) *instance {
	e.mu.Lock()
	defer e.mu.Unlock()
	list := e.idle[k]
	if len(list) == 0 {
		return nil
	}
	in := list[len(list)-1]
	e.idle[k] = list[:len(list)-1]
	e.idleSize -= in.size
	return in
}

// give keeps a healthy instance for the next record, or closes it when the
// pool is full: maxIdle per module and configuration, maxPoolKeys of those,
// maxIdleBytes of memory in all.
func (e *engine) give(k poolKey, in *instance) {
	in.size = uint64(in.mem.Size())
	e.mu.Lock()
	list, known := e.idle[k]
	if len(list) < maxIdle && (known || len(e.idle) < maxPoolKeys) && e.idleSize+in.size <= maxIdleBytes {
		e.idle[k] = append(list, in)
		e.idleSize += in.size
		in = nil
	}
	e.mu.Unlock()
	if in != nil {
		in.close()
	}
}

// exports checks the module exports memory, ferry_alloc and fn with the ABI's signatures.
func (c *compiled) exports(fn string) error {
	fns := c.mod.ExportedFunctions()
	i32, i64 := api.ValueTypeI32, api.ValueTypeI64
	want := map[string][2][]api.ValueType{
		"ferry_alloc": {{i32}, {i32}},
		fn:            {{i32, i32}, {i64}},
	}
	if _, ok := fns["ferry_configure"]; ok {
		want["ferry_configure"] = [2][]api.ValueType{{i32, i32}, {i64}}
	}
	for name, sig := range want {
		d, ok := fns[name]
		if !ok {
			return fmt.Errorf("%s does not export %s: a %s module exports ferry_alloc and %s (docs/wasm-abi.md)", c.name, name, kind(fn), fn)
		}
		if !slices.Equal(d.ParamTypes(), sig[0]) || !slices.Equal(d.ResultTypes(), sig[1]) {
			return fmt.Errorf("%s exports %s%s, want %s%s (docs/wasm-abi.md)", c.name, name, sigText(d.ParamTypes(), d.ResultTypes()), name, sigText(sig[0], sig[1]))
		}
	}
	if _, ok := c.mod.ExportedMemories()["memory"]; !ok {
		return fmt.Errorf("%s does not export its memory as \"memory\" (docs/wasm-abi.md)", c.name)
	}
	return nil
}

func kind(fn string) string {
	if fn == testFn {
		return "predicate"
	}
	return "transformation"
}

func sigText(params, results []api.ValueType) string {
	s := "("
	for i, p := range params {
		if i > 0 {
			s += ", "
		}
		s += api.ValueTypeName(p)
	}
	s += ") -> ("
	for i, r := range results {
		if i > 0 {
			s += ", "
		}
		s += api.ValueTypeName(r)
	}
	return s + ")"
}
