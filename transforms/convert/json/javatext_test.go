package json

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

// javaTextCases are schemaless values with what FileStreamSink prints for
// them: every JSON kind, escapes, repeated keys, numbers Java prints its own
// way, and malformed data.
var javaTextCases = []struct{ in, want string }{
	{``, "null"},
	{"  \n", "null"},
	{`null`, "null"},
	{`true`, "true"},
	{` false `, "false"},
	{`"s"`, "s"},
	{`"a\"b\\c\u00e9\ud83d\ude00\n"`, "a\"b\\c\u00e9\U0001F600\n"},
	{`"\ud800x"`, "\ufffdx"},
	{`12`, "12"},
	{`-0`, "0"},
	{`12345678901234567890123`, "4807115922877859019"},
	{`1.0`, "1.0"},
	{`1e7`, "1.0E7"},
	{`-2.5E-4`, "-2.5E-4"},
	{`0.001`, "0.001"},
	{`1e400`, "Infinity"},
	{`[]`, "[]"},
	{`[1, "a", null, [true], {}]`, "[1, a, null, [true], {}]"},
	{`{}`, "{}"},
	{`{"b":2,"a":"x"}`, "{a=x, b=2}"},
	{`{"ordertime":1497014222380,"orderid":18,"itemid":"Item_184","orderunits":6.5,"address":{"city":"City_","state":"State_","zipcode":50}}`,
		"{address={city=City_, state=State_, zipcode=50}, itemid=Item_184, orderid=18, ordertime=1497014222380, orderunits=6.5}"},
	{`{"a":1,"b":2,"a":3}`, "{a=3, b=2}"},
	{`{"a":1,"a":{"z":1,"y":2},"a":[]}`, "{a=[]}"},
	{`{"k\u0041":1,"kA":2,"kB":0}`, "{kA=2, kB=0}"},
	{`{"":"","é":1,"Z":2,"a":3}`, "{=, Z=2, a=3, é=1}"},
	{`{"a":1} trailing`, "{a=1}"},
	{`{"m":{"z":1.5,"y":null},"a":[]}`, "{a=[], m={y=null, z=1.5}}"},
	{`{"a":1,}`, "error"},
	{`{"a" 1}`, "error"},
	{`[1,]`, "error"},
	{`{"a":tru}`, "error"},
	{`"\x"`, "error"},
	{`"abc`, "error"},
	{`{"a":-}`, "error"},
	{`{"a":1.}`, "error"},
	{`[[[[`, "error"},
	{`@`, "error"},
	{strings.Repeat("[", 1001) + strings.Repeat("]", 1001), "error"},
}

// TestJavaTextMatchesPrintedValue: AppendJavaText prints what
// connectors.AppendJava prints for the value ToConnect returns, and fails
// with ToConnect's error, byte for byte.
func TestJavaTextMatchesPrintedValue(t *testing.T) {
	c := mustNew(t, noSchemas)
	for _, tc := range javaTextCases {
		got, want := javaTextBoth(t, c, []byte(tc.in))
		if got != want {
			t.Errorf("%q: AppendJavaText gives %q, printing the converted value %q", tc.in, got, want)
		}
		if tc.want == "error" && !strings.HasPrefix(want, "error: ") || tc.want != "error" && want != "p"+tc.want {
			t.Errorf("%q: printed %q, want %q", tc.in, want, tc.want)
		}
	}
	if got, want := javaTextBoth(t, c, nil); got != want || want != "pnull" {
		t.Errorf("nil data (a tombstone): AppendJavaText gives %q, printing the converted value %q", got, want)
	}
}

// TestJavaTextNeedsSchemaless: with schemas.enable=true the converter does
// not print (the runtime converts instead), and says so.
func TestJavaTextNeedsSchemaless(t *testing.T) {
	c := mustNew(t, nil)
	if c.Schemaless() {
		t.Fatal("schemas.enable=true converter says it is schemaless")
	}
	if _, err := c.AppendJavaText(nil, []byte(`{"a":1}`)); err == nil {
		t.Fatal("AppendJavaText with schemas.enable=true did not fail")
	}
	if !mustNew(t, noSchemas).Schemaless() {
		t.Fatal("schemas.enable=false converter says it is not schemaless")
	}
}

// javaTextBoth returns what AppendJavaText appends to "p" for data, and what
// connectors.AppendJava appends for ToConnect's value; each "error: ..." on failure.
func javaTextBoth(t testing.TB, c *Converter, data []byte) (got, want string) {
	t.Helper()
	out, err := c.AppendJavaText([]byte("p"), data)
	got = string(out)
	if err != nil {
		got = "error: " + err.Error()
	}
	_, v, err := c.ToConnect(context.Background(), "t", data)
	want = string(connectors.AppendJava([]byte("p"), v))
	if err != nil {
		want = "error: " + err.Error()
	}
	return got, want
}

// FuzzJavaText: for any bytes, AppendJavaText and printing ToConnect's
// value agree, output and error.
func FuzzJavaText(f *testing.F) {
	for _, tc := range javaTextCases {
		f.Add([]byte(tc.in))
	}
	c := mustNew(f, noSchemas)
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := javaTextBoth(t, c, data); got != want {
			t.Fatalf("%q: AppendJavaText gives %q, printing the converted value %q", data, got, want)
		}
	})
}

func ExampleConverter_AppendJavaText() {
	c, _ := New(map[string]string{"schemas.enable": "false"}, false)
	out, err := c.AppendJavaText(nil, []byte(`{"b":[1,2.5],"a":{"y":null,"x":"s"}}`))
	fmt.Println(string(out), err)
	// Output: {a={x=s, y=null}, b=[1, 2.5]} <nil>
}
