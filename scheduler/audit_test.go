package scheduler

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
)

// secretBody creates "vault" with values that must never reach the audit log.
const secretBody = `{"name":"vault","config":{"connector.class":"com.example.TestSourceConnector","tables":"t1",` +
	`"connection.password":"hunter2-PLAIN","db.token":"${file:/etc/ferry/db.properties:token}"}}`

// TestAuditLog sends every mutating call once and checks its one audit line:
// user, remote address, method, path, connector, status and the names (never
// the values) of the changed config keys.
func TestAuditLog(t *testing.T) {
	tests := []struct {
		method, path, body string
		status             int
		connector          string
		changed            []string
	}{
		{"POST", "/connectors", secretBody, 201, "vault", []string{"connection.password", "connector.class", "db.token", "name", "tables"}},
		{"PUT", "/connectors/vault/config", `{"connector.class":"com.example.TestSourceConnector","tables":"t1","connection.password":"hunter3-PLAIN"}`, 200, "vault", []string{"connection.password", "db.token"}},
		{"PATCH", "/connectors/vault/config", `{"tables":"t2"}`, 200, "vault", []string{"tables"}},
		{"PUT", "/connectors/vault/pause", "", 202, "vault", nil},
		{"PUT", "/connectors/vault/resume", "", 202, "vault", nil},
		{"POST", "/connectors/vault/restart", "", 204, "vault", nil},
		{"POST", "/connectors/vault/tasks/0/restart", "", 204, "vault", nil},
		{"PUT", "/connectors/vault/stop", "", 204, "vault", nil},
		{"PATCH", "/connectors/vault/offsets", `{"offsets":[{"partition":{"table":"t1"},"offset":{"id":"s3cr3t-offset"}}]}`, 200, "vault", nil},
		{"DELETE", "/connectors/vault/offsets", "", 200, "vault", nil},
		{"PUT", "/connectors/vault/topics/reset", "", 202, "vault", nil},
		{"PUT", "/admin/loggers/org.apache.kafka", `{"level":"DEBUG"}`, 200, "", nil},
		{"DELETE", "/connectors/vault", "", 204, "vault", []string{"connection.password", "connector.class", "name", "tables"}},
		{"DELETE", "/connectors/nope", "", 404, "nope", nil},
	}
	var buf bytes.Buffer
	s := newTestScheduler(t, newFakeStore(), nil)
	s.o.Groups = &fakeGroups{offsets: kadm.Offsets{}}
	s.audit = slog.New(slog.NewJSONHandler(&buf, nil))
	h := s.Handler()
	for _, tt := range tests {
		buf.Reset()
		req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
		req.SetBasicAuth("alice", "alice-PASSWORD")
		req.RemoteAddr = "192.0.2.7:51000"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.status {
			t.Fatalf("%s %s: %d %s", tt.method, tt.path, rec.Code, rec.Body)
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != 1 {
			t.Fatalf("%s %s: want one audit line, got %q", tt.method, tt.path, lines)
		}
		var got struct {
			Msg, User, Remote, Method, Path, Connector string
			Status                                     int
			Changed                                    []string `json:"changed_keys"`
		}
		if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
			t.Fatal(err)
		}
		want := got
		want.Msg, want.User, want.Remote, want.Method, want.Path = "audit", "alice", "192.0.2.7:51000", tt.method, tt.path
		want.Connector, want.Status, want.Changed = tt.connector, tt.status, tt.changed
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s %s audit line\n got %+v\nwant %+v", tt.method, tt.path, got, want)
		}
		for _, secret := range []string{"PLAIN", "PASSWORD", "s3cr3t", "${file:", "DEBUG"} {
			if strings.Contains(lines[0], secret) {
				t.Errorf("%s %s: audit line holds a value (%s): %s", tt.method, tt.path, secret, lines[0])
			}
		}
	}
}

// TestAuditReadsNotLogged checks that reads and validation write no audit line.
func TestAuditReadsNotLogged(t *testing.T) {
	var buf bytes.Buffer
	s := newTestScheduler(t, newFakeStore(), nil)
	s.audit = slog.New(slog.NewJSONHandler(&buf, nil))
	h := s.Handler()
	call(t, h, "GET", "/connectors", "")
	call(t, h, "PUT", "/connector-plugins/TestSource/config/validate", `{"connector.class":"TestSource","tables":"t"}`)
	if buf.Len() != 0 {
		t.Errorf("reads were audited: %s", buf.String())
	}
}
