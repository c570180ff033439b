package scheduler

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
)

// fakeGroups stands in for Kafka's consumer-group admin API in unit tests
// (the conformance suite drives the real one).
type fakeGroups struct{ offsets kadm.Offsets }

func (g *fakeGroups) FetchOffsets(_ context.Context, _ string) (kadm.OffsetResponses, error) {
	out := kadm.OffsetResponses{}
	g.offsets.Each(func(o kadm.Offset) {
		if out[o.Topic] == nil {
			out[o.Topic] = map[int32]kadm.OffsetResponse{}
		}
		out[o.Topic][o.Partition] = kadm.OffsetResponse{Offset: o}
	})
	return out, nil
}

func (g *fakeGroups) CommitOffsets(_ context.Context, _ string, os kadm.Offsets) (kadm.OffsetResponses, error) {
	os.Each(func(o kadm.Offset) { g.offsets.Add(o) })
	return kadm.OffsetResponses{}, nil
}

func (g *fakeGroups) DeleteOffsets(_ context.Context, _ string, s kadm.TopicsSet) (kadm.DeleteOffsetsResponses, error) {
	s.Each(func(t string, p int32) { g.offsets.Delete(t, p) })
	return kadm.DeleteOffsetsResponses{}, nil
}

func (g *fakeGroups) DeleteGroup(context.Context, string) (kadm.DeleteGroupResponse, error) {
	g.offsets = kadm.Offsets{}
	return kadm.DeleteGroupResponse{}, nil
}

const sinkBody = `{"name":"snk","config":{"connector.class":"FileStreamSink","topics":"t","file":"/tmp/x"}}`

func TestRESTSurface(t *testing.T) {
	stopMsg := "Connectors must be in the STOPPED state before their offsets can be modified. " +
		"This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/alpha/stop' endpoint"
	tests := []struct {
		name   string
		before []req
		req    req
		code   int
		body   string // exact, or a prefix when it ends with "…"
	}{
		{name: "patch sets and removes keys", req: req{"PATCH", "/connectors/alpha/config", `{"tables":"t9","tasks.max":null}`}, code: 200,
			body: `{"name":"alpha","config":{"connector.class":"com.example.TestSourceConnector","name":"alpha","tables":"t9"},"tasks":[{"connector":"alpha","task":0}],"type":"source"}`},
		{name: "patch unknown", req: req{"PATCH", "/connectors/zz/config", `{"a":"b"}`}, code: 404, body: errBody(404, "Connector zz not found")},
		{name: "patch name mismatch", req: req{"PATCH", "/connectors/alpha/config", `{"name":"other"}`}, code: 400,
			body: errBody(400, "Connector name configuration (other) doesn't match connector name in the URL (alpha)")},
		{name: "patch invalid", req: req{"PATCH", "/connectors/alpha/config", `{"tasks.max":"x"}`}, code: 400, body: `{"error_code":400,"message":"Connector configuration is invalid…`},
		{name: "stop", req: req{"PUT", "/connectors/alpha/stop", ""}, code: 204},
		{name: "stopped status has no tasks", before: []req{{"PUT", "/connectors/alpha/stop", ""}}, req: req{"GET", "/connectors/alpha/status", ""}, code: 200,
			body: `{"name":"alpha","connector":{"state":"STOPPED","worker_id":"sched:8083","version":"4.0.0"},"tasks":[],"type":"source"}`},
		{name: "stop unknown", req: req{"PUT", "/connectors/zz/stop", ""}, code: 404, body: errBody(404, "Unknown connector zz")},
		{name: "alter offsets of running connector", req: req{"PATCH", "/connectors/alpha/offsets", `{"offsets":[{"partition":{"t":"a"},"offset":{"o":1}}]}`},
			code: 400, body: errBody(400, stopMsg)},
		{name: "reset offsets of running connector", req: req{"DELETE", "/connectors/alpha/offsets", ""}, code: 400, body: errBody(400, stopMsg)},
		{name: "alter without offsets", before: []req{{"PUT", "/connectors/alpha/stop", ""}}, req: req{"PATCH", "/connectors/alpha/offsets", `{"offsets":[]}`},
			code: 400, body: errBody(400, "Partitions / offsets need to be provided for an alter offsets request")},
		{name: "alter source offsets", before: []req{{"PUT", "/connectors/alpha/stop", ""}},
			req: req{"PATCH", "/connectors/alpha/offsets", `{"offsets":[{"partition":{"table":"t1"},"offset":{"id":42}}]}`}, code: 200,
			body: `{"message":"The offsets for this connector have been altered successfully"}`},
		{name: "read altered source offsets", before: []req{{"PUT", "/connectors/alpha/stop", ""},
			{"PATCH", "/connectors/alpha/offsets", `{"offsets":[{"partition":{"table":"t1"},"offset":{"id":42}}]}`}},
			req: req{"GET", "/connectors/alpha/offsets", ""}, code: 200, body: `{"offsets":[{"partition":{"table":"t1"},"offset":{"id":42}}]}`},
		{name: "reset source offsets", before: []req{{"PUT", "/connectors/alpha/stop", ""},
			{"PATCH", "/connectors/alpha/offsets", `{"offsets":[{"partition":{"table":"t1"},"offset":{"id":42}}]}`},
			{"DELETE", "/connectors/alpha/offsets", ""}},
			req: req{"GET", "/connectors/alpha/offsets", ""}, code: 200, body: `{"offsets":[]}`},
		{name: "null source partition", before: []req{{"PUT", "/connectors/alpha/stop", ""}},
			req: req{"PATCH", "/connectors/alpha/offsets", `{"offsets":[{"partition":null,"offset":{"id":1}}]}`}, code: 400, body: errBody(400, "Source partitions may not be null")},
		{name: "alter sink offsets", before: []req{{"POST", "/connectors", sinkBody}, {"PUT", "/connectors/snk/stop", ""},
			{"PATCH", "/connectors/snk/offsets", `{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":"0"},"offset":{"kafka_offset":7}}]}`}},
			req: req{"GET", "/connectors/snk/offsets", ""}, code: 200,
			body: `{"offsets":[{"partition":{"kafka_partition":0,"kafka_topic":"t"},"offset":{"kafka_offset":7}}]}`},
		{name: "sink partition without topic", before: []req{{"POST", "/connectors", sinkBody}, {"PUT", "/connectors/snk/stop", ""}},
			req: req{"PATCH", "/connectors/snk/offsets", `{"offsets":[{"partition":{"kafka_partition":0},"offset":{"kafka_offset":7}}]}`}, code: 400,
			body: errBody(400, "The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'")},
		{name: "negative sink offset", before: []req{{"POST", "/connectors", sinkBody}, {"PUT", "/connectors/snk/stop", ""}},
			req: req{"PATCH", "/connectors/snk/offsets", `{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"kafka_offset":-1}}]}`}, code: 400,
			body: `{"error_code":400,"message":"Failed to parse the following Kafka offset value…`},
		{name: "reset sink offsets", before: []req{{"POST", "/connectors", sinkBody}, {"PUT", "/connectors/snk/stop", ""},
			{"PATCH", "/connectors/snk/offsets", `{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"kafka_offset":7}}]}`},
			{"DELETE", "/connectors/snk/offsets", ""}},
			req: req{"GET", "/connectors/snk/offsets", ""}, code: 200, body: `{"offsets":[]}`},
		{name: "offsets of unknown", req: req{"GET", "/connectors/zz/offsets", ""}, code: 404, body: errBody(404, "Connector zz not found")},
		{name: "topics without existence check", req: req{"GET", "/connectors/zz/topics", ""}, code: 200, body: `{"zz":{"topics":[]}}`},
		{name: "topics reset", req: req{"PUT", "/connectors/alpha/topics/reset", ""}, code: 202},
		{name: "plugin config unknown", req: req{"GET", "/connector-plugins/Nope/config", ""}, code: 404, body: errBody(404, "Unknown plugin Nope.")},
		{name: "plugin config of a connector starts with its own keys", req: req{"GET", "/connector-plugins/TestSource/config", ""}, code: 200,
			body: `[{"name":"tables","type":"STRING","required":true,"default_value":null,"importance":"MEDIUM","documentation":"","group":null,"width":"NONE","display_name":"tables","dependents":[],"order":-1},{"name":"name"…`},
		{name: "validate type mismatch", req: req{"PUT", "/connector-plugins/FileStreamSource/config/validate", `{"connector.class":"FileStreamSink"}`}, code: 400,
			body: errBody(400, "Included connector type FileStreamSink does not match request type FileStreamSource")},
		{name: "validate without class", req: req{"PUT", "/connector-plugins/FileStreamSource/config/validate", `{"topic":"x"}`}, code: 400,
			body: errBody(400, "Connector config {topic=x} contains no connector type")},
		{name: "loggers", req: req{"GET", "/admin/loggers", ""}, code: 200, body: `{"root":{"level":"INFO","last_modified":null}}`},
		{name: "unknown logger", req: req{"GET", "/admin/loggers/a.b", ""}, code: 404, body: errBody(404, "Logger a.b not found.")},
		{name: "set logger without level", req: req{"PUT", "/admin/loggers/a.b", `{}`}, code: 400, body: errBody(400, "Desired 'level' parameter was not specified in request.")},
		{name: "set logger bad level", req: req{"PUT", "/admin/loggers/a.b", `{"level":"LOUD"}`}, code: 404, body: errBody(404, "invalid log level 'LOUD'.")},
		{name: "set logger", req: req{"PUT", "/admin/loggers/a.b", `{"level":"debug"}`}, code: 200, body: `["a.b"]`},
		{name: "set logger cluster scope", req: req{"PUT", "/admin/loggers/a.b?scope=cluster", `{"level":"WARN"}`}, code: 204},
		{name: "body over 1 MiB", req: req{"POST", "/connectors", `{"name":"x","config":{"a":"` + strings.Repeat("x", 1<<20) + `"}}`}, code: 413,
			body: errBody(413, "Request body is larger than the limit of 1048576 bytes")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestScheduler(t, newFakeStore(), nil)
			s.o.Groups = &fakeGroups{offsets: kadm.Offsets{}}
			h := s.Handler()
			for _, b := range append([]req{{"POST", "/connectors", alphaBody}}, tt.before...) {
				if code, body, _ := call(t, h, b.method, b.path, b.body); code/100 != 2 {
					t.Fatalf("%s %s: %d %s", b.method, b.path, code, body)
				}
			}
			code, body, _ := call(t, h, tt.req.method, tt.req.path, tt.req.body)
			prefix, isPrefix := strings.CutSuffix(tt.body, "…")
			if code != tt.code || (!isPrefix && body != tt.body) || (isPrefix && !strings.HasPrefix(body, prefix)) {
				t.Errorf("%s %s\n got %d %.600s\nwant %d %s", tt.req.method, tt.req.path, code, body, tt.code, tt.body)
			}
		})
	}
}

// TestValidateConfigInfos checks the ConfigInfos shape: errors attached to
// their keys, counted, and transformation keys grouped under their alias.
func TestValidateConfigInfos(t *testing.T) {
	h := newTestScheduler(t, newFakeStore(), nil).Handler()
	got, errs := validateErrors(t, h, "FileStreamSink",
		`{"connector.class":"FileStreamSink","name":"s","tasks.max":"zz","topics":"a","topics.regex":"b","transforms":"m","transforms.m.type":"com.acme.Nope","file":null}`)
	want := map[string]string{
		"tasks.max":         "Invalid value zz for configuration tasks.max: Not a number of type INT",
		"topics":            "topics and topics.regex are mutually exclusive options, but both are set.",
		"transforms.m.type": "Class com.acme.Nope could not be found.",
		"file":              errNullValue,
	}
	total := 0
	for _, e := range errs {
		total += len(e)
	}
	if got.ErrorCount != total || got.Name != "FileStreamSink" {
		t.Errorf("error_count %d, name %q; errors %v", got.ErrorCount, got.Name, errs)
	}
	for key, msg := range want {
		if !strings.Contains(strings.Join(errs[key], "\n"), msg) {
			t.Errorf("errors of %s = %v, want one containing %q", key, errs[key], msg)
		}
	}
	if !strings.Contains(strings.Join(got.Groups, ","), "Transforms: m") {
		t.Errorf("groups %v lack Transforms: m", got.Groups)
	}
}

func TestLoggersHierarchy(t *testing.T) {
	root := slogLevel("WARN")
	l := NewLoggers(&root)
	_ = l.Handler("com.ferryhq.ferry.scheduler", nil)
	_ = l.Handler("com.ferryhq.ferry.functions", nil)
	if got := LevelName(l.Level("com.ferryhq.ferry.scheduler")); got != "WARN" {
		t.Fatalf("inherited level %s, want WARN", got)
	}
	affected := l.Set("com.ferryhq.ferry", slogLevel("DEBUG"), time.UnixMilli(1000))
	if strings.Join(affected, ",") != "com.ferryhq.ferry,com.ferryhq.ferry.functions,com.ferryhq.ferry.scheduler" {
		t.Fatalf("affected %v", affected)
	}
	if got := LevelName(l.Level("com.ferryhq.ferry.scheduler.loop")); got != "DEBUG" {
		t.Fatalf("descendant level %s, want DEBUG", got)
	}
	if lvl, _ := l.Get(RootLogger); lvl.Level != "WARN" || lvl.LastModified != nil {
		t.Fatalf("root %+v", lvl)
	}
	if lvl, _ := l.Get("com.ferryhq.ferry.functions"); lvl.LastModified == nil || *lvl.LastModified != 1000 {
		t.Fatalf("functions %+v", lvl)
	}
}

func slogLevel(name string) slogLevelT {
	l, ok := ParseLevel(name)
	if !ok {
		panic(name)
	}
	return l
}

type slogLevelT = slog.Level
