package conformance

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

// counterConfig declares the fake source's one key.
type counterConfig struct {
	Topic string `config:"topic" required:"true" doc:"Topic to write to."`
}

// counter is a fake source counting from its committed offset; forget
// makes it ignore the offset, big puts a number JSON cannot keep.
type counter struct {
	forget, big bool
	next        int64
	topic       string
}

func (c *counter) Open(_ context.Context, props map[string]string, o connectors.OffsetReader) error {
	c.topic = props["topic"]
	if off := o.Offset(map[string]any{"p": 0}); off != nil && !c.forget {
		c.next = int64(off["n"].(float64)) + 1
	}
	return nil
}

func (c *counter) Poll(context.Context) ([]*connectors.Record, error) {
	if c.next >= 10 {
		return nil, nil
	}
	n := c.next
	c.next++
	off := map[string]any{"n": n}
	if c.big {
		off["n"] = int64(1<<60 + 1)
	}
	return []*connectors.Record{connectors.NewSourceRecord(map[string]any{"p": 0}, off, c.topic, nil, n)}, nil
}

func counterPlugin(task func() *counter) connectors.Plugin {
	return connectors.Plugin{Class: "test.Counter", Type: connectors.TypeSource, Config: counterConfig{},
		NewConnector: func() connectors.Connector { return splitter{} },
		NewSource:    func() connectors.SourceTask { return task() }}
}

type splitter struct{}

func (splitter) TaskConfigs(_ context.Context, props map[string]string, n int) ([]map[string]string, error) {
	return connectors.SameTaskConfigs(props, n), nil
}

// flaky is a fake sink whose system may be away; wrap decides how it says so.
type flaky struct {
	away      *bool
	wrap      func(error) error
	tombstone bool // fails on a nil value
}

func (f *flaky) Open(context.Context, map[string]string) error { return nil }

func (f *flaky) Put(_ context.Context, recs []*connectors.Record) error {
	if *f.away {
		return f.wrap(errors.New("connection refused"))
	}
	for _, r := range recs {
		if _, ok := r.Value.(string); !ok && f.tombstone {
			return errors.New("not a string")
		}
	}
	return nil
}

func (f *flaky) Flush(context.Context) error { return nil }

func flakyFixture(sink *flaky) Fixture {
	return Fixture{Plugin: connectors.Plugin{Class: "test.Flaky", Type: connectors.TypeSink, Config: counterConfig{},
		NewConnector: func() connectors.Connector { return splitter{} },
		NewSink:      func() connectors.SinkTask { return sink }},
		Config: map[string]string{"topic": "t", "topics": "t"},
		Unavailable: func() (func(), error) {
			*sink.away = true
			return func() { *sink.away = false }, nil
		}}.withDefaults()
}

// TestChecksCatchBrokenConnectors runs single checks on connectors that
// break one rule each: the check must fail, naming the rule; the same
// connector without the fault passes.
func TestChecksCatchBrokenConnectors(t *testing.T) {
	away := false
	source := func(c *counter) Fixture {
		return Fixture{Plugin: counterPlugin(func() *counter { cp := *c; return &cp }),
			Config: map[string]string{"topic": "t"}}.withDefaults()
	}
	for _, tc := range []struct {
		name  string
		check func(context.Context, Fixture) (string, error)
		bad   Fixture
		good  Fixture
		want  string
	}{
		{"restart ignores offsets", checkSourceRestart, source(&counter{forget: true}), source(&counter{}), "the record after the committed offset"},
		{"offset JSON cannot keep", checkSourceOffsets, source(&counter{big: true}), source(&counter{}), "does not survive JSON"},
		{"plain error while away", checkSinkRetriable, flakyFixture(&flaky{away: &away, wrap: func(err error) error { return err }}),
			flakyFixture(&flaky{away: &away, wrap: connectors.Retriable}), "not retriable"},
		{"tombstone fails the task", checkSinkTombstone, flakyFixture(&flaky{away: &away, wrap: connectors.Retriable, tombstone: true}),
			flakyFixture(&flaky{away: &away, wrap: connectors.Retriable}), "a tombstone failed the task"},
		{"no declaration", checkDeclaration, Fixture{Plugin: connectors.Plugin{Class: "x", Type: connectors.TypeSink,
			NewConnector: func() connectors.Connector { return splitter{} }, NewSink: func() connectors.SinkTask { return &flaky{} }}},
			flakyFixture(&flaky{away: &away}), "Plugin.Config is nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.check(context.Background(), tc.bad); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("broken connector: err = %v, want one containing %q", err, tc.want)
			}
			if _, err := tc.check(context.Background(), tc.good); err != nil {
				t.Errorf("sound connector: %v", err)
			}
		})
	}
}

// TestValidationNamesMissingKey: a config whose required key is removed
// must be refused naming it; a declaration that forgets required fails.
func TestValidationNamesMissingKey(t *testing.T) {
	f := Fixture{Plugin: counterPlugin(func() *counter { return &counter{} }), Config: map[string]string{"topic": "t"}}.withDefaults()
	if _, err := checkValidation(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	f.Invalid = []Invalid{{Config: map[string]string{"topic": "t"}, Key: "topic"}}
	if _, err := checkValidation(context.Background(), f); err == nil || !strings.Contains(err.Error(), `want an error naming key "topic"`) {
		t.Fatalf("a valid config listed as Invalid: err = %v", err)
	}
}
