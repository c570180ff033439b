package oracle

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Rules say what is left out of the comparison and what differs on purpose.
type Rules struct {
	// SourceSkip are source fields left out: timing fields and those naming
	// the server or the connector instance.
	SourceSkip []string
	// SnapshotPosition are source fields of a snapshot record ("op": "r")
	// that name where its connector's own snapshot began: compared as
	// present or null only.
	SnapshotPosition []string
	// FerryReplace are text replacements made in ferry's JSON before it is
	// compared (a connector class Debezium cannot run here, for one).
	FerryReplace []string
	// Deliberate are the differences ferry keeps on purpose, by JSON path,
	// with the reason (each listed in the connector's docs).
	Deliberate map[string]string
	// PhaseDeliberate are deliberate differences in one phase only, by
	// phase and JSON path prefix.
	PhaseDeliberate map[string]map[string]string
}

// envelopeTiming are the timing fields of a change or schema change
// event beside its source block, always left out.
var envelopeTiming = []string{"ts_ms", "ts_us", "ts_ns"}

// Compare returns a line per difference between Debezium's record d and
// ferry's f, deliberate ones left out; each side's topic prefix reads as
// <prefix>.
func (r Rules) Compare(d, f *kgo.Record, dbzPrefix, fryPrefix, phase string) ([]string, error) {
	var lines []string
	for _, part := range []struct {
		name     string
		dbz, fry []byte
	}{{"key", d.Key, f.Key}, {"value", d.Value, f.Value}} {
		dv, err := r.normalized(part.dbz, dbzPrefix, nil)
		if err != nil {
			return nil, err
		}
		fv, err := r.normalized(part.fry, fryPrefix, r.FerryReplace)
		if err != nil {
			return nil, err
		}
		diff(part.name, dv, fv, &lines)
	}
	return slices.DeleteFunc(lines, func(l string) bool {
		path, _, _ := strings.Cut(l, ":")
		if r.Deliberate[path] != "" {
			return true
		}
		for prefix := range r.PhaseDeliberate[phase] {
			if strings.HasPrefix(path, prefix) {
				return true
			}
		}
		return false
	}), nil
}

// normalized decodes a key or value with prefix replaced by <prefix> and
// the left-out fields removed. A tombstone is nil.
func (r Rules) normalized(raw []byte, prefix string, replace []string) (any, error) {
	if raw == nil {
		return nil, nil
	}
	text := strings.ReplaceAll(string(raw), `"`+prefix+`.`, `"<prefix>.`)
	text = strings.ReplaceAll(text, `"`+prefix+`"`, `"<prefix>"`)
	if len(replace) > 0 {
		text = strings.NewReplacer(replace...).Replace(text)
	}
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("%s: %w", raw, err)
	}
	p, _ := v.(map[string]any)["payload"].(map[string]any)
	if _, ok := p["source"]; !ok {
		return v, nil // a key, or an event without a source block
	}
	for _, f := range envelopeTiming {
		delete(p, f)
	}
	if src, ok := p["source"].(map[string]any); ok {
		for _, f := range r.SourceSkip {
			delete(src, f)
		}
		if p["op"] == "r" {
			for _, f := range r.SnapshotPosition {
				if src[f] != nil {
					src[f] = "<snapshot position>"
				}
			}
		}
	}
	return v, nil
}

// Tally counts the records compared and those that differ, per phase.
type Tally struct {
	Compared, Differing map[string]int
	Report              []string
}

// NewTally returns an empty tally.
func NewTally() *Tally { return &Tally{Compared: map[string]int{}, Differing: map[string]int{}} }

// Add counts one compared record of phase with its difference lines.
func (t *Tally) Add(phase, where string, lines []string) {
	t.Compared[phase]++
	if len(lines) == 0 {
		return
	}
	t.Differing[phase]++
	for _, l := range lines {
		t.Report = append(t.Report, where+": "+l)
	}
}

// Summary is "phase identical/compared, …" in the order of phases.
func (t *Tally) Summary(phases []string) string {
	var out []string
	for _, ph := range phases {
		out = append(out, fmt.Sprintf("%s %d/%d", ph, t.Compared[ph]-t.Differing[ph], t.Compared[ph]))
	}
	return strings.Join(out, ", ")
}

// Check logs the counts per phase (and tombstones) and fails t with the
// first differences, if any.
func (t *Tally) Check(tb testing.TB, phases []string) {
	tb.Helper()
	tb.Logf("records identical/compared per phase: %s", t.Summary(append(phases, "tombstone")))
	if report, n := t.Differences(80); n > 0 {
		tb.Errorf("%d differences (first 80):\n%s", n, report)
	}
}

// Differences returns the report sorted, at most n lines, and how many
// there are; all of it goes to $ORACLE_REPORT when that is set.
func (t *Tally) Differences(n int) (string, int) {
	sort.Strings(t.Report)
	if f := os.Getenv("ORACLE_REPORT"); f != "" { // every line, for a person
		os.WriteFile(f, []byte(strings.Join(t.Report, "\n")+"\n"), 0o644)
	}
	return strings.Join(t.Report[:min(n, len(t.Report))], "\n"), len(t.Report)
}

// diff appends a line per path where want (Debezium's) and got (ferry's)
// differ. Schema field lists are compared by field name, then for order.
func diff(path string, want, got any, out *[]string) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*out = append(*out, fmt.Sprintf("%s: debezium %s, ferry %s", path, short(want), short(got)))
			return
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		for _, k := range sortedKeys(keys) {
			wv, wok := w[k]
			gv, gok := g[k]
			switch {
			case !wok:
				*out = append(*out, fmt.Sprintf("%s.%s: only ferry has it: %s", path, k, short(gv)))
			case !gok:
				*out = append(*out, fmt.Sprintf("%s.%s: only debezium has it: %s", path, k, short(wv)))
			default:
				diff(path+"."+k, wv, gv, out)
			}
		}
	case []any:
		g, ok := got.([]any)
		if ok && isFields(w) && isFields(g) {
			diff(path, byField(w), byField(g), out)
			if order(w) != order(g) {
				*out = append(*out, fmt.Sprintf("%s: field order: debezium %s, ferry %s", path, order(w), order(g)))
			}
			return
		}
		if !ok || len(g) != len(w) {
			*out = append(*out, fmt.Sprintf("%s: debezium %s, ferry %s", path, short(want), short(got)))
			return
		}
		for i := range w {
			diff(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], out)
		}
	default:
		if fmt.Sprint(want) != fmt.Sprint(got) || (want == nil) != (got == nil) {
			*out = append(*out, fmt.Sprintf("%s: debezium %s, ferry %s", path, short(want), short(got)))
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// isFields reports whether l is a list of schema fields.
func isFields(l []any) bool {
	for _, v := range l {
		if m, ok := v.(map[string]any); !ok || m["field"] == nil {
			return false
		}
	}
	return len(l) > 0
}

// byField maps schema fields by name.
func byField(l []any) map[string]any {
	m := map[string]any{}
	for _, v := range l {
		m["["+v.(map[string]any)["field"].(string)+"]"] = v
	}
	return m
}

// order is the field names of l in order.
func order(l []any) string {
	var names []string
	for _, v := range l {
		names = append(names, v.(map[string]any)["field"].(string))
	}
	return strings.Join(names, ",")
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// CompareSides compares Debezium's side with ferry's table by table, record
// by record; phase names the phase of ferry's record (a tombstone is
// counted as "tombstone"). label names the run in the report.
func (t *Tally) CompareSides(c *Collector, r Rules, dbz, fry Side, tables []string, phase func(*kgo.Record) string, label string) error {
	for _, tb := range tables {
		d, f := c.Recs[dbz.Topics[tb]], c.Recs[fry.Topics[tb]]
		Dump(dbz.Topics[tb], d)
		Dump(fry.Topics[tb], f)
		if len(d) != len(f) {
			t.Report = append(t.Report, fmt.Sprintf("%s %s: debezium %d records, ferry %d", label, tb, len(d), len(f)))
		}
		for i := 0; i < min(len(d), len(f)); i++ {
			ph := "tombstone"
			if f[i].Value != nil {
				ph = phase(f[i])
			}
			lines, err := r.Compare(d[i], f[i], dbz.Prefix, fry.Prefix, ph)
			if err != nil {
				return err
			}
			t.Add(ph, fmt.Sprintf("%s %s %s #%d", label, tb, ph, i), lines)
		}
	}
	return nil
}

// Change is what a phase function reads of a change event.
type Change struct {
	Payload struct {
		Op     string
		Source map[string]any
	}
}

// ParseChange decodes a change event's op and source block.
func ParseChange(r *kgo.Record) (Change, error) {
	var c Change
	err := json.Unmarshal(r.Value, &c)
	return c, err
}
