// Package placeholder knows config-provider placeholders (${provider:path:key},
// Kafka's ConfigTransformer syntax) and hides the values they resolved to,
// so that no secret reaches a trace, a log line or a REST answer. It is a
// leaf: the scheduler and the functions use it without the providers.
package placeholder

import (
	"context"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Pattern returns Kafka's ConfigTransformer placeholder: ${provider:[path:]key}.
// It is compiled on first use, not at init.
var Pattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\$\{([^}]*?):(?:([^}]*?):)?([^}]*?)\}`)
})

// MinMaskedLen is the shortest resolved value a Mask hides. Shorter values
// ("1", "on") would blank out unrelated text in every trace; a secret that
// short protects nothing anyway.
const MinMaskedLen = 4

// Masked is what a Mask writes in place of a resolved value.
const Masked = "[hidden]"

// Mask hides the values that config-provider placeholders resolved to, so a
// secret used as, say, a file path or a topic name never reaches a trace, a
// log line or a REST answer. The zero Mask hides nothing.
type Mask struct{ r *strings.Replacer }

// MaskOf returns the Mask for a config before (placeholders) and after
// resolution: every value a placeholder stood for, of at least MinMaskedLen
// bytes, is hidden.
func MaskOf(original, resolved map[string]string) Mask {
	var values []string
	for k, before := range original {
		values = append(values, substituted(before, resolved[k])...)
	}
	values = slices.DeleteFunc(values, func(v string) bool { return len(v) < MinMaskedLen })
	if len(values) == 0 {
		return Mask{}
	}
	// Longest first, so a value that contains another is hidden whole.
	slices.SortFunc(values, func(a, b string) int { return len(b) - len(a) })
	values = slices.Compact(values)
	pairs := make([]string, 0, 2*len(values))
	for _, v := range values {
		pairs = append(pairs, v, Masked)
	}
	return Mask{r: strings.NewReplacer(pairs...)}
}

// substituted returns the values the placeholders of before stood for in
// after: before's literal text must surround them unchanged.
func substituted(before, after string) []string {
	locs := Pattern().FindAllStringIndex(before, -1)
	if len(locs) == 0 || before == after {
		return nil
	}
	var b strings.Builder
	b.WriteString("^")
	last := 0
	for _, l := range locs {
		b.WriteString(regexp.QuoteMeta(before[last:l[0]]))
		b.WriteString("(.*?)")
		last = l[1]
	}
	b.WriteString(regexp.QuoteMeta(before[last:]))
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil
	}
	m := re.FindStringSubmatch(after)
	if m == nil {
		return nil
	}
	var out []string
	for i, v := range m[1:] {
		if v != before[locs[i][0]:locs[i][1]] { // a placeholder left as written hides nothing
			out = append(out, v)
		}
	}
	return out
}

// String returns s with every masked value replaced by Masked.
func (m Mask) String(s string) string {
	if m.r == nil {
		return s
	}
	return m.r.Replace(s)
}

// Error returns err with its message masked, keeping its chain for
// errors.Is and errors.As; nil stays nil.
func (m Mask) Error(err error) error {
	if err == nil || m.r == nil {
		return err
	}
	msg := m.r.Replace(err.Error())
	if msg == err.Error() {
		return err
	}
	return &maskedError{msg: msg, err: err}
}

type maskedError struct {
	msg string
	err error
}

func (e *maskedError) Error() string { return e.msg }
func (e *maskedError) Unwrap() error { return e.err }

// Logger returns l writing through the mask: the message and every string
// attribute are masked.
func (m Mask) Logger(l *slog.Logger) *slog.Logger {
	if m.r == nil {
		return l
	}
	return slog.New(maskHandler{m: m, next: l.Handler()})
}

// maskHandler masks each record before its next handler sees it.
type maskHandler struct {
	m    Mask
	next slog.Handler
}

func (h maskHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h maskHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.m.String(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h maskHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.m.String(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]any, len(g))
		for i, ga := range g {
			out[i] = h.attr(ga)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, h.m.String(err.Error()))
		}
		return slog.String(a.Key, h.m.String(v.String()))
	}
	return a
}

func (h maskHandler) WithAttrs(as []slog.Attr) slog.Handler {
	masked := make([]slog.Attr, len(as))
	for i, a := range as {
		masked[i] = h.attr(a)
	}
	return maskHandler{m: h.m, next: h.next.WithAttrs(masked)}
}

func (h maskHandler) WithGroup(name string) slog.Handler {
	return maskHandler{m: h.m, next: h.next.WithGroup(name)}
}
