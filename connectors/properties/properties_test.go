package properties

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		want     []Entry
		wantErr  string
	}{
		{name: "separators", in: "a=1\nb:2\nc 3\nd = 4\ne\t:\t5\nf\n",
			want: []Entry{{"a", "1", 1}, {"b", "2", 2}, {"c", "3", 3}, {"d", "4", 4}, {"e", "5", 5}, {"f", "", 6}}},
		{name: "comments and blank lines", in: "# c\n  ! c2\n\n   \nkey=value\n",
			want: []Entry{{"key", "value", 5}}},
		{name: "value keeps later separators and trailing space", in: "url=http://h:8081/x=y  \n",
			want: []Entry{{"url", "http://h:8081/x=y  ", 1}}},
		{name: "continuation lines", in: "list=a,\\\n    b,\\\n  c\nnext=1\n",
			want: []Entry{{"list", "a,b,c", 1}, {"next", "1", 4}}},
		{name: "even backslashes do not continue", in: "path=c:\\\\\nx=1\n",
			want: []Entry{{"path", `c:\`, 1}, {"x", "1", 2}}},
		{name: "comment line does not continue", in: "# a \\\nx=1\n", want: []Entry{{"x", "1", 2}}},
		{name: "escaped separators in key", in: "a\\=b\\:c\\ d=v\n", want: []Entry{{"a=b:c d", "v", 1}}},
		{name: "escapes", in: "k=tab\\there\\nnl\\u00e9\\q\n", want: []Entry{{"k", "tab\there\nnlé" + "q", 1}}},
		{name: "crlf and cr line ends", in: "a=1\r\nb=2\rc=3", want: []Entry{{"a", "1", 1}, {"b", "2", 2}, {"c", "3", 3}}},
		{name: "jaas value", in: "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \\\n  username=\"u\" password=\"p\";\n",
			want: []Entry{{"sasl.jaas.config", `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";`, 1}}},
		{name: "later key wins in map, both kept", in: "a=1\na=2\n", want: []Entry{{"a", "1", 1}, {"a", "2", 2}}},
		{name: "bad unicode escape names the line", in: "ok=1\nbad=\\u12x4\n", wantErr: "x.properties line 2: key bad: malformed"},
		{name: "trailing backslash at end of file", in: "a=1\\", want: []Entry{{"a", "1", 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(strings.NewReader(tt.in), "x.properties")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.Entries, tt.want) {
				t.Errorf("entries = %+v, want %+v", f.Entries, tt.want)
			}
		})
	}
}

func TestMapAndLine(t *testing.T) {
	f, err := Parse(strings.NewReader("a=1\n# x\nb=2\na=3\n"), "w.properties")
	if err != nil {
		t.Fatal(err)
	}
	if m := f.Map(); m["a"] != "3" || m["b"] != "2" || len(m) != 2 {
		t.Errorf("map = %v", m)
	}
	if f.Line("a") != 4 || f.Line("b") != 3 || f.Line("zz") != 0 {
		t.Errorf("lines a=%d b=%d zz=%d", f.Line("a"), f.Line("b"), f.Line("zz"))
	}
}

func TestParseBounded(t *testing.T) {
	_, err := Parse(strings.NewReader(strings.Repeat("a", MaxSize+1)), "big.properties")
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v, want a size error", err)
	}
}
