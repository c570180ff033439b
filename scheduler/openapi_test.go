package scheduler

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/twmb/franz-go/pkg/kadm"
)

func loadOpenAPI(t *testing.T) (*openapi3.T, routers.Router) {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openAPI)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI 3 document: %v", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return doc, router
}

// TestOpenAPIMatchesRoutes checks that openapi.json documents exactly the
// endpoints the scheduler serves, so the document cannot drift from them.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	var served []string
	for _, r := range newTestScheduler(t, newFakeStore(), nil).apiRoutes() {
		method, path, _ := strings.Cut(r.pattern, " ")
		served = append(served, method+" "+strings.TrimSuffix(path, "{$}"))
	}
	served = append(served, "GET /metrics", "GET /openapi.json")
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	slices.Sort(served)
	slices.Sort(documented)
	if !slices.Equal(served, documented) {
		t.Errorf("served and documented endpoints differ:\n served %v\n   docs %v", served, documented)
	}
	code, body, hdr := call(t, newTestScheduler(t, newFakeStore(), nil).Handler(), "GET", "/openapi.json", "")
	if code != http.StatusOK || hdr.Get("Content-Type") != "application/json" || body != strings.TrimSuffix(string(openAPI), "\n") {
		t.Errorf("GET /openapi.json: %d %s", code, hdr.Get("Content-Type"))
	}
}

// TestOpenAPIResponses sends requests covering every documented operation
// and checks each answer (status, content type, body) against openapi.json.
func TestOpenAPIResponses(t *testing.T) {
	_, router := loadOpenAPI(t)
	s := newTestScheduler(t, newFakeStore(), nil)
	s.o.Groups = &fakeGroups{offsets: kadm.Offsets{}}
	h := s.Handler()
	src := `{"connector.class":"TestSource","tables":"a,b","tasks.max":2}`
	steps := []req{
		{"GET", "/", ""}, {"GET", "/health", ""}, {"GET", "/openapi.json", ""},
		{"POST", "/connectors", `{"name":"src","config":` + src + `}`},
		{"POST", "/connectors", `{"name":"snk","config":{"connector.class":"FileStreamSink","topics":"t","file":"/tmp/x"}}`},
		{"POST", "/connectors", `{"name":"bad","config":{"connector.class":"TestSource"}}`},
		{"GET", "/connectors", ""}, {"GET", "/connectors?expand=status&expand=info", ""},
		{"GET", "/connectors/src", ""}, {"GET", "/connectors/nope", ""},
		{"GET", "/connectors/src/config", ""}, {"PUT", "/connectors/src/config", src},
		{"PUT", "/connectors/new/config", src}, {"PATCH", "/connectors/src/config", `{"tables":"c","tasks.max":null}`},
		{"GET", "/connectors/src/status", ""}, {"GET", "/connectors/src/tasks", ""},
		{"GET", "/connectors/src/tasks/0/status", ""}, {"POST", "/connectors/src/tasks/0/restart", ""},
		{"PUT", "/connectors/src/pause", ""}, {"PUT", "/connectors/src/resume", ""},
		{"POST", "/connectors/src/restart", ""}, {"POST", "/connectors/src/restart?includeTasks=true&onlyFailed=false", ""},
		{"GET", "/connectors/src/offsets", ""}, {"GET", "/connectors/snk/offsets", ""},
		{"PUT", "/connectors/src/stop", ""}, {"PUT", "/connectors/snk/stop", ""},
		{"PATCH", "/connectors/src/offsets", `{"offsets":[{"partition":{"table":"a"},"offset":{"id":3}}]}`},
		{"PATCH", "/connectors/snk/offsets", `{"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"kafka_offset":5}}]}`},
		{"DELETE", "/connectors/src/offsets", ""}, {"DELETE", "/connectors/snk/offsets", ""},
		{"GET", "/connectors/src/topics", ""}, {"PUT", "/connectors/src/topics/reset", ""},
		{"GET", "/connector-plugins", ""}, {"GET", "/connector-plugins?connectorsOnly=false", ""},
		{"GET", "/connector-plugins/FileStreamSink/config", ""}, {"GET", "/connector-plugins/JsonConverter/config", ""},
		{"PUT", "/connector-plugins/TestSource/config/validate", `{"connector.class":"TestSource","tasks.mx":"1","tables":null}`},
		{"GET", "/admin/loggers", ""}, {"GET", "/admin/loggers/root", ""},
		{"PUT", "/admin/loggers/root", `{"level":"DEBUG"}`}, {"PUT", "/admin/loggers/root?scope=cluster", `{"level":"INFO"}`},
		{"GET", "/metrics", ""}, {"DELETE", "/connectors/new", ""},
	}
	for _, st := range steps {
		rq := httptest.NewRequest(st.method, st.path, strings.NewReader(st.body))
		if st.body != "" {
			rq.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, rq)
		if rec.Code >= 500 && st.path != "/health" { // /health answers 503 until the loop has reached the store
			t.Errorf("%s %s: %d %s", st.method, st.path, rec.Code, rec.Body)
		}
		route, params, err := router.FindRoute(rq)
		if err != nil {
			t.Errorf("%s %s: not in openapi.json: %v", st.method, st.path, err)
			continue
		}
		in := &openapi3filter.RequestValidationInput{Request: rq, PathParams: params, Route: route,
			Options: &openapi3filter.Options{IncludeResponseStatus: true}}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code,
			Header: rec.Header(), Body: io.NopCloser(bytes.NewReader(rec.Body.Bytes())), Options: in.Options}
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			t.Errorf("%s %s: answer %d does not match openapi.json: %s\n%.400s", st.method, st.path, rec.Code, firstLine(err), rec.Body)
		}
	}
}

var spaces = regexp.MustCompile(`\s+`)

func firstLine(err error) string { return spaces.ReplaceAllString(err.Error(), " ") }
