package scheduler

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/ferryhq/ferry/scheduler/console"
)

// maxBody bounds request bodies: connector configs are small, and a bound
// keeps a misbehaving client from exhausting memory.
const maxBody = 1 << 20

// handlerFunc is an API handler: it returns the status and body to send, or
// an error (an *apiError for client mistakes, anything else is a 500).
type handlerFunc func(w http.ResponseWriter, r *http.Request) (int, any, error)

// route is one REST endpoint; audited ones change something and are written
// to the audit log.
type route struct {
	pattern string
	f       handlerFunc
	audited bool
}

// apiRoutes lists every JSON endpoint (an endpoint is one line here plus one
// method); openapi.json documents each of them (TestOpenAPIMatchesRoutes).
func (s *Scheduler) apiRoutes() []route {
	return []route{
		{"GET /{$}", s.serverInfo, false},
		{"GET /connectors", s.listConnectors, false},
		{"POST /connectors", s.createConnector, true},
		{"GET /connectors/{name}", s.getConnector, false},
		{"DELETE /connectors/{name}", s.deleteConnector, true},
		{"GET /connectors/{name}/config", s.getConfig, false},
		{"PUT /connectors/{name}/config", s.putConfig, true},
		{"GET /connectors/{name}/status", s.getStatus, false},
		{"GET /connectors/{name}/tasks", s.getTasks, false},
		{"GET /connectors/{name}/tasks/{task}/status", s.getTaskStatus, false},
		{"POST /connectors/{name}/tasks/{task}/restart", s.restartTask, true},
		{"PUT /connectors/{name}/pause", s.pause, true},
		{"PUT /connectors/{name}/resume", s.resume, true},
		{"POST /connectors/{name}/restart", s.restartConnector, true},
		{"PATCH /connectors/{name}/config", s.patchConfig, true},
		{"PUT /connectors/{name}/stop", s.stop, true},
		{"GET /connectors/{name}/offsets", s.getOffsets, false},
		{"PATCH /connectors/{name}/offsets", s.alterOffsets, true},
		{"DELETE /connectors/{name}/offsets", s.resetOffsets, true},
		{"GET /connectors/{name}/topics", s.getTopics, false},
		{"PUT /connectors/{name}/topics/reset", s.resetTopics, true},
		{"GET /connector-plugins", s.listPlugins, false},
		{"GET /connector-plugins/{plugin}/config", s.pluginConfig, false},
		{"PUT /connector-plugins/{plugin}/config/validate", s.validateConfig, false},
		{"GET /health", s.health, false},
		{"GET /admin/loggers", s.listLoggers, false},
		{"GET /admin/loggers/{logger}", s.getLogger, false},
		{"PUT /admin/loggers/{logger}", s.setLogger, true},
	}
}

// routes registers every endpoint.
func (s *Scheduler) routes() *http.ServeMux {
	m := http.NewServeMux()
	for _, r := range s.apiRoutes() {
		if r.audited {
			m.Handle(r.pattern, s.audited(s.wrap(r.f)))
		} else {
			m.Handle(r.pattern, s.wrap(r.f))
		}
	}
	m.Handle("GET /metrics", s.metrics.Handler())
	m.HandleFunc("GET /openapi.json", serveOpenAPI)
	ui := console.Handler(s.consoleOverview)
	m.Handle("GET /ui", ui)
	m.Handle("GET /ui/", ui)
	return m
}

// serve routes r, turning the mux's plain-text 404 and 405 replies into
// Kafka Connect's JSON errors.
func (s *Scheduler) serve(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > maxBody {
		writeError(w, errorf(http.StatusRequestEntityTooLarge, "Request body is larger than the limit of %d bytes", maxBody))
		return
	}
	h, pattern := s.mux.Handler(r)
	if pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	rec := &statusRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	if rec.code == http.StatusMethodNotAllowed {
		w.Header()["Allow"] = rec.header["Allow"]
		writeError(w, errorf(http.StatusMethodNotAllowed, "HTTP 405 Method Not Allowed"))
		return
	}
	writeError(w, notFound("HTTP 404 Not Found"))
}

// statusRecorder captures the status and headers of the mux's fallback handlers.
type statusRecorder struct {
	header http.Header
	code   int
}

func (r *statusRecorder) Header() http.Header         { return r.header }
func (r *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *statusRecorder) WriteHeader(code int)        { r.code = code }

func (s *Scheduler) wrap(f handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, body, err := f(w, r)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) {
				s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
				ae = errorf(http.StatusInternalServerError, "%s", err.Error())
			}
			writeError(w, ae)
			return
		}
		writeJSON(w, code, body)
	})
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.Code, errorBody{Code: e.Code, Message: e.Message})
}

// errorBody is Kafka Connect's ErrorMessage.
type errorBody struct {
	Code    int    `json:"error_code"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, code int, body any) {
	if body == nil {
		w.WriteHeader(code)
		return
	}
	b, raw := body.(rawJSON)
	if !raw {
		var err error
		if b, err = json.Marshal(body); err != nil {
			code = http.StatusInternalServerError
			b, _ = json.Marshal(errorBody{Code: code, Message: err.Error()})
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}

// decodeBody reads a JSON request body into dst. Kafka Connect answers a
// malformed body with a 500; ferry deliberately answers 400 and names the
// problem, because the mistake is the client's and the message says how to fix it.
func decodeBody(w http.ResponseWriter, r *http.Request, dst any) error {
	if err := checkJSONType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(dst); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errorf(http.StatusRequestEntityTooLarge, "Request body is larger than the limit of %d bytes", tooBig.Limit)
		}
		return badRequest("Malformed JSON request body: %s", describeJSONError(err))
	}
	if dec.More() {
		return badRequest("Malformed JSON request body: unexpected data after the JSON value")
	}
	return nil
}

// checkJSONType answers 415 to a body declared as anything but JSON, as
// Kafka Connect's JAX-RS resources (@Consumes application/json) do. A body
// sent without a Content-Type is read as JSON.
func checkJSONType(contentType string) error {
	if contentType == "" {
		return nil
	}
	t, _, err := mime.ParseMediaType(contentType)
	if err == nil && (t == "application/json" || strings.HasSuffix(t, "+json")) {
		return nil
	}
	return errorf(http.StatusUnsupportedMediaType, "HTTP 415 Unsupported Media Type: send the body as JSON with Content-Type: application/json, not %q", contentType)
}

func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("%s (at byte %d)", syn.Error(), syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "the body"
		}
		return fmt.Sprintf("%s must be %s, not a JSON %s", field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case err.Error() == "EOF":
		return "the body is empty; send a JSON object"
	}
	// Errors from configMap already name the key; strip json's wrapping.
	if _, msg, ok := strings.Cut(err.Error(), "json: error calling UnmarshalJSON for type scheduler.configMap: "); ok {
		return msg
	}
	return err.Error()
}

func jsonKind(goKind string) string {
	switch goKind {
	case "map", "struct":
		return "a JSON object"
	case "string":
		return "a JSON string"
	case "slice":
		return "a JSON array"
	}
	return "a JSON " + goKind
}

// queryBool reads an optional boolean query parameter the way Kafka
// Connect (JAX-RS, Boolean.parseBoolean) does: "true" in any case is true,
// anything else, including a missing or malformed value, is false.
func queryBool(r *http.Request, name string) (bool, error) {
	return strings.EqualFold(strings.TrimSpace(r.URL.Query().Get(name)), "true"), nil
}

// taskID reads the {task} path value; a non-number is an unknown URL, as in Kafka Connect.
func taskID(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("task"))
	if err != nil || n < 0 {
		return 0, notFound("HTTP 404 Not Found")
	}
	return n, nil
}

// apiError is a REST failure carrying its HTTP status; it is rendered as
// Kafka Connect's {"error_code","message"} body.
type apiError struct {
	Code    int
	Message string
}

func (e *apiError) Error() string { return e.Message }

func errorf(code int, format string, args ...any) *apiError {
	return &apiError{Code: code, Message: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError {
	return errorf(http.StatusNotFound, format, args...)
}

func badRequest(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, format, args...)
}
