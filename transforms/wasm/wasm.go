package wasm

import (
	"context"
	"errors"
	"fmt"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/recordline"
)

// ErrModule is wrapped by every per-record failure of a module.
var ErrModule = errors.New("WebAssembly module failed")

// RecordError is one record a module failed: the module (file or URL and
// its SHA-256) and the cause. It wraps connectors.ErrData when the module
// itself refused the record ({"error":...}).
type RecordError struct {
	Module string
	Cause  string
	data   bool
}

// Error names the module and the cause.
func (e *RecordError) Error() string { return "WebAssembly module " + e.Module + " " + e.Cause }

// Unwrap makes errors.Is(err, ErrModule) true, and ErrData for a refused record.
func (e *RecordError) Unwrap() []error {
	if e.data {
		return []error{ErrModule, connectors.ErrData}
	}
	return []error{ErrModule}
}

// runner calls one configured module on records.
type runner struct {
	eng   *engine
	cfg   *Config
	code  *compiled
	fn    string
	key   poolKey
	codec *recordline.Codec
}

// newRunner loads, compiles and checks the module, and starts one instance
// so a module that cannot start or refuses its configuration fails the
// configuration, not the first record.
func newRunner(props map[string]string, fn string) (*runner, error) {
	cfg, err := parse(props)
	if err != nil {
		return nil, err
	}
	ctx := context.Background() // load and compile are bounded by s3Timeout and the module size
	src, err := load(ctx, cfg)
	if err != nil {
		return nil, err
	}
	eng := shared()
	code, err := eng.compile(ctx, src, cfg.pages())
	if err != nil {
		return nil, &connectors.ConfigError{Key: "module", Value: cfg.Module, Reason: err.Error()}
	}
	if err := code.exports(fn); err != nil {
		return nil, &connectors.ConfigError{Key: "module", Value: cfg.Module, Reason: err.Error()}
	}
	r := &runner{eng: eng, cfg: cfg, code: code, fn: fn, codec: recordline.New(),
		key: poolKey{compiledKey{cfg.pages(), src.sha}, fn, string(cfg.moduleConf)}}
	in := eng.take(r.key)
	if in == nil {
		if in, err = instantiate(ctx, code, fn, cfg); err != nil {
			return nil, &connectors.ConfigError{Key: "module", Value: cfg.Module, Reason: err.Error()}
		}
	}
	eng.give(r.key, in)
	return r, nil
}

// run sends one record to the module and returns its output; any failure
// is a *RecordError, and the instance that failed is discarded.
func (r *runner) run(rec *connectors.Record) ([]byte, error) {
	ctx := context.Background() // bounded by timeout.ms below
	input, err := r.codec.Encode(ctx, rec)
	if err != nil {
		return nil, fmt.Errorf("the record cannot be given to a WebAssembly module: %w", err)
	}
	in := r.eng.take(r.key)
	if in == nil {
		if in, err = instantiate(ctx, r.code, r.fn, r.cfg); err != nil {
			return nil, &RecordError{Module: r.code.name, Cause: "could not be started again: " + err.Error()}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.timeout())
	out, err := in.invoke(ctx, in.call, input, r.cfg.OutputMax)
	cancel()
	if err != nil {
		e := &RecordError{Module: r.code.name, Cause: cause(err, in.stderr, in.mem, r.cfg)}
		in.close()
		return nil, e
	}
	r.eng.give(r.key, in)
	if msg, failed := moduleError(out); failed {
		return nil, &RecordError{Module: r.code.name, Cause: "failed the record: " + msg, data: true}
	}
	return out, nil
}

// malformedOutput is the error for an output the ABI does not allow.
func (r *runner) malformedOutput(out []byte, why string) error {
	return &RecordError{Module: r.code.name, Cause: fmt.Sprintf("returned malformed output (%s): %q", why, clip(out))}
}

// Transform is one configured io.ferry.transforms.Wasm.
type Transform struct{ r *runner }

// New configures io.ferry.transforms.Wasm: the module must export ferry_transform.
func New(props map[string]string) (*Transform, error) {
	r, err := newRunner(props, transformFn)
	if err != nil {
		return nil, err
	}
	return &Transform{r: r}, nil
}

// Apply runs the module on the record: its output record line replaces the
// record's topic, partition, timestamp, key, value and headers (the source
// partition and offset stay), null drops the record.
func (t *Transform) Apply(rec *connectors.Record) (*connectors.Record, error) {
	out, err := t.r.run(rec)
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, t.r.malformedOutput(out, "no output: return a record line, null or {\"error\":...}")
	}
	if string(out) == "null" {
		return nil, nil
	}
	line, err := t.r.codec.Decode(context.Background(), out) // a JsonConverter: no I/O to bound
	if err != nil {
		return nil, t.r.malformedOutput(out, "not a record line: "+err.Error())
	}
	res := rec.Clone()
	res.Topic, res.Partition, res.Timestamp = line.Topic, line.Partition, line.Timestamp
	res.KeySchema, res.Key, res.ValueSchema, res.Value = line.KeySchema, line.Key, line.ValueSchema, line.Value
	res.Headers = line.Headers
	return res, nil
}

// Predicate is one configured io.ferry.transforms.predicates.WasmPredicate.
type Predicate struct{ r *runner }

// NewPredicate configures io.ferry.transforms.predicates.WasmPredicate: the module must export ferry_test.
func NewPredicate(props map[string]string) (*Predicate, error) {
	r, err := newRunner(props, testFn)
	if err != nil {
		return nil, err
	}
	return &Predicate{r: r}, nil
}

// Test is TestRecord without the error: a failing module does not match.
// The chain calls TestRecord, so the failure is reported there.
func (p *Predicate) Test(rec *connectors.Record) bool {
	ok, _ := p.TestRecord(rec)
	return ok
}

// TestRecord runs the module on the record: true or false, or a *RecordError.
func (p *Predicate) TestRecord(rec *connectors.Record) (bool, error) {
	out, err := p.r.run(rec)
	if err != nil {
		return false, err
	}
	switch string(out) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, p.r.malformedOutput(out, "a predicate returns true, false or {\"error\":...}")
}
