package scheduler

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/transforms/catalogue"
)

// kcctlVersion parses major.minor as kcctl's Version does: split on ".",
// then Integer.parseInt of the first two parts (no suffix allowed there).
func kcctlVersion(v string) (major, minor int, ok bool) {
	parts := strings.Split(v, ".")
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	return major, minor, err1 == nil && err2 == nil
}

// TestServerInfoVersionForKcctl checks that GET / shows, in version, the
// Kafka Connect version ferry implements, which kcctl parses as at least 3.6
// (it switches features off below), and ferry's own in ferry_version
// (regression: version was ferry's "0.1.0-dev", parsed as 0.1).
func TestServerInfoVersionForKcctl(t *testing.T) {
	s, err := New(Options{Store: newFakeStore(), Catalogue: testCatalogue{catalogue.WithConnectors(testRegistry(), nil, "")},
		Dispatcher: nopDispatcher{}, Version: "0.1.0-dev"})
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := call(t, s.Handler(), "GET", "/", "")
	var info struct {
		Version      string `json:"version"`
		FerryVersion string `json:"ferry_version"`
	}
	if err := json.Unmarshal([]byte(body), &info); err != nil {
		t.Fatal(err)
	}
	major, minor, ok := kcctlVersion(info.Version)
	if !ok || major < 3 || (major == 3 && minor < 6) {
		t.Errorf("version %q parses as %d.%d (ok %v) by kcctl's rule, want >= 3.6", info.Version, major, minor, ok)
	}
	if info.FerryVersion != "0.1.0-dev" {
		t.Errorf("ferry_version %q, want the Options.Version", info.FerryVersion)
	}
	for _, v := range []string{"0.1.0-dev", "ferry-0.1.0"} {
		if major, minor, ok := kcctlVersion(v); ok && (major > 3 || major == 3 && minor >= 6) {
			t.Errorf("kcctl rule accepts %q", v)
		}
	}
}

// TestNonJSONContentType checks that a body declared as anything but JSON
// is a 415, as in Kafka Connect, and JSON variants are read (regression:
// Content-Type was never checked).
func TestNonJSONContentType(t *testing.T) {
	body := `{"name":"c","config":{"connector.class":"TestSource","tables":"x"}}`
	tests := []struct {
		contentType string
		code        int
	}{
		{"application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		{"text/plain", http.StatusUnsupportedMediaType},
		{"application/xml; charset=utf-8", http.StatusUnsupportedMediaType},
		{"not a media type", http.StatusUnsupportedMediaType},
		{"application/json", http.StatusCreated},
		{"application/json; charset=UTF-8", http.StatusCreated},
		{"", http.StatusCreated},
	}
	for _, tt := range tests {
		h := newTestScheduler(t, newFakeStore(), nil).Handler()
		for _, r := range []req{{"POST", "/connectors", body}, {"PUT", "/connectors/c/config", `{"connector.class":"TestSource","tables":"x"}`},
			{"PUT", "/connector-plugins/TestSource/config/validate", `{"connector.class":"TestSource","tables":"x"}`}} {
			rq := httptest.NewRequest(r.method, r.path, strings.NewReader(r.body))
			if tt.contentType != "" {
				rq.Header.Set("Content-Type", tt.contentType)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, rq)
			want := tt.code
			if want != http.StatusUnsupportedMediaType {
				want = map[string]int{"/connectors": 201, "/connectors/c/config": 200, "/connector-plugins/TestSource/config/validate": 200}[r.path]
			}
			if rec.Code != want {
				t.Errorf("%s %s with %q: %d %s, want %d", r.method, r.path, tt.contentType, rec.Code, rec.Body, want)
			}
		}
	}
}
