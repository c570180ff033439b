package httpsink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/connectjson"
)

// ErrNull is wrapped by the rejection of a null value with behavior.on.null.values=fail.
var ErrNull = errors.New("http sink: null value with behavior.on.null.values=fail")

// Plugin returns the HttpSinkConnector plugin.
func Plugin() connectors.Plugin {
	return connectors.Plugin{
		Class:        Class,
		Type:         connectors.TypeSink,
		Config:       Config{},
		NewConnector: func() connectors.Connector { return Connector{} },
		NewSink:      func() connectors.SinkTask { return &Task{} },
	}
}

// Connector splits the sink into maxTasks identical tasks.
type Connector struct{}

// TaskConfigs validates props and returns maxTasks copies of them.
func (Connector) TaskConfigs(ctx context.Context, props map[string]string, maxTasks int) ([]map[string]string, error) {
	if _, err := parse(props); err != nil {
		return nil, err
	}
	return connectors.SameTaskConfigs(props, maxTasks), nil
}

// Task sends each Put's records as requests before returning. It lives for one invocation.
type Task struct {
	cfg Config
	cl  *client
}

// Open parses the config.
func (t *Task) Open(_ context.Context, props map[string]string) error {
	cfg, err := parse(props)
	if err != nil {
		return err
	}
	t.cfg = cfg
	t.cl = newClient(&t.cfg)
	return nil
}

// batch is consecutive records sent in one request.
type batch struct {
	method, url string
	records     []*connectors.Record
	bodies      [][]byte
}

// Put sends records in batches of at most batch.max.size consecutive
// records with the same URL.
func (t *Task) Put(ctx context.Context, records []*connectors.Record) error {
	var rejected []connectors.RejectedRecord
	var cur *batch
	flush := func() error {
		if cur == nil {
			return nil
		}
		b := cur
		cur = nil
		return t.sendBatch(ctx, b, &rejected)
	}
	for _, r := range records {
		method, body, err := t.prepare(r)
		if err != nil {
			rejected = append(rejected, connectors.RejectedRecord{Record: r, Err: err})
			continue
		}
		if method == "" {
			continue // null value ignored
		}
		u := t.url(r)
		if cur != nil && (cur.url != u || cur.method != method || method == http.MethodDelete || len(cur.records) >= t.cfg.BatchMaxSize) {
			if err := flush(); err != nil {
				return err
			}
		}
		if cur == nil {
			cur = &batch{method: method, url: u}
		}
		cur.records, cur.bodies = append(cur.records, r), append(cur.bodies, body)
	}
	if err := flush(); err != nil {
		return err
	}
	if len(rejected) > 0 {
		return &connectors.RejectedError{Rejected: rejected}
	}
	return nil
}

// prepare returns the method and body of r; an empty method skips it.
func (t *Task) prepare(r *connectors.Record) (string, []byte, error) {
	if r.Value == nil {
		switch t.cfg.OnNull {
		case "delete":
			return http.MethodDelete, nil, nil
		case "fail":
			return "", nil, fmt.Errorf("%w: %s", ErrNull, r.Coordinates())
		case "log":
			slog.Info("http sink skipped a null value", "record", r.Coordinates())
		}
		return "", nil, nil
	}
	body, err := t.body(r)
	return t.cfg.Method, body, err
}

// body is one record's part of a request body.
func (t *Task) body(r *connectors.Record) ([]byte, error) {
	var text []byte
	switch v := r.Value.(type) {
	case string:
		text = []byte(v)
	case []byte:
		text = v
	default:
		b, err := connectjson.AppendValue(nil, r.ValueSchema, r.Value, connectjson.Options{ReplaceNullWithDefault: true})
		if err != nil {
			return nil, fmt.Errorf("http sink: %s: value as JSON: %w", r.Coordinates(), err)
		}
		return b, nil
	}
	if t.cfg.BodyFormat == "json" && !json.Valid(text) {
		return json.Marshal(string(text))
	}
	return text, nil
}

// url is http.api.url with ${topic} and ${key} replaced. It runs for
// every record: a URL without placeholders is returned as it is, and the
// escaped values cannot contain "${" (PathEscape escapes '{'), so two
// replacements in turn are one simultaneous replacement.
func (t *Task) url(r *connectors.Record) string {
	if !strings.Contains(t.cfg.URL, "${") {
		return t.cfg.URL
	}
	key := ""
	switch k := r.Key.(type) {
	case nil:
	case string:
		key = k
	case []byte:
		key = string(k)
	default:
		key = fmt.Sprint(k)
	}
	return strings.ReplaceAll(strings.ReplaceAll(t.cfg.URL, "${topic}", url.PathEscape(r.Topic)), "${key}", url.PathEscape(key))
}

// sendBatch sends one request; a refusal rejects (or with
// behavior.on.error=ignore|log skips) its records, a retriable failure is returned.
func (t *Task) sendBatch(ctx context.Context, b *batch, rejected *[]connectors.RejectedRecord) error {
	err := t.cl.send(ctx, b.method, b.url, t.join(b))
	var ref *refusal
	if !errors.As(err, &ref) {
		return err
	}
	switch t.cfg.OnError {
	case "log":
		slog.Warn("http sink skipped a refused batch", "url", b.url, "records", len(b.records), "error", err)
		return nil
	case "ignore":
		return nil
	}
	for _, r := range b.records {
		*rejected = append(*rejected, connectors.RejectedRecord{Record: r, Err: fmt.Errorf("%s %s for %s: %w", b.method, b.url, r.Coordinates(), err)})
	}
	return nil
}

// join builds a batch's body: a JSON array, or prefix, records joined by
// the separator, suffix.
func (t *Task) join(b *batch) []byte {
	if b.method == http.MethodDelete {
		return nil
	}
	if t.cfg.JSONAsArray {
		return append(append([]byte("["), bytes.Join(b.bodies, []byte(","))...), ']')
	}
	out := append([]byte(t.cfg.BatchPrefix), bytes.Join(b.bodies, []byte(t.cfg.BatchSeparator))...)
	return append(out, t.cfg.BatchSuffix...)
}

// Flush does nothing: Put sent every batch.
func (t *Task) Flush(context.Context) error { return nil }

// Close releases idle connections.
func (t *Task) Close() error {
	if t.cl != nil {
		t.cl.http.CloseIdleConnections()
	}
	return nil
}
