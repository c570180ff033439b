package functions_test

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/storage"
	"github.com/ferryhq/ferry/functions"
)

// jsonLinesSink is a stand-in sink writing JsonFormat lines (the S3 sink's
// format) into out; with takesJSON it is a connectors.JSONValueTaker.
type jsonLinesSink struct {
	takesJSON bool
	mu        sync.Mutex
	out       bytes.Buffer
	w         storage.RecordWriter
	// asJSON counts the values given as *connectors.JSONText.
	asJSON int
}

func (s *jsonLinesSink) Open(context.Context, map[string]string) (err error) {
	s.w, err = storage.JSONLines(false, false).Open(&s.out, nil)
	return err
}
func (s *jsonLinesSink) Flush(context.Context) error { return nil }
func (s *jsonLinesSink) TakesJSONValues() bool       { return s.takesJSON }

func (s *jsonLinesSink) Put(_ context.Context, recs []*connectors.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range recs {
		if _, ok := r.Value.(*connectors.JSONText); ok {
			s.asJSON++
		}
		if err := s.w.Write(r); err != nil {
			return err
		}
	}
	return nil
}

// TestJSONValueTakerGetsPayloadsAsWritten: a sink that writes values as
// JSON (connectors.JSONValueTaker) is given the envelope's payload bytes
// where they are already the written JSON, and its lines are byte for byte
// those of the same sink given converted values, for payloads taken as is
// and payloads that are not (whitespace, escapes, a decimal, a null with a
// default, a tombstone); a malformed envelope fails at the converter on
// both paths and is skipped under errors.tolerance=all.
func TestJSONValueTakerGetsPayloadsAsWritten(t *testing.T) {
	const schema = `{"type":"struct","optional":true,"fields":[{"type":"int64","optional":false,"field":"id"},` +
		`{"type":"string","optional":true,"field":"s"},{"type":"double","optional":true,"default":1.5,"field":"d"},` +
		`{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"field":"dec"}]}`
	env := func(payload string) string { return `{"schema":` + schema + `,"payload":` + payload + `}` }
	values := []string{
		env(`{"id":1,"s":"plain ü","d":2.25,"dec":null}`),
		env(`{"id":2, "s":"spaced","d":2.25,"dec":null}`),
		env(`{"id":3,"s":"tab\there","d":2.25,"dec":null}`),
		env(`{"id":4,"s":null,"d":null,"dec":null}`),
		env(`{"id":5,"s":"x","d":1E3,"dec":"AJw="}`),
		env(`{"id":6,"s":"x"`),
		env(`null`),
		env(`{"id":7,"s":"last","d":-0.0,"dec":null}`),
	}
	sinks := map[bool]*jsonLinesSink{true: {takesJSON: true}, false: {}}
	plugin := func(class string, s *jsonLinesSink) connectors.Plugin {
		return connectors.Plugin{Class: class, Type: connectors.TypeSink, Config: noConfig{},
			NewConnector: func() connectors.Connector { return oneTask{} }, NewSink: func() connectors.SinkTask { return s }}
	}
	r := newRig(t, plugin("test.standin.JSONSink", sinks[true]), plugin("test.standin.ConvertedSink", sinks[false]))
	r.produce("vj", values...)
	for takes, class := range map[bool]string{true: "test.standin.JSONSink", false: "test.standin.ConvertedSink"} {
		cfg := map[string]string{"name": class, "connector.class": class, "topics": "vj", "errors.tolerance": "all",
			"value.converter": "org.apache.kafka.connect.json.JsonConverter"}
		res, err := r.invoke(class, cfg)
		if err != nil || res.State != functions.StateRunning || res.Failed != 1 || res.Written != int64(len(values))-1 {
			t.Fatalf("%s: state %s, written %d, failed %d, err %v", class, res.State, res.Written, res.Failed, err)
		}
		if want := map[bool]int{true: 2, false: 0}[takes]; sinks[takes].asJSON != want { // ids 1 and 7
			t.Errorf("%s was given %d values as JSON, want %d", class, sinks[takes].asJSON, want)
		}
	}
	as, converted := sinks[true].out.String(), sinks[false].out.String()
	if as != converted {
		t.Errorf("given the payloads:\n%s\nconverted first:\n%s", as, converted)
	}
	want := `{"id":1,"s":"plain ü","d":2.25,"dec":null}
{"id":2,"s":"spaced","d":2.25,"dec":null}
{"id":3,"s":"tab\there","d":2.25,"dec":null}
{"id":4,"s":null,"d":1.5,"dec":null}
{"id":5,"s":"x","d":1000.0,"dec":"AJw="}
null
{"id":7,"s":"last","d":-0.0,"dec":null}
`
	if converted != want {
		t.Errorf("converted first:\n%s\nwant:\n%s", converted, want)
	}
}
