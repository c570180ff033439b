package migrate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Print writes the plan for a person: one block per connector, then a summary.
func (p *Plan) Print(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "ferry migrate plan: %d connector(s) in %s; nothing was changed.\n", len(p.Connectors), p.From)
	for _, f := range p.Worker {
		fmt.Fprintf(&b, "worker key ignored: %s: %s\n", f.Key, f.Message)
	}
	running := 0
	for _, e := range p.Connectors {
		b.WriteString("\n")
		e.print(&b)
		if e.Running == "RUNNING" {
			running++
		}
	}
	fmt.Fprintf(&b, "\nSummary: ferry has the class of %d of %d connector(s).", p.Runnable(), len(p.Connectors))
	if n := len(p.Connectors) - p.Runnable(); n > 0 {
		fmt.Fprintf(&b, " %d will show FAILED naming their class; their configs and offsets are kept unchanged.", n)
	}
	if running > 0 {
		fmt.Fprintf(&b, "\n%d connector(s) are reported RUNNING by Kafka Connect: stop every Kafka Connect worker before starting ferry on the same topics.", running)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func (e Entry) print(b *strings.Builder) {
	typ := "unknown"
	if e.Plugin != nil {
		typ = string(e.Plugin.Type)
	}
	fmt.Fprintf(b, "%s (%s, %s)\n", e.Name, typ, e.Class)
	state := e.Target
	if e.Running != "" {
		state += fmt.Sprintf("; Kafka Connect reports %s", e.Running)
		if e.Worker != "" {
			state += " on " + e.Worker
		}
	}
	fmt.Fprintf(b, "  state:   %s\n", state)
	if e.Plugin == nil {
		fmt.Fprintf(b, "  class:   ferry has no class %q: it will show FAILED naming the class, and nothing of it is deleted or rewritten\n", e.Class)
	} else {
		fmt.Fprintf(b, "  class:   ferry has it (%s)\n", e.Plugin.Class)
		e.printKeys(b)
	}
	e.printOffsets(b)
}

func (e Entry) printKeys(b *strings.Builder) {
	r := e.Review
	if len(r.Errors)+len(r.Ignored)+len(r.Unknown)+len(r.Differs) == 0 {
		b.WriteString("  keys:    every key is honoured as Kafka Connect honours it\n")
		return
	}
	for _, f := range r.Errors {
		fmt.Fprintf(b, "  refused: %s: %s (ferry's validation refuses it: fix the key)\n", f.Key, f.Message)
	}
	for _, f := range r.Ignored {
		fmt.Fprintf(b, "  ignored: %s: %s\n", f.Key, f.Message)
	}
	for _, k := range r.Unknown {
		fmt.Fprintf(b, "  ignored: %s: no declaration of the connector, its transformations or converters knows it\n", k)
	}
	for _, f := range r.Differs {
		fmt.Fprintf(b, "  differs: %s: %s\n", f.Key, f.Message)
	}
}

func (e Entry) printOffsets(b *strings.Builder) {
	switch {
	case e.OffsetsErr != nil:
		fmt.Fprintf(b, "  offsets: unknown: %v\n", e.OffsetsErr)
		return
	case len(e.Offsets) == 0:
		b.WriteString("  offsets: none committed: starts from the beginning\n")
		return
	}
	b.WriteString("  resumes from:\n")
	lines := make([]string, 0, len(e.Offsets))
	for _, o := range e.Offsets {
		off := "null (reset: starts from the beginning)"
		if o.Offset != nil {
			off = compact(o.Offset)
		}
		lines = append(lines, fmt.Sprintf("    %s -> %s\n", compact(o.Partition), off))
	}
	sort.Strings(lines)
	for _, l := range lines {
		b.WriteString(l)
	}
}

// compact is m as one line of JSON, keys sorted.
func compact(m map[string]any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return fmt.Sprint(m)
	}
	return strings.TrimSpace(buf.String())
}
