package recordline

import "testing"

func TestCut(t *testing.T) {
	cases := []struct{ in, schema, payload string }{
		{`{"schema":{"type":"string"},"payload":"x"}`, `{"type":"string"}`, `"x"`},
		{`{"schema":{"doc":"a \"}\" ,\"payload\":","fields":[{"a":[1]}]},"payload":{"b":"}"}}`,
			`{"doc":"a \"}\" ,\"payload\":","fields":[{"a":[1]}]}`, `{"b":"}"}`},
		{`{"schema":null,"payload":1}`, "", ""}, // not an object: the caller decodes it
		{`{"payload":1,"schema":{}}`, "", ""},
		{`{"schema":{"type":"string"}}`, "", ""},
	}
	for _, c := range cases {
		s, p := cut([]byte(c.in))
		if string(s) != c.schema || string(p) != c.payload {
			t.Errorf("cut(%s) = %s, %s; want %s, %s", c.in, s, p, c.schema, c.payload)
		}
	}
}

func TestRequiredAgain(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"type":"string","optional":true}`, `{"type":"string","optional":false}`},
		{`{"doc":"\"optional\":true","fields":[{"optional":true}],"optional":true}`,
			`{"doc":"\"optional\":true","fields":[{"optional":true}],"optional":false}`},
	}
	for _, c := range cases {
		if got := string(requiredAgain([]byte(c.in))); got != c.want {
			t.Errorf("requiredAgain(%s) = %s", c.in, got)
		}
	}
}
