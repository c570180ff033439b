package schemaregistry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/ferryhq/ferry/connectors"
)

// ErrNotRegistered is returned when auto.register.schemas is false and the
// schema is not registered under its subject: register it (or turn
// auto.register.schemas on).
var ErrNotRegistered = errors.New("schema is not registered")

// ErrRegistry wraps every error the registry answered (a rejected or
// incompatible schema, an unknown id): fix the schema or the registry.
var ErrRegistry = errors.New("schema registry error")

// Registry is a caching client for one converter: schema → id on write,
// id → schema on read. It is safe for concurrent use.
type Registry struct {
	cl       *sr.Client
	cfg      Config
	typ      sr.SchemaType
	key, val Strategy

	mu       sync.RWMutex
	ids      map[subjectText]int
	byID     map[int]sr.Schema
	versions map[subjectText]int
}

type subjectText struct{ subject, text string }

// New returns a registry client for schemas of type typ configured by cfg
// (already validated by Parse).
func New(cfg Config, typ sr.SchemaType) (*Registry, error) {
	user, pass, urls, err := cfg.credentials()
	if err != nil {
		return nil, err
	}
	opts := []sr.ClientOpt{sr.URLs(urls...), sr.HTTPClient(&http.Client{Timeout: 30 * time.Second}), sr.UserAgent("ferry")}
	if user != "" || pass != "" {
		opts = append(opts, sr.BasicAuth(user, pass))
	}
	if strings.EqualFold(cfg.BearerAuthSource, "STATIC_TOKEN") {
		opts = append(opts, sr.BearerToken(cfg.BearerAuthToken))
	}
	t, err := cfg.tls()
	if err != nil {
		return nil, tlsError(err)
	}
	if t != nil {
		opts = append(opts, sr.DialTLSConfig(t))
	}
	cl, err := sr.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("schema.registry.url: %w", err)
	}
	r := &Registry{cl: cl, cfg: cfg, typ: typ,
		ids: map[subjectText]int{}, byID: map[int]sr.Schema{}, versions: map[subjectText]int{}}
	r.key, _ = ParseStrategy(cfg.KeyStrategy)
	r.val, _ = ParseStrategy(cfg.ValueStrategy)
	return r, nil
}

// call is the context of one registry request: the caller's (its deadline is
// the invocation's or the request's), with normalize=true when
// normalize.schemas is set. The HTTP client's 30 s timeout only bounds a
// caller with no deadline.
func (r *Registry) call(ctx context.Context) context.Context {
	if r.cfg.NormalizeSchemas {
		return sr.WithParams(ctx, sr.Normalize)
	}
	return ctx
}

// Subject returns the subject of a key or value schema of topic.
func (r *Registry) Subject(topic string, isKey bool, recordName string) (string, error) {
	if isKey {
		return r.key.Subject(topic, true, recordName)
	}
	return r.val.Subject(topic, false, recordName)
}

// ID returns the id to write for schema text under subject, as the Confluent
// serializer chooses it: use.schema.id, else the latest version
// (use.latest.version), else registration (auto.register.schemas), else a lookup.
func (r *Registry) ID(ctx context.Context, subject, text string, refs []sr.SchemaReference) (int, error) {
	if r.cfg.UseSchemaID >= 0 {
		return r.cfg.UseSchemaID, nil
	}
	k := subjectText{subject, text}
	r.mu.RLock()
	id, ok := r.ids[k]
	r.mu.RUnlock()
	if ok {
		return id, nil
	}
	schema := sr.Schema{Schema: text, Type: r.typ, References: refs}
	var err error
	switch {
	case r.cfg.UseLatestVersion:
		var ss sr.SubjectSchema
		ss, err = r.cl.SchemaByVersion(r.call(ctx), subject, -1)
		id, schema = ss.ID, ss.Schema // the id names the latest schema, not ours
		err = classify("fetching the latest version of subject "+subject, err)
	case r.cfg.AutoRegister:
		id, err = r.cl.RegisterSchema(r.call(ctx), subject, schema, -1, -1)
		err = classify("registering a schema under subject "+subject, err)
	default:
		var ss sr.SubjectSchema
		ss, err = r.cl.LookupSchema(r.call(ctx), subject, schema)
		id = ss.ID
		err = lookupError(subject, err)
	}
	if err != nil {
		return 0, err
	}
	r.mu.Lock()
	r.ids[k] = id
	r.byID[id] = schema
	r.mu.Unlock()
	return id, nil
}

// SchemaByID returns the schema registered with id.
func (r *Registry) SchemaByID(ctx context.Context, id int) (sr.Schema, error) {
	r.mu.RLock()
	s, ok := r.byID[id]
	r.mu.RUnlock()
	if ok {
		return s, nil
	}
	s, err := r.cl.SchemaByID(r.call(ctx), id)
	if err != nil {
		return sr.Schema{}, classify(fmt.Sprintf("fetching schema id %d", id), err)
	}
	r.mu.Lock()
	r.byID[id] = s
	r.mu.Unlock()
	return s, nil
}

// Version returns the version of schema under subject, or 0 when the registry
// does not know it there (the reader then leaves the Connect version unset).
func (r *Registry) Version(ctx context.Context, subject string, s sr.Schema) int {
	k := subjectText{subject, s.Schema}
	r.mu.RLock()
	v, ok := r.versions[k]
	r.mu.RUnlock()
	if ok {
		return v
	}
	ss, err := r.cl.LookupSchema(r.call(ctx), subject, s)
	var re *sr.ResponseError
	if err != nil && !(errors.As(err, &re) && re.StatusCode == http.StatusNotFound) {
		return 0 // unreachable registry: do not cache, try again next time
	}
	r.mu.Lock()
	r.versions[k] = ss.Version
	r.mu.Unlock()
	return ss.Version
}

// classify wraps a registry error as retriable (no answer, 5xx: a
// *connectors.RetriableError) or ErrRegistry.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	var re *sr.ResponseError
	if errors.As(err, &re) && re.StatusCode < 500 {
		return fmt.Errorf("%w while %s: %s (HTTP %d, error code %d)", ErrRegistry, op, re.Message, re.StatusCode, re.ErrorCode)
	}
	return connectors.Retriable(fmt.Errorf("schema registry unavailable during %s (retry later): %w", op, err))
}

func lookupError(subject string, err error) error {
	var re *sr.ResponseError
	if errors.As(err, &re) && re.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%w under subject %q and auto.register.schemas is false: register the schema under that subject first (registry said: %s)",
			ErrNotRegistered, subject, re.Message)
	}
	return classify("looking up the schema under subject "+subject, err)
}
