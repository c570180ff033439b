package json

import (
	"context"
	"testing"
)

// FuzzJSONToConnect checks that decoding never panics, with and without schemas,
// and that whatever decodes can be encoded again.
func FuzzJSONToConnect(f *testing.F) {
	for _, s := range []string{
		`{"schema":{"type":"boolean","optional":false},"payload":true}`,
		`{"schema":{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":[[1,12],[2,15]]}`,
		`{"schema":{"type":"struct","fields":[{"type":"boolean","optional":false,"field":"field1"},{"type":"string","optional":false,"field":"field2"}],"optional":false},"payload":{"field1":true,"field2":"string2"}}`,
		`{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":"AJw="}`,
		`{"schema":{"type":"array","items":{"type":"double"}},"payload":[1.5,"NaN",-0.0]}`,
		`{"schema":{"type":"int32","default":3},"payload":null}`,
		`["my-conn",{"filename":"/tmp/a.txt"}]`,
		`{"a":"\ud83d\ude00","b":[[[]]]}`,
		`[[[[[[[[[[`,
	} {
		f.Add([]byte(s))
	}
	with := mustNew(f, nil)
	without := mustNew(f, noSchemas)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range []*Converter{with, without} {
			s, v, err := c.ToConnect(context.Background(), "t", data)
			if err != nil {
				continue
			}
			if s != nil || v != nil {
				_, _ = c.FromConnect(context.Background(), "t", s, v)
			}
		}
	})
}
