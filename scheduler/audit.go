package scheduler

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
)

// AuditLogger is the logger name of the audit log: one line per REST call
// that changes something, as Kafka Connect users know from the
// org.apache.kafka.connect.runtime.rest loggers.
const AuditLogger = "com.ferryhq.ferry.audit"

// audited wraps a mutating endpoint: after it answers, one structured line
// records who (the basic-auth user, "anonymous" without one), from where,
// what (method, path, connector), the status code, and the names of the
// config keys that changed. No value is ever logged, so neither secrets nor
// resolved placeholders can appear in the audit log.
func (s *Scheduler) audited(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if name == "" && r.Method == http.MethodPost {
			name = bodyName(r)
		}
		before := s.auditConfig(r.Context(), name)
		rec := &codeRecorder{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		user, _, ok := r.BasicAuth()
		if !ok || user == "" {
			user = "anonymous"
		}
		attrs := []any{"user", user, "remote", r.RemoteAddr, "method", r.Method, "path", r.URL.Path, "status", rec.code}
		if name != "" {
			attrs = append(attrs, "connector", name)
			if changed := changedKeys(before, s.auditConfig(r.Context(), name)); len(changed) > 0 {
				attrs = append(attrs, "changed_keys", changed)
			}
		}
		s.audit.Info("audit", attrs...)
	})
}

// auditConfig is the stored config of connector name, nil when there is none.
func (s *Scheduler) auditConfig(ctx context.Context, name string) map[string]string {
	if name == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	rec, err := s.o.Store.Connector(ctx, name)
	if err != nil {
		return nil
	}
	return rec.Config
}

// changedKeys lists, sorted, the keys added, removed or given another value.
func changedKeys(before, after map[string]string) []string {
	var out []string
	for k, v := range after {
		if old, ok := before[k]; !ok || old != v {
			out = append(out, k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// bodyName reads the "name" of a POST /connectors body and puts the body back.
func bodyName(r *http.Request) string {
	if r.Body == nil {
		return ""
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	r.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return ""
	}
	var v struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(b, &v)
	return v.Name
}

// codeRecorder remembers the status code written through it.
type codeRecorder struct {
	http.ResponseWriter
	code int
}

func (c *codeRecorder) WriteHeader(code int) {
	c.code = code
	c.ResponseWriter.WriteHeader(code)
}

// newAuditLog is the audit logger: o.Audit, else the scheduler's logger.
func newAuditLog(o Options) *slog.Logger {
	if o.Audit != nil {
		return o.Audit
	}
	return o.Logger.With("logger", AuditLogger)
}
