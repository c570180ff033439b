package connectors

import (
	"errors"
	"reflect"
	"testing"
)

type testConfig struct {
	Name    string   `config:"name" required:"true" importance:"high" doc:"the name"`
	Mode    string   `config:"mode" default:"fast" enum:"fast,slow"`
	Tasks   int      `config:"tasks.max" default:"1" min:"1" max:"10"`
	Big     int64    `config:"big" default:"5"`
	Small   int16    `config:"small" default:"3"`
	Ratio   float64  `config:"ratio" default:"0.5" min:"0"`
	On      bool     `config:"on" default:"false"`
	Topics  []string `config:"topics" default:""`
	Secret  string   `config:"secret" type:"PASSWORD"`
	Ignored string
}

func TestDeclare(t *testing.T) {
	d := Declare(&testConfig{})
	if d != Declare(testConfig{}) {
		t.Error("Declare not cached per type")
	}
	want := map[string]ConfigType{"name": ConfigString, "tasks.max": ConfigInt, "big": ConfigLong, "small": ConfigShort,
		"ratio": ConfigDouble, "on": ConfigBoolean, "topics": ConfigList, "secret": ConfigPassword}
	for name, typ := range want {
		k, ok := d.Key(name)
		if !ok || k.Type != typ {
			t.Errorf("key %s = %+v", name, k)
		}
	}
	if k, _ := d.Key("name"); !k.Required || k.Importance != "HIGH" || k.Doc != "the name" {
		t.Errorf("name key = %+v", k)
	}
	if k, _ := d.Key("mode"); k.Importance != "MEDIUM" || !k.HasDefault || k.Default != "fast" {
		t.Errorf("mode key = %+v", k)
	}
	if len(d.Keys) != 9 {
		t.Errorf("%d keys, want 9", len(d.Keys))
	}
}

func TestParse(t *testing.T) {
	d := Declare(&testConfig{})
	var c testConfig
	err := d.Parse(map[string]string{"name": "x", "mode": "SLOW", "tasks.max": " 4 ", "topics": "a, b,c", "on": "TRUE"}, &c)
	if err != nil {
		t.Fatal(err)
	}
	want := testConfig{Name: "x", Mode: "SLOW", Tasks: 4, Big: 5, Small: 3, Ratio: 0.5, On: true, Topics: []string{"a", "b", "c"}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Parse = %+v", c)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name  string
		props map[string]string
		want  []string
	}{
		{"missing", map[string]string{}, []string{`Missing required configuration "name" which has no default value.`}},
		{"enum", map[string]string{"name": "x", "mode": "warp"}, []string{"Invalid value warp for configuration mode: String must be one of: fast, slow"}},
		{"min", map[string]string{"name": "x", "tasks.max": "0"}, []string{"Invalid value 0 for configuration tasks.max: Value must be at least 1"}},
		{"max", map[string]string{"name": "x", "tasks.max": "11"}, []string{"Invalid value 11 for configuration tasks.max: Value must be no more than 10"}},
		{"not int", map[string]string{"name": "x", "tasks.max": "two"}, []string{"Invalid value two for configuration tasks.max: Not a number of type INT"}},
		{"bool", map[string]string{"name": "x", "on": "yes"}, []string{"Invalid value yes for configuration on: Expected value to be either true or false"}},
		{"double", map[string]string{"name": "x", "ratio": "x"}, []string{"Invalid value x for configuration ratio: Not a number of type DOUBLE"}},
		{"two", map[string]string{"tasks.max": "0"}, []string{`Missing required configuration "name" which has no default value.`, "Invalid value 0 for configuration tasks.max: Value must be at least 1"}},
	}
	d := Declare(&testConfig{})
	for _, tc := range cases {
		var c testConfig
		err := d.Parse(tc.props, &c)
		var ces ConfigErrors
		if !errors.As(err, &ces) || !errors.Is(err, ErrConfig) || len(ces) != len(tc.want) {
			t.Errorf("%s: err = %v", tc.name, err)
			continue
		}
		for i, w := range tc.want {
			if ces[i].Error() != w {
				t.Errorf("%s: error %d = %q, want %q", tc.name, i, ces[i].Error(), w)
			}
		}
	}
}

func TestCheckAndUndeclared(t *testing.T) {
	d := Declare(&testConfig{})
	k, _ := d.Key("tasks.max")
	if k.Check("5") != nil || k.Check("50") == nil {
		t.Error("Check tasks.max")
	}
	k, _ = d.Key("mode")
	if k.Check("fast") != nil || k.Check("x") == nil {
		t.Error("Check mode")
	}
	got := d.Undeclared(map[string]string{"name": "x", "zz": "1", "aa": "2", "transforms.t.type": "x"}, "transforms.")
	if !reflect.DeepEqual(got, []string{"aa", "zz"}) {
		t.Errorf("Undeclared = %v", got)
	}
	if got := SplitList("  "); len(got) != 0 {
		t.Errorf("SplitList(blank) = %v", got)
	}
}
