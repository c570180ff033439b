package scheduler

import (
	"net/http"
	"strings"
)

// workerStatus is Kafka Connect's WorkerStatus.
type workerStatus struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// listLoggers answers GET /admin/loggers: every known logger and its level.
func (s *Scheduler) listLoggers(w http.ResponseWriter, r *http.Request) (int, any, error) {
	return http.StatusOK, s.o.Loggers.All(), nil
}

func (s *Scheduler) getLogger(w http.ResponseWriter, r *http.Request) (int, any, error) {
	name := r.PathValue("logger")
	l, ok := s.o.Loggers.Get(name)
	if !ok {
		return 0, nil, notFound("Logger %s not found.", name)
	}
	return http.StatusOK, l, nil
}

// setLogger answers PUT /admin/loggers/{logger}: worker scope (the default,
// and any unknown scope) lists the affected loggers; cluster scope answers
// 204. A bad level is a 404, as in Kafka Connect.
func (s *Scheduler) setLogger(w http.ResponseWriter, r *http.Request) (int, any, error) {
	name := r.PathValue("logger")
	var body map[string]any
	if err := decodeBody(w, r, &body); err != nil {
		return 0, nil, err
	}
	raw, ok := body["level"]
	if !ok || raw == nil {
		return 0, nil, badRequest("Desired 'level' parameter was not specified in request.")
	}
	text, _ := raw.(string)
	lvl, ok := ParseLevel(text)
	if !ok {
		return 0, nil, notFound("invalid log level '%v'.", raw)
	}
	affected := s.o.Loggers.Set(name, lvl, s.o.Now())
	s.log.Info("logger level changed", "logger", name, "level", strings.ToUpper(text), "affected", len(affected))
	if strings.EqualFold(r.URL.Query().Get("scope"), "cluster") {
		return http.StatusNoContent, nil, nil
	}
	return http.StatusOK, affected, nil
}
