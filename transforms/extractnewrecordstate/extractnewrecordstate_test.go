package extractnewrecordstate

import (
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

// The envelope of Debezium's documentation example (customers table of the
// PostgreSQL tutorial): before, after, source{ts_ms, db, table}, op, ts_ms.
var (
	rowSchema = connectors.StructBuilder().Name("dbserver1.inventory.customers.Value").Optional().
			Field("id", connectors.Int32Schema).Field("email", connectors.StringSchema).MustBuild()
	sourceSchema = connectors.StructBuilder().Name("io.debezium.connector.postgresql.Source").
			Field("ts_ms", connectors.Int64Schema).Field("db", connectors.StringSchema).
			Field("table", connectors.StringSchema).MustBuild()
	envSchema = connectors.StructBuilder().Name("dbserver1.inventory.customers.Envelope").
			Field("before", rowSchema).Field("after", rowSchema).Field("source", sourceSchema).
			Field("op", connectors.StringSchema).Field("ts_ms", connectors.OptionalInt64Schema).MustBuild()
)

func event(op string, before, after *connectors.Struct) *connectors.Record {
	src := connectors.NewStruct(sourceSchema).MustPut("ts_ms", int64(1559033904863)).MustPut("db", "postgres").MustPut("table", "customers")
	env := connectors.NewStruct(envSchema).MustPut("op", op).MustPut("ts_ms", int64(1559033904961)).MustPut("source", src)
	if before != nil {
		env.MustPut("before", before)
	}
	if after != nil {
		env.MustPut("after", after)
	}
	return &connectors.Record{Topic: "dbserver1.inventory.customers", ValueSchema: envSchema, Value: env}
}

func row(id int32, email string) *connectors.Struct {
	return connectors.NewStruct(rowSchema).MustPut("id", id).MustPut("email", email)
}

func TestExtractNewRecordState(t *testing.T) {
	update := event("u", row(1004, "old@x"), row(1004, "annek@noanswer.org"))
	del := event("d", row(1004, "annek@noanswer.org"), nil)
	tomb := &connectors.Record{Topic: "dbserver1.inventory.customers"}
	tests := []struct {
		name  string
		props map[string]string
		in    *connectors.Record
		check func(t *testing.T, out *connectors.Record)
	}{
		{"update gives after", nil, update, func(t *testing.T, out *connectors.Record) {
			if v, _ := out.Value.(*connectors.Struct).Get("email"); v != "annek@noanswer.org" || out.ValueSchema.Name != rowSchema.Name || out.ValueSchema.Optional {
				t.Errorf("got %v", out.Value)
			}
		}},
		{"delete becomes a null value by default", nil, del, func(t *testing.T, out *connectors.Record) {
			if out == nil || out.Value != nil || out.ValueSchema != rowSchema {
				t.Errorf("want a null value with the row schema, got %+v", out)
			}
		}},
		{"tombstone dropped by default", nil, tomb, wantNil},
		{"2.x delete dropped", map[string]string{"delete.handling.mode": "drop"}, del, wantNil},
		{"2.x tombstone kept", map[string]string{"drop.tombstones": "false"}, tomb, wantSame(tomb)},
		{"delete none", map[string]string{"delete.handling.mode": "none"}, del, func(t *testing.T, out *connectors.Record) {
			if out == nil || out.Value != nil || out.ValueSchema != rowSchema {
				t.Errorf("want a null value with the row schema, got %+v", out)
			}
		}},
		{"delete rewrite", map[string]string{"delete.handling.mode": "rewrite", "add.fields": "op,table,source.ts_ms"}, del,
			func(t *testing.T, out *connectors.Record) {
				st := out.Value.(*connectors.Struct)
				for k, want := range map[string]any{"id": int32(1004), "__deleted": "true", "__op": "d", "__table": "customers", "__source_ts_ms": int64(1559033904863)} {
					if got, _ := st.Get(k); got != want {
						t.Errorf("%s = %v, want %v", k, got, want)
					}
				}
			}},
		{"update rewrite", map[string]string{"delete.tombstone.handling.mode": "rewrite"}, update, func(t *testing.T, out *connectors.Record) {
			if got, _ := out.Value.(*connectors.Struct).Get("__deleted"); got != "false" {
				t.Errorf("__deleted = %v", got)
			}
		}},
		{"delete-to-tombstone", map[string]string{"delete.tombstone.handling.mode": "delete-to-tombstone"}, del, func(t *testing.T, out *connectors.Record) {
			if out == nil || out.Value != nil || out.ValueSchema != nil {
				t.Errorf("want tombstone, got %+v", out)
			}
		}},
		{"delete-to-tombstone drops tombstones", map[string]string{"delete.tombstone.handling.mode": "delete-to-tombstone"}, tomb, wantNil},
		{"tombstone mode drops tombstones", map[string]string{"delete.tombstone.handling.mode": "tombstone"}, tomb, wantNil},
		{"rewrite-with-tombstone keeps tombstones", map[string]string{"delete.tombstone.handling.mode": "rewrite-with-tombstone"}, tomb, wantSame(tomb)},
		{"headers and routing", map[string]string{"add.headers": "op,source.db:database", "route.by.field": "email"}, update,
			func(t *testing.T, out *connectors.Record) {
				if len(out.Headers) != 2 || out.Headers[0].Key != "__op" || out.Headers[0].Value != "u" ||
					out.Headers[1].Key != "__database" || out.Headers[1].Value != "postgres" || !out.Headers[1].Schema.Optional {
					t.Errorf("headers %+v", out.Headers)
				}
				if out.Topic != "annek@noanswer.org" {
					t.Errorf("topic %q", out.Topic)
				}
			}},
		{"truncate dropped", nil, event("t", nil, nil), wantNil},
		{"not an envelope", nil, &connectors.Record{ValueSchema: rowSchema, Value: row(1, "x")}, func(t *testing.T, out *connectors.Record) {
			if out == nil || out.ValueSchema != rowSchema {
				t.Errorf("non-envelope changed: %+v", out)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := New(tt.props)
			if err != nil {
				t.Fatal(err)
			}
			out, err := tr.Apply(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, out)
		})
	}
}

func wantNil(t *testing.T, out *connectors.Record) {
	if out != nil {
		t.Errorf("want dropped, got %+v", out)
	}
}

func wantSame(in *connectors.Record) func(*testing.T, *connectors.Record) {
	return func(t *testing.T, out *connectors.Record) {
		if out != in {
			t.Errorf("want the record unchanged, got %+v", out)
		}
	}
}
