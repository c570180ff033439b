package wasm

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"
)

// The functions of the ABI (docs/wasm-abi.md).
const (
	allocFn     = "ferry_alloc"
	configureFn = "ferry_configure"
	transformFn = "ferry_transform"
	testFn      = "ferry_test"
)

// stderrTail is how much of a module's stderr an error quotes (a Go panic, a Rust allocation failure).
const stderrTail = 512

// instance is one instantiated, configured module; it serves one record at
// a time and is closed after any failure, so the next record gets a fresh one.
type instance struct {
	mod    api.Module
	mem    api.Memory
	alloc  api.Function
	call   api.Function
	stderr *tail
	stack  []uint64
	size   uint64 // memory bytes, while idle in the pool
}

// instantiate starts the module (its _initialize, if any) and hands it its configuration.
func instantiate(ctx context.Context, c *compiled, fn string, cfg *Config) (*instance, error) {
	out := &tail{}
	mc := wazero.NewModuleConfig().WithName("").WithStartFunctions("_initialize").
		WithStderr(out).WithStdout(out).WithSysWalltime().WithSysNanotime().WithRandSource(rand.Reader)
	ctx, cancel := context.WithTimeout(ctx, 10*cfg.timeout()+startGrace)
	defer cancel()
	mod, err := c.rt.InstantiateModule(ctx, c.mod, mc)
	if err != nil {
		return nil, fmt.Errorf("%s failed to start: %s", c.name, cause(err, out, nil, cfg))
	}
	in := &instance{mod: mod, mem: mod.Memory(), alloc: mod.ExportedFunction(allocFn),
		call: mod.ExportedFunction(fn), stderr: out, stack: make([]uint64, 2)}
	if conf := mod.ExportedFunction(configureFn); conf != nil {
		res, err := in.invoke(ctx, conf, cfg.moduleConf, cfg.OutputMax)
		if err == nil && res != nil {
			if msg, failed := moduleError(res); failed {
				err = fmt.Errorf("refused its configuration: %s", msg)
			} else {
				err = fmt.Errorf("%s returned %q: it returns 0, or an {\"error\":...} object", configureFn, clip(res))
			}
		}
		if err != nil {
			in.close()
			return nil, fmt.Errorf("%s %w", c.name, err)
		}
	}
	return in, nil
}

// invoke writes input into the module's memory through ferry_alloc, calls
// fn with it, and returns a copy of the output it points to (nil for 0).
func (in *instance) invoke(ctx context.Context, fn api.Function, input []byte, max int) ([]byte, error) {
	in.stack[0] = uint64(len(input))
	if err := in.alloc.CallWithStack(ctx, in.stack); err != nil {
		return nil, err
	}
	ptr := uint32(in.stack[0])
	if !in.mem.Write(ptr, input) {
		return nil, &malformed{fmt.Sprintf("%s returned address %d, outside its memory of %d bytes", allocFn, ptr, in.mem.Size())}
	}
	in.stack[0], in.stack[1] = uint64(ptr), uint64(len(input))
	if err := fn.CallWithStack(ctx, in.stack); err != nil {
		return nil, err
	}
	if in.stack[0] == 0 {
		return nil, nil
	}
	optr, olen := uint32(in.stack[0]>>32), uint32(in.stack[0])
	if int64(olen) > int64(max) {
		return nil, &malformed{fmt.Sprintf("returned %d bytes, over output.max.bytes=%d", olen, max)}
	}
	b, ok := in.mem.Read(optr, olen)
	if !ok {
		return nil, &malformed{fmt.Sprintf("returned %d bytes at address %d, outside its memory of %d bytes", olen, optr, in.mem.Size())}
	}
	return bytes.Clone(b), nil
}

func (in *instance) close() { _ = in.mod.Close(context.Background()) }

// malformed is an output that breaks the ABI.
type malformed struct{ msg string }

func (m *malformed) Error() string { return "returned malformed output: " + m.msg }

// cause words a failed call: the time limit, an exit, a trap, with the
// module's last stderr output and whether its memory had reached the limit.
func cause(err error, out *tail, mem api.Memory, cfg *Config) string {
	var m *malformed
	if errors.As(err, &m) {
		return m.Error()
	}
	var msg string
	var exit *sys.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == sys.ExitCodeDeadlineExceeded:
		msg = fmt.Sprintf("ran past its time limit (timeout.ms=%d) and was stopped", cfg.TimeoutMs)
	case errors.As(err, &exit) && exit.ExitCode() == sys.ExitCodeContextCanceled:
		msg = "was stopped: the invocation was cancelled"
	case errors.As(err, &exit):
		msg = fmt.Sprintf("exited with code %d", exit.ExitCode())
	default:
		first, _, _ := strings.Cut(err.Error(), "\n")
		msg = "trapped: " + first
	}
	if limit := uint64(cfg.MemoryMB) << 20; mem != nil && uint64(mem.Size()) > limit/4*3 {
		msg += fmt.Sprintf("; its memory was at %.1f MiB of its limit (memory.max.mb=%d)", float64(mem.Size())/(1<<20), cfg.MemoryMB)
	}
	if s := out.String(); s != "" {
		msg += "; stderr: " + s
	}
	return msg
}

// startGrace is added to the start-up time limit (ten records' worth): a Go
// module's runtime starts in a few milliseconds on a loaded machine.
const startGrace = 2 * time.Second

// tail keeps the last stderrTail bytes a module wrote.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > stderrTail {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-stderrTail:]...)
	}
	return len(p), nil
}

// String is the kept output on one line.
func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(strings.Fields(string(t.buf)), " ")
}

// moduleError reads an {"error":"..."} output: the module failed the record.
func moduleError(out []byte) (string, bool) {
	if !bytes.HasPrefix(bytes.TrimLeft(out, " \t\r\n"), []byte(`{"error"`)) {
		return "", false
	}
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(out, &e); err != nil {
		return "", false
	}
	return e.Error, true
}

// clip shortens an output quoted in an error.
func clip(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "..."
	}
	return string(b)
}
