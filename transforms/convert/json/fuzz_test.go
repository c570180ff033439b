package json

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/ferryhq/ferry/connectors"
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

// FuzzUsualEnvelope checks that the one-pass reading of the usual envelope
// (readUsual) accepts only what the general reading accepts, with the same
// schema and value, whether the schema was seen before or not.
func FuzzUsualEnvelope(f *testing.F) {
	for _, s := range []string{
		`{"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"},{"type":"string","optional":true,"field":"n"}],"optional":false},"payload":{"id":1,"n":"a\"b","x":[1,{"y":null}]}}`,
		`{"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"}],"optional":false},"payload":{"id":1},"payload":{"id":2}}`,
		`{"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"}],"optional":false},"payload":{"id":1},"extra":0}`,
		`{"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"}],"optional":false},"payload":{"id":1}} trailing`,
		`{"schema":{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":[[1,12],[2,15]]}`,
		`{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":"AJw="}`,
		`{"schema":{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1},"payload":1700000000000}`,
		`{"schema":{"type":"array","items":{"type":"double"}},"payload":[1.5,"NaN",-0.0]}`,
		`{"schema":{"type":"int32","default":3},"payload":null}`,
		`{"schema":null,"payload":{"a":1}}`,
		`{ "schema" : {"type":"string"} , "payload" : "x" }`,
	} {
		f.Add([]byte(s))
	}
	conv := mustNew(f, nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		for range 2 { // the second time the schema may be the one seen last
			s, v, ok := conv.readUsual(data)
			if !ok {
				continue
			}
			gs, gv, err := conv.readGeneral(data)
			if err != nil {
				t.Fatalf("%q: read in one pass, but the general reading fails: %v", data, err)
			}
			// Compared as written back: NaN is not equal to itself.
			b, berr := conv.FromConnect(context.Background(), "t", s, v)
			gb, gerr := conv.FromConnect(context.Background(), "t", gs, gv)
			if !connectors.Equal(s, gs) || !bytes.Equal(b, gb) || fmt.Sprint(berr) != fmt.Sprint(gerr) {
				t.Fatalf("%q: one pass read %s (%v), the general reading %s (%v)", data, b, berr, gb, gerr)
			}
		}
	})
}
