package schemaregistry

import (
	"context"
	"fmt"

	"github.com/ferryhq/ferry/connectors"
	"github.com/twmb/franz-go/pkg/sr"
)

// Wrap prefixes err with a converter's message. A registry that cannot be
// reached stays a *connectors.RetriableError; anything else becomes a data error
// (connectors.ErrData), which errors.tolerance=all may skip.
func Wrap(msg string, err error) error {
	if connectors.IsRetriable(err) {
		return fmt.Errorf("%s: %w", msg, err)
	}
	return fmt.Errorf("%w: %s: %w", connectors.ErrData, msg, err)
}

// WithVersion returns cs with the version s has under the topic's subject
// for recordName, as Confluent's converters set it on records they read; cs
// itself when the subject or version is unknown.
func (r *Registry) WithVersion(ctx context.Context, topic string, isKey bool, recordName string, s sr.Schema, cs *connectors.Schema) *connectors.Schema {
	subject, err := r.Subject(topic, isKey, recordName)
	if err != nil {
		return cs
	}
	v := r.Version(ctx, subject, s)
	if v <= 0 {
		return cs
	}
	cp := *cs
	ver := int32(v)
	cp.Version = &ver
	return &cp
}
