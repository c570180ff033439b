package scheduler

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/state"
)

const (
	alphaBody   = `{"name":"alpha","config":{"connector.class":"com.example.TestSourceConnector","tables":"t1,t2","tasks.max":"2"}}`
	alphaConfig = `{"connector.class":"com.example.TestSourceConnector","name":"alpha","tables":"t1,t2","tasks.max":"2"}`
	alphaInfo   = `{"name":"alpha","config":` + alphaConfig + `,"tasks":[{"connector":"alpha","task":0},{"connector":"alpha","task":1}],"type":"source"}`
	alphaStatus = `{"name":"alpha","connector":{"state":"RUNNING","worker_id":"sched:8083","version":"4.0.0"},"tasks":[{"id":0,"state":"UNASSIGNED","worker_id":"sched:8083","version":"4.0.0"},{"id":1,"state":"UNASSIGNED","worker_id":"sched:8083","version":"4.0.0"}],"type":"source"}`
	invalidTail = "\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`"
)

type req struct{ method, path, body string }

func TestREST(t *testing.T) {
	tests := []struct {
		name     string
		before   []req // run after alpha is created; must succeed (2xx)
		req      req
		code     int
		body     string // exact; "" means no body
		location string
	}{
		{name: "server info", req: req{"GET", "/", ""}, code: 200, body: `{"version":"4.1.1","commit":"abc","kafka_cluster_id":"cluster-1","ferry_version":"4.0.0"}`},
		{name: "list sorted", before: []req{{"POST", "/connectors", `{"name":"aaa","config":{"connector.class":"TestSource","tables":"x"}}`}},
			req: req{"GET", "/connectors", ""}, code: 200, body: `["aaa","alpha"]`},
		{name: "list expand status and info", req: req{"GET", "/connectors?expand=status&expand=info&expand=bogus", ""}, code: 200,
			body: `{"alpha":{"status":` + alphaStatus + `,"info":` + alphaInfo + `}}`},
		{name: "list expand info", req: req{"GET", "/connectors?expand=info", ""}, code: 200, body: `{"alpha":{"info":` + alphaInfo + `}}`},
		{name: "create", req: req{"POST", "/connectors", `{"name":" beta ","config":{"connector.class":"TestSource","tables":"x"}}`}, code: 201,
			location: "/connectors/beta",
			body:     `{"name":"beta","config":{"connector.class":"TestSource","name":"beta","tables":"x"},"tasks":[{"connector":"beta","task":0}],"type":"source"}`},
		{name: "create existing", req: req{"POST", "/connectors", alphaBody}, code: 409, body: `{"error_code":409,"message":"Connector alpha already exists"}`},
		{name: "create name mismatch", req: req{"POST", "/connectors", `{"name":"b","config":{"name":"c","connector.class":"TestSource","tables":"x"}}`}, code: 400,
			body: `{"error_code":400,"message":"Connector name configuration (c) doesn't match connector name in the URL (b)"}`},
		{name: "create empty name", req: req{"POST", "/connectors", `{"config":{"connector.class":"TestSource","tables":"x"}}`}, code: 400,
			body: errBody(400, "Connector configuration is invalid and contains the following 1 error(s):\nInvalid value  for configuration name: String may not be empty"+invalidTail)},
		{name: "create control chars in name", req: req{"POST", "/connectors", `{"name":"a\u0007b\u0001","config":{"connector.class":"TestSource","tables":"x"}}`}, code: 400,
			body: errBody(400, "Connector configuration is invalid and contains the following 1 error(s):\nInvalid value a\u0007b\u0001 for configuration name: String may not contain control sequences but had the following ASCII chars: 7, 1"+invalidTail)},
		{name: "create invalid: every error listed", req: req{"POST", "/connectors", `{"name":"b","config":{"connector.class":"TestSource","tasks.max":"zero","value.converter":"Nope"}}`}, code: 400,
			body: errBody(400, "Connector configuration is invalid and contains the following 3 error(s):\n"+
				"Invalid value zero for configuration tasks.max: Not a number of type INT\n"+
				"Missing required configuration \"tables\" which has no default value.\n"+
				"Invalid value Nope for configuration value.converter: Class Nope could not be found. Known converters: "+
				"io.confluent.connect.avro.AvroConverter, io.confluent.connect.json.JsonSchemaConverter, io.confluent.connect.protobuf.ProtobufConverter, "+
				"org.apache.kafka.connect.converters.ByteArrayConverter, org.apache.kafka.connect.json.JsonConverter, "+
				"org.apache.kafka.connect.storage.SimpleHeaderConverter, org.apache.kafka.connect.storage.StringConverter"+invalidTail)},
		{name: "create sink: topics rules and plugin check", req: req{"POST", "/connectors", `{"name":"s","config":{"connector.class":"FileStreamSink","topics":"a","topics.regex":"b.*"}}`}, code: 400,
			body: errBody(400, "Connector configuration is invalid and contains the following 2 error(s):\n"+
				"Invalid value a for configuration topics: topics and topics.regex are mutually exclusive options, but both are set.\n"+
				"Invalid value  for configuration file: file must be set: ferry functions have no stdout"+invalidTail)},
		{name: "create unknown class", req: req{"POST", "/connectors", `{"name":"b","config":{"connector.class":"com.acme.Nope"}}`}, code: 400,
			body: errBody(400, "Failed to find any class that implements Connector and which name matches com.acme.Nope, available connectors are: "+
				"com.example.BrokenConnector, com.example.TestSourceConnector, io.confluent.kafka.connect.datagen.DatagenConnector, "+
				"org.apache.kafka.connect.file.FileStreamSinkConnector, org.apache.kafka.connect.file.FileStreamSourceConnector")},
		{name: "create without class", req: req{"POST", "/connectors", `{"name":"b","config":{"tables":"x"}}`}, code: 400,
			body: errBody(400, "Connector config {name=b, tables=x} contains no connector type")},
		{name: "create malformed JSON", req: req{"POST", "/connectors", `{"name":"b",`}, code: 400,
			body: errBody(400, "Malformed JSON request body: unexpected EOF")},
		{name: "create bad JSON syntax", req: req{"POST", "/connectors", `{"name" "b"}`}, code: 400,
			body: errBody(400, "Malformed JSON request body: invalid character '\"' after object key (at byte 9)")},
		{name: "create object value", req: req{"POST", "/connectors", `{"name":"b","config":{"tasks.max":{}}}`}, code: 400,
			body: errBody(400, `Malformed JSON request body: config value of "tasks.max" must be a JSON string, number or boolean, not an object or array`)},
		{name: "create null value", req: req{"POST", "/connectors", `{"name":"b","config":{"tables":null}}`}, code: 400,
			body: errBody(400, `Malformed JSON request body: config value of "tables" is null: Null value can not be supplied as the configuration value`)},
		{name: "create wrong name type", req: req{"POST", "/connectors", `{"name":5,"config":{}}`}, code: 400,
			body: errBody(400, `Malformed JSON request body: name must be a JSON string, not a JSON number`)},
		{name: "create numbers coerced like Jackson", req: req{"POST", "/connectors", `{"name":"n","config":{"connector.class":"TestSource","tables":"x","tasks.max":1,"x":true}}`}, code: 201,
			location: "/connectors/n",
			body:     `{"name":"n","config":{"connector.class":"TestSource","name":"n","tables":"x","tasks.max":"1","x":"true"},"tasks":[{"connector":"n","task":0}],"type":"source"}`},
		{name: "create empty body", req: req{"POST", "/connectors", ``}, code: 400,
			body: errBody(400, "Malformed JSON request body: the body is empty; send a JSON object")},
		{name: "create bad initial_state", req: req{"POST", "/connectors", `{"name":"b","config":{"connector.class":"TestSource","tables":"x"},"initial_state":"ASLEEP"}`}, code: 400,
			body: errBody(400, `Invalid initial_state "ASLEEP": use RUNNING, PAUSED or STOPPED`)},
		{name: "create too large", req: req{"POST", "/connectors", `{"name":"b","config":{"x":"` + strings.Repeat("y", maxBody) + `"}}`}, code: 413,
			body: errBody(413, "Request body is larger than the limit of 1048576 bytes")},
		{name: "create paused", before: []req{{"POST", "/connectors", `{"name":"p","config":{"connector.class":"TestSource","tables":"x"},"initial_state":"paused"}`}},
			req: req{"GET", "/connectors/p/status", ""}, code: 200,
			body: `{"name":"p","connector":{"state":"PAUSED","worker_id":"sched:8083","version":"4.0.0"},"tasks":[{"id":0,"state":"PAUSED","worker_id":"sched:8083","version":"4.0.0"}],"type":"source"}`},
		{name: "create stopped has no tasks", before: []req{{"POST", "/connectors", `{"name":"p","config":{"connector.class":"TestSource","tables":"x"},"initial_state":"STOPPED"}`}},
			req: req{"GET", "/connectors/p/status", ""}, code: 200,
			body: `{"name":"p","connector":{"state":"STOPPED","worker_id":"sched:8083","version":"4.0.0"},"tasks":[],"type":"source"}`},
		{name: "resume stopped splits", before: []req{{"POST", "/connectors", `{"name":"p","config":{"connector.class":"TestSource","tables":"x"},"initial_state":"STOPPED"}`},
			{"PUT", "/connectors/p/resume", ""}},
			req: req{"GET", "/connectors/p/status", ""}, code: 200,
			body: `{"name":"p","connector":{"state":"RUNNING","worker_id":"sched:8083","version":"4.0.0"},"tasks":[{"id":0,"state":"UNASSIGNED","worker_id":"sched:8083","version":"4.0.0"}],"type":"source"}`},
		{name: "split failure: connector FAILED", before: []req{{"POST", "/connectors", `{"name":"br","config":{"connector.class":"Broken"}}`}},
			req: req{"GET", "/connectors/br/status", ""}, code: 200,
			body: `{"name":"br","connector":{"state":"FAILED","worker_id":"sched:8083","trace":"connector com.example.BrokenConnector could not split its work into tasks: cannot reach the database","version":"4.0.0"},"tasks":[],"type":"source"}`},
		{name: "get", req: req{"GET", "/connectors/alpha", ""}, code: 200, body: alphaInfo},
		{name: "get unknown", req: req{"GET", "/connectors/nope", ""}, code: 404, body: errBody(404, "Connector nope not found")},
		{name: "delete", req: req{"DELETE", "/connectors/alpha", ""}, code: 204},
		{name: "delete then get", before: []req{{"DELETE", "/connectors/alpha", ""}}, req: req{"GET", "/connectors/alpha", ""}, code: 404,
			body: errBody(404, "Connector alpha not found")},
		{name: "delete unknown", req: req{"DELETE", "/connectors/nope", ""}, code: 404, body: errBody(404, "Connector nope not found")},
		{name: "get config", req: req{"GET", "/connectors/alpha/config", ""}, code: 200, body: alphaConfig},
		{name: "get config unknown", req: req{"GET", "/connectors/nope/config", ""}, code: 404, body: errBody(404, "Connector nope not found")},
		{name: "put config creates", req: req{"PUT", "/connectors/gamma/config", `{"connector.class":"TestSource","tables":"x"}`}, code: 201,
			location: "/connectors/gamma",
			body:     `{"name":"gamma","config":{"connector.class":"TestSource","name":"gamma","tables":"x"},"tasks":[{"connector":"gamma","task":0}],"type":"source"}`},
		{name: "put config updates", req: req{"PUT", "/connectors/alpha/config", `{"connector.class":"TestSource","tables":"x","name":"alpha"}`}, code: 200,
			body: `{"name":"alpha","config":{"connector.class":"TestSource","name":"alpha","tables":"x"},"tasks":[{"connector":"alpha","task":0}],"type":"source"}`},
		{name: "put config keeps pause", before: []req{{"PUT", "/connectors/alpha/pause", ""}, {"PUT", "/connectors/alpha/config", `{"connector.class":"TestSource","tables":"x"}`}},
			req: req{"GET", "/connectors/alpha/status", ""}, code: 200,
			body: `{"name":"alpha","connector":{"state":"PAUSED","worker_id":"sched:8083","version":"4.0.0"},"tasks":[{"id":0,"state":"PAUSED","worker_id":"sched:8083","version":"4.0.0"}],"type":"source"}`},
		{name: "put config name mismatch", req: req{"PUT", "/connectors/alpha/config", `{"connector.class":"TestSource","tables":"x","name":"other"}`}, code: 400,
			body: errBody(400, "Connector name configuration (other) doesn't match connector name in the URL (alpha)")},
		{name: "put config invalid", req: req{"PUT", "/connectors/alpha/config", `{"connector.class":"TestSource"}`}, code: 400,
			body: errBody(400, "Connector configuration is invalid and contains the following 1 error(s):\nMissing required configuration \"tables\" which has no default value."+invalidTail)},
		{name: "put config not an object", req: req{"PUT", "/connectors/alpha/config", `["x"]`}, code: 400,
			body: errBody(400, "Malformed JSON request body: the body must be a JSON object, not a JSON array")},
		{name: "status", req: req{"GET", "/connectors/alpha/status", ""}, code: 200, body: alphaStatus},
		{name: "status unknown", req: req{"GET", "/connectors/nope/status", ""}, code: 404, body: errBody(404, "No status found for connector nope")},
		{name: "tasks", req: req{"GET", "/connectors/alpha/tasks", ""}, code: 200,
			body: `[{"id":{"connector":"alpha","task":0},"config":{"connector.class":"com.example.TestSourceConnector","name":"alpha","tables":"t1","task.class":"com.example.TestSourceTask","task.id":"0","tasks.max":"2"}},` +
				`{"id":{"connector":"alpha","task":1},"config":{"connector.class":"com.example.TestSourceConnector","name":"alpha","tables":"t2","task.class":"com.example.TestSourceTask","task.id":"1","tasks.max":"2"}}]`},
		{name: "tasks unknown", req: req{"GET", "/connectors/nope/tasks", ""}, code: 404, body: errBody(404, "Connector nope not found")},
		{name: "task status", req: req{"GET", "/connectors/alpha/tasks/1/status", ""}, code: 200, body: `{"id":1,"state":"UNASSIGNED","worker_id":"sched:8083","version":"4.0.0"}`},
		{name: "task status unknown task", req: req{"GET", "/connectors/alpha/tasks/5/status", ""}, code: 404, body: errBody(404, "No status found for task alpha-5")},
		{name: "task status unknown connector", req: req{"GET", "/connectors/nope/tasks/0/status", ""}, code: 404, body: errBody(404, "No status found for task nope-0")},
		{name: "task status non-numeric id", req: req{"GET", "/connectors/alpha/tasks/x/status", ""}, code: 404, body: errBody(404, "HTTP 404 Not Found")},
		{name: "pause", req: req{"PUT", "/connectors/alpha/pause", ""}, code: 202},
		{name: "pause twice", before: []req{{"PUT", "/connectors/alpha/pause", ""}}, req: req{"PUT", "/connectors/alpha/pause", ""}, code: 202},
		{name: "pause unknown", req: req{"PUT", "/connectors/nope/pause", ""}, code: 404, body: errBody(404, "Unknown connector nope")},
		{name: "resume", before: []req{{"PUT", "/connectors/alpha/pause", ""}, {"PUT", "/connectors/alpha/resume", ""}}, req: req{"PUT", "/connectors/alpha/resume", ""}, code: 202},
		{name: "resume unknown", req: req{"PUT", "/connectors/nope/resume", ""}, code: 404, body: errBody(404, "Unknown connector nope")},
		{name: "restart", req: req{"POST", "/connectors/alpha/restart", ""}, code: 204},
		{name: "restart with tasks", req: req{"POST", "/connectors/alpha/restart?includeTasks=true", ""}, code: 202,
			body: `{"name":"alpha","connector":{"state":"RESTARTING","worker_id":"sched:8083","version":"4.0.0"},"tasks":[{"id":0,"state":"RESTARTING","worker_id":"sched:8083","version":"4.0.0"},{"id":1,"state":"RESTARTING","worker_id":"sched:8083","version":"4.0.0"}],"type":"source"}`},
		{name: "restart only failed: nothing failed", req: req{"POST", "/connectors/alpha/restart?includeTasks=true&onlyFailed=true", ""}, code: 202, body: alphaStatus},
		{name: "restart flag that is not true is false", req: req{"POST", "/connectors/alpha/restart?includeTasks=maybe", ""}, code: 204},
		{name: "restart unknown", req: req{"POST", "/connectors/nope/restart", ""}, code: 404, body: errBody(404, "Unknown connector: nope")},
		{name: "task restart", req: req{"POST", "/connectors/alpha/tasks/0/restart", ""}, code: 204},
		{name: "task restart shows RESTARTING", before: []req{{"POST", "/connectors/alpha/tasks/0/restart", ""}}, req: req{"GET", "/connectors/alpha/tasks/0/status", ""}, code: 200,
			body: `{"id":0,"state":"RESTARTING","worker_id":"sched:8083","version":"4.0.0"}`},
		{name: "task restart unknown task", req: req{"POST", "/connectors/alpha/tasks/9/restart", ""}, code: 404, body: errBody(404, "Unknown task: alpha-9")},
		{name: "task restart unknown connector", req: req{"POST", "/connectors/nope/tasks/0/restart", ""}, code: 404, body: errBody(404, "Unknown connector: nope")},
		{name: "plugins", req: req{"GET", "/connector-plugins", ""}, code: 200,
			body: `[{"class":"com.example.BrokenConnector","type":"source"},{"class":"com.example.TestSourceConnector","type":"source"},` +
				`{"class":"io.confluent.kafka.connect.datagen.DatagenConnector","type":"source","version":"ferry-0.1.0"},` +
				`{"class":"org.apache.kafka.connect.file.FileStreamSinkConnector","type":"sink","version":"ferry-0.1.0"},` +
				`{"class":"org.apache.kafka.connect.file.FileStreamSourceConnector","type":"source","version":"ferry-0.1.0"}]`},
		{name: "plugins all", req: req{"GET", "/connector-plugins?connectorsOnly=false", ""}, code: 200,
			body: `[{"class":"com.example.BrokenConnector","type":"source"},{"class":"com.example.TestSourceConnector","type":"source"},` +
				`{"class":"io.confluent.kafka.connect.datagen.DatagenConnector","type":"source","version":"ferry-0.1.0"},` +
				`{"class":"org.apache.kafka.connect.file.FileStreamSinkConnector","type":"sink","version":"ferry-0.1.0"},` +
				`{"class":"org.apache.kafka.connect.file.FileStreamSourceConnector","type":"source","version":"ferry-0.1.0"},` +
				`{"class":"org.apache.kafka.connect.json.JsonConverter","type":"converter","version":"4.0.0"}]`},
		{name: "unknown URL", req: req{"GET", "/nope", ""}, code: 404, body: errBody(404, "HTTP 404 Not Found")},
		{name: "unknown sub-resource", req: req{"GET", "/connectors/alpha/nope", ""}, code: 404, body: errBody(404, "HTTP 404 Not Found")},
		{name: "wrong method", req: req{"PATCH", "/connectors", ""}, code: 405, body: errBody(405, "HTTP 405 Method Not Allowed")},
		{name: "wrong method on item", req: req{"POST", "/connectors/alpha/status", ""}, code: 405, body: errBody(405, "HTTP 405 Method Not Allowed")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTestScheduler(t, newFakeStore(), nil).Handler()
			for _, b := range append([]req{{"POST", "/connectors", alphaBody}}, tt.before...) {
				if code, body, _ := call(t, h, b.method, b.path, b.body); code/100 != 2 {
					t.Fatalf("%s %s: %d %s", b.method, b.path, code, body)
				}
			}
			code, body, hdr := call(t, h, tt.req.method, tt.req.path, tt.req.body)
			if code != tt.code || body != tt.body {
				t.Errorf("%s %s\n got %d %s\nwant %d %s", tt.req.method, tt.req.path, code, body, tt.code, tt.body)
			}
			if got := hdr.Get("Location"); got != tt.location {
				t.Errorf("Location %q; want %q", got, tt.location)
			}
			if tt.body != "" && hdr.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type %q", hdr.Get("Content-Type"))
			}
		})
	}
}

func errBody(code int, msg string) string {
	b, _ := jsonString(errorBody{Code: code, Message: msg})
	return b
}

// TestStatusFromStore checks how stored task statuses show: the loop's
// RUNNING and FAILED, and PAUSED winning over a retrying failure but not
// over a failure for good.
func TestStatusFromStore(t *testing.T) {
	tests := []struct {
		name   string
		pause  bool
		stored state.TaskStatus
		want   string
	}{
		{name: "running", stored: state.TaskStatus{State: state.StateRunning, WorkerID: "w7"}, want: `{"id":0,"state":"RUNNING","worker_id":"w7","version":"4.0.0"}`},
		{name: "failed", stored: state.TaskStatus{State: state.StateFailed, WorkerID: "w7", Trace: "boom"}, want: `{"id":0,"state":"FAILED","worker_id":"w7","trace":"boom","version":"4.0.0"}`},
		{name: "paused", pause: true, stored: state.TaskStatus{State: state.StateRunning, WorkerID: "w7"}, want: `{"id":0,"state":"PAUSED","worker_id":"w7","version":"4.0.0"}`},
		{name: "paused retrying", pause: true, stored: state.TaskStatus{State: state.StateFailed, WorkerID: "w7", Trace: "x\n" + retryNote + " (attempt 1, next in 500ms)"},
			want: `{"id":0,"state":"PAUSED","worker_id":"w7","version":"4.0.0"}`},
		{name: "paused failed for good", pause: true, stored: state.TaskStatus{State: state.StateFailed, WorkerID: "w7", Trace: "boom"},
			want: `{"id":0,"state":"FAILED","worker_id":"w7","trace":"boom","version":"4.0.0"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newFakeStore()
			h := newTestScheduler(t, store, nil).Handler()
			call(t, h, "POST", "/connectors", alphaBody)
			if tt.pause {
				call(t, h, "PUT", "/connectors/alpha/pause", "")
			}
			tt.stored.Connector = "alpha"
			_ = store.PutTaskStatus(t.Context(), tt.stored)
			if code, body, _ := call(t, h, "GET", "/connectors/alpha/tasks/0/status", ""); code != http.StatusOK || body != tt.want {
				t.Errorf("got %d %s; want %s", code, body, tt.want)
			}
		})
	}
}

func TestRestartOnlyFailed(t *testing.T) {
	store := newFakeStore()
	h := newTestScheduler(t, store, nil).Handler()
	call(t, h, "POST", "/connectors", alphaBody)
	_ = store.PutTaskStatus(t.Context(), state.TaskStatus{Connector: "alpha", Task: 1, State: state.StateFailed, WorkerID: "w", Trace: "boom"})
	code, body, _ := call(t, h, "POST", "/connectors/alpha/restart?includeTasks=true&onlyFailed=true", "")
	want := `{"name":"alpha","connector":{"state":"RUNNING","worker_id":"sched:8083","version":"4.0.0"},"tasks":[{"id":0,"state":"UNASSIGNED","worker_id":"sched:8083","version":"4.0.0"},{"id":1,"state":"RESTARTING","worker_id":"w","version":"4.0.0"}],"type":"source"}`
	if code != http.StatusAccepted || body != want {
		t.Errorf("got %d %s\nwant %s", code, body, want)
	}
	if st, _ := store.status("alpha", 1); st.State != state.StateRestarting {
		t.Errorf("stored %+v", st)
	}
}

func TestUpdateBumpsGenerationOnlyWhenTasksChange(t *testing.T) {
	store := newFakeStore()
	h := newTestScheduler(t, store, nil).Handler()
	call(t, h, "POST", "/connectors", alphaBody)
	gen := func() int64 { r, _ := store.Connector(t.Context(), "alpha"); return r.Generation }
	if gen() != 1 {
		t.Fatalf("generation after create = %d", gen())
	}
	call(t, h, "PUT", "/connectors/alpha/config", `{"connector.class":"com.example.TestSourceConnector","tables":"t1,t2","tasks.max":"2"}`)
	if gen() != 1 {
		t.Errorf("unchanged tasks bumped generation to %d", gen())
	}
	call(t, h, "PUT", "/connectors/alpha/config", `{"connector.class":"com.example.TestSourceConnector","tables":"t1,t3","tasks.max":"2"}`)
	if gen() != 2 {
		t.Errorf("changed tasks: generation %d", gen())
	}
}
