// Package apply is `ferry transforms apply`: the offline way to see what a
// connector config's converters, transformations and predicates do to
// records. It reads JSON lines on stdin and writes exactly one line per input
// line on stdout: the resulting record, null when the chain dropped it, or
// {"error","stage","class"} when it failed.
package apply

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms"
	"github.com/ferryhq/ferry/transforms/convert"
	"github.com/ferryhq/ferry/transforms/pipeline"
	"github.com/ferryhq/ferry/transforms/recordline"
)

// ErrLinesFailed is returned when at least one line failed; every line was still printed.
var ErrLinesFailed = errors.New("some records failed: see the error lines on stdout")

// Usage is the command's help text.
const Usage = `Usage: ferry transforms apply --config FILE [--input records|bytes] [--output records|bytes]

Reads JSON lines on stdin, applies the connector config's converters and
transformations, and writes one JSON line per input line on stdout.`

// Main runs `ferry transforms <args>` with the built-in transformations.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	return MainWith(ctx, nil, args, stdin, stdout)
}

// MainWith is Main with the transformations and predicates of tr (nil: the
// built-in ones), as a custom build (`ferry build`) has them.
func MainWith(ctx context.Context, tr *transforms.Registry, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "apply" {
		return fmt.Errorf("unknown transforms command: want \"apply\"\n%s", Usage)
	}
	fs := flag.NewFlagSet("transforms apply", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "connector config: a JSON object of Kafka Connect keys (or {\"name\",\"config\"})")
	input := fs.String("input", "records", "input line form: records or bytes")
	output := fs.String("output", "records", "output line form: records or bytes")
	fs.Usage = func() { fmt.Fprintln(fs.Output(), Usage); fs.PrintDefaults() }
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *cfgPath == "" {
		return fmt.Errorf("--config is required\n%s", Usage)
	}
	for _, f := range []string{*input, *output} {
		if f != "records" && f != "bytes" {
			return fmt.Errorf("line form %q: use records or bytes", f)
		}
	}
	cfg, err := ReadConfig(*cfgPath)
	if err != nil {
		return err
	}
	r, err := NewWith(cfg, *input == "bytes", *output == "bytes", tr)
	if err != nil {
		return err
	}
	return r.Run(ctx, stdin, stdout)
}

// ReadConfig reads a connector config file: a JSON object of keys, or the
// REST API's {"name": ..., "config": {...}}. Non-string values are stringified.
func ReadConfig(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading connector config: %w", err)
	}
	var top map[string]any
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("connector config %s must be a JSON object: %w", path, err)
	}
	if inner, ok := top["config"].(map[string]any); ok {
		top = inner
	}
	cfg := make(map[string]string, len(top))
	for k, v := range top {
		switch x := v.(type) {
		case string:
			cfg[k] = x
		case float64:
			cfg[k] = strconv.FormatFloat(x, 'f', -1, 64)
		case nil:
		default:
			cfg[k] = fmt.Sprint(x)
		}
	}
	return cfg, nil
}

// Runner applies one connector config to lines.
type Runner struct {
	chain             *transforms.Chain
	convs             convert.Set
	lines             *recordline.Codec
	bytesIn, bytesOut bool
}

// New builds the chain and converters of cfg; a bad key is a ConfigErrors naming it.
func New(cfg map[string]string, bytesIn, bytesOut bool) (*Runner, error) {
	return NewWith(cfg, bytesIn, bytesOut, nil)
}

// NewWith is New with the transformations and predicates of tr (nil: the built-in ones).
func NewWith(cfg map[string]string, bytesIn, bytesOut bool, tr *transforms.Registry) (*Runner, error) {
	built, err := pipeline.Build(pipeline.Spec{Config: cfg, NoConverters: !bytesIn && !bytesOut, Transforms: tr})
	if err != nil {
		return nil, err
	}
	return &Runner{chain: built.Chain, convs: built.Converters, bytesIn: bytesIn, bytesOut: bytesOut, lines: recordline.New()}, nil
}

// Chain returns the runner's transformation chain.
func (r *Runner) Chain() *transforms.Chain { return r.chain }

// Failure is one failed line, printed as {"error","stage","class"}.
type Failure struct {
	Error string `json:"error"`
	Stage string `json:"stage"`
	Class string `json:"class"`
}

// Run processes every line of in; it returns ErrLinesFailed when any failed.
func (r *Runner) Run(ctx context.Context, in io.Reader, out io.Writer) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 64<<20)
	w := bufio.NewWriter(out)
	failed := false
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, ok := r.Line(ctx, sc.Bytes())
		failed = failed || !ok
		w.Write(b)
		w.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading stdin: %w", err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing stdout: %w", err)
	}
	if failed {
		return ErrLinesFailed
	}
	return nil
}

// Line processes one input line into one output line; ok is false for a
// failure. ctx bounds the converters' calls (a Schema Registry lookup).
func (r *Runner) Line(ctx context.Context, in []byte) (out []byte, ok bool) {
	rec, f := r.decode(ctx, in)
	if f == nil {
		var stage *transforms.Stage
		var err error
		rec, stage, err = r.chain.Apply(rec)
		if err != nil {
			f = &Failure{Error: message(err), Stage: "transformation", Class: stage.Class}
		}
	}
	if f == nil && rec == nil {
		return []byte("null"), true
	}
	if f == nil {
		if out, f = r.encode(ctx, rec); f == nil {
			return out, true
		}
	}
	b, _ := json.Marshal(f)
	return b, false
}

func message(err error) string {
	var ce connectors.ConfigErrors
	if errors.As(err, &ce) {
		return err.Error()
	}
	return strings.Replace(err.Error(), "data error: ", "", 1)
}

func (r *Runner) decode(ctx context.Context, in []byte) (*connectors.Record, *Failure) {
	if r.bytesIn {
		return r.decodeBytes(ctx, in)
	}
	rec, err := r.lines.Decode(ctx, in)
	if err != nil {
		return nil, &Failure{Error: message(err), Stage: "converter", Class: "record line"}
	}
	return rec, nil
}

func (r *Runner) encode(ctx context.Context, rec *connectors.Record) ([]byte, *Failure) {
	if r.bytesOut {
		return r.encodeBytes(ctx, rec)
	}
	out, err := r.lines.Encode(ctx, rec)
	if err != nil {
		return nil, &Failure{Error: message(err), Stage: "converter", Class: "record line"}
	}
	return out, nil
}
