package json

import (
	"context"
	"testing"
)

// FuzzSchema feeds arbitrary schema JSON to the schema parser
// (JsonConverter.asConnectSchema): it never panics, and a schema it accepts
// can carry a null payload through a full envelope read.
func FuzzSchema(f *testing.F) {
	for _, s := range []string{
		`{"type":"int32","optional":true}`,
		`{"type":"struct","fields":[{"type":"string","optional":false,"field":"a"},{"type":"array","items":{"type":"int8"},"field":"b"}],"optional":false,"name":"n","version":2,"doc":"d"}`,
		`{"type":"map","keys":{"type":"string"},"values":{"type":"struct","fields":[]}}`,
		`{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"-3","connect.decimal.precision":"5"}}`,
		`{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp","default":1700000000000,"optional":true}`,
		`{"type":"struct","fields":[{"type":"struct","fields":[{"type":"struct","fields":[]}],"field":"x"}]}`,
		`{"type":"nope"}`, `{"type":"int32","default":"x"}`, `null`, `[`, `{"type":"array"}`,
	} {
		f.Add([]byte(s))
	}
	c := mustNew(f, nil)
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := c.Schema(raw)
		if err != nil || s == nil || !s.Optional {
			return
		}
		env := append(append([]byte(`{"schema":`), raw...), []byte(`,"payload":null}`)...)
		_, _, _ = c.ToConnect(context.Background(), "t", env)
	})
}
