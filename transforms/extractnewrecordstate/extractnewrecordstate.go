// Package extractnewrecordstate is Debezium's ExtractNewRecordState
// (io.debezium.transforms.ExtractNewRecordState): it turns a Debezium change
// event envelope (before, after, source, op, ts_ms, transaction) into the
// plain row state, handling deletes and tombstones as configured and copying
// envelope fields into the value or the headers.
package extractnewrecordstate

import (
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/operand"
)

// Config is ExtractNewRecordState's configuration, key names as Debezium's.
type Config struct {
	DropTombstones    connectors.Optional[bool]   `config:"drop.tombstones" default:"true" importance:"low" doc:"Deprecated: use delete.tombstone.handling.mode. Whether tombstones (null-value records) are dropped; used only when delete.tombstone.handling.mode is not set."`
	DeleteHandling    connectors.Optional[string] `config:"delete.handling.mode" default:"drop" enum:"drop,rewrite,none" importance:"medium" doc:"Deprecated: use delete.tombstone.handling.mode. How delete events are handled: drop (remove them), none (keep them as tombstones), rewrite (emit the before state with __deleted=true); used only when delete.tombstone.handling.mode is not set."`
	TombstoneHandling connectors.Optional[string] `config:"delete.tombstone.handling.mode" enum:"drop,tombstone,rewrite,rewrite-with-tombstone,delete-to-tombstone" importance:"medium" doc:"How delete events and tombstones are handled (Debezium 3.x; default tombstone when no deprecated key is set): drop (remove both), tombstone (a delete becomes a null value with the row schema; tombstones removed), rewrite (the before state with __deleted=true, other events get __deleted=false; tombstones removed), rewrite-with-tombstone (rewrite and keep tombstones), delete-to-tombstone (a delete becomes a null value without schema; tombstones removed)."`
	RouteByField      string                      `config:"route.by.field" default:"" importance:"low" doc:"The column whose value becomes the record's topic (taken from before for deletes)."`
	AddFieldsPrefix   string                      `config:"add.fields.prefix" default:"__" importance:"low" doc:"Prefix of the fields added by add.fields."`
	AddFields         []string                    `config:"add.fields" default:"" importance:"low" doc:"Envelope fields added to the value: op, ts_ms, table, source.ts_ms, ...; name:newName renames."`
	AddHeadersPrefix  string                      `config:"add.headers.prefix" default:"__" importance:"low" doc:"Prefix of the headers added by add.headers."`
	AddHeaders        []string                    `config:"add.headers" default:"" importance:"low" doc:"Envelope fields added as headers, named as add.fields names them."`
	DropFieldsHeader  string                      `config:"drop.fields.header.name" default:"" importance:"low" doc:"Not supported by ferry: setting it is a configuration error."`
	ReplaceNull       bool                        `config:"replace.null.with.default" default:"true" importance:"low" doc:"Whether null field values are replaced by their schema defaults when extracting."`
}

// mode is what happens to delete events and tombstones.
type mode struct {
	dropTombstones bool
	deletes        string // drop, none (tombstone with the after schema), rewrite, tombstone (null schema)
}

// Transform is one configured ExtractNewRecordState.
type Transform struct {
	mode            mode
	route           string
	fields, headers []ref
	replaceNull     bool
	cache           operand.Cache[*connectors.Schema]
}

// New configures ExtractNewRecordState.
func New(props map[string]string) (*Transform, error) {
	var c Config
	if err := connectors.Declare(&c).Parse(props, &c); err != nil {
		return nil, err
	}
	if c.DropFieldsHeader != "" {
		return nil, &connectors.ConfigError{Key: "drop.fields.header.name", Value: c.DropFieldsHeader,
			Reason: "ferry does not support drop.fields.*: remove the key"}
	}
	t := &Transform{route: c.RouteByField, replaceNull: c.ReplaceNull}
	switch {
	case !c.TombstoneHandling.Set && (c.DropTombstones.Set || c.DeleteHandling.Set):
		// Debezium 2.x: the deprecated keys, honoured only when the new one is absent.
		t.mode = mode{c.DropTombstones.Value, strings.ToLower(c.DeleteHandling.Value)}
	default:
		handling := c.TombstoneHandling.Value
		if handling == "" {
			handling = "tombstone"
		}
		t.mode = map[string]mode{"drop": {true, "drop"}, "tombstone": {true, "none"}, "rewrite": {true, "rewrite"},
			"rewrite-with-tombstone": {false, "rewrite"}, "delete-to-tombstone": {true, "tombstone"}}[strings.ToLower(handling)]
	}
	var err error
	if t.fields, err = parseRefs(c.AddFields, c.AddFieldsPrefix, "add.fields"); err != nil {
		return nil, err
	}
	if t.headers, err = parseRefs(c.AddHeaders, c.AddHeadersPrefix, "add.headers"); err != nil {
		return nil, err
	}
	return t, nil
}

// Apply extracts the row state of a change event; other records pass unchanged.
func (t *Transform) Apply(r *connectors.Record) (*connectors.Record, error) {
	if r.Value == nil {
		if t.mode.dropTombstones {
			return nil, nil
		}
		return r, nil
	}
	env, ok := r.Value.(*connectors.Struct)
	if !ok || r.ValueSchema == nil || !strings.HasSuffix(r.ValueSchema.Name, ".Envelope") {
		return r, nil
	}
	op, _ := field(env, "op", false).(string)
	if op == "t" {
		return nil, nil
	}
	after := field(env, "after", t.replaceNull)
	var out *connectors.Record
	var err error
	if after == nil {
		out, err = t.deleted(r, env)
	} else {
		out, err = t.extract(r, env, "after", "false")
	}
	if out == nil || err != nil {
		return nil, err
	}
	for _, h := range t.headers {
		s, v, err := h.read(env)
		if err != nil {
			return nil, err
		}
		out.Headers = append(out.Headers, connectors.Header{Key: h.name, Schema: s, Value: v})
	}
	if t.route != "" {
		t.setTopic(out, env, after == nil)
	}
	return out, nil
}

func (t *Transform) deleted(r *connectors.Record, env *connectors.Struct) (*connectors.Record, error) {
	switch t.mode.deletes {
	case "drop":
		return nil, nil
	case "tombstone":
		return operand.Value.With(r, nil, nil), nil
	case "rewrite":
		return t.extract(r, env, "before", "true")
	}
	f := env.Schema().Field("after")
	if f == nil {
		return nil, operand.IllegalArgument("Unknown field: after")
	}
	return operand.Value.With(r, f.Schema, nil), nil
}

func (t *Transform) setTopic(out *connectors.Record, env *connectors.Struct, deleted bool) {
	src := "after"
	if deleted {
		src = "before"
	}
	st, ok := field(env, src, true).(*connectors.Struct)
	if !ok {
		return
	}
	if f := st.Schema().Field(t.route); f != nil {
		if topic, ok := st.At(f.Index).(string); ok {
			out.Topic = topic
		}
	}
}

// field reads a top-level envelope field, nil when the envelope has none.
func field(st *connectors.Struct, name string, withDefault bool) any {
	f := st.Schema().Field(name)
	if f == nil {
		return nil
	}
	return operand.FieldValue(st, f.Index, withDefault)
}
