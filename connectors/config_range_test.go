package connectors

import (
	"strings"
	"testing"
)

// rangeConfig has an INT in a Go int (64 bits), as tasks.max is declared.
type rangeConfig struct {
	Int   int   `config:"an.int" default:"1"`
	Short int16 `config:"a.short" default:"1"`
	Long  int64 `config:"a.long" default:"1"`
}

// TestJavaIntegerRanges checks that INT, SHORT and LONG values are refused
// exactly where Java's ConfigDef refuses them, whatever the Go field's width
// (regression: tasks.max=2147483648 was accepted and the datagen split
// built 2^31 task configs).
func TestJavaIntegerRanges(t *testing.T) {
	tests := []struct{ key, value, err string }{
		{"an.int", "2147483647", ""},
		{"an.int", "-2147483648", ""},
		{"an.int", "2147483648", "Invalid value 2147483648 for configuration an.int: Not a number of type INT"},
		{"an.int", "-2147483649", "Not a number of type INT"},
		{"a.short", "32767", ""},
		{"a.short", "32768", "Not a number of type SHORT"},
		{"a.long", "9223372036854775807", ""},
		{"a.long", "9223372036854775808", "Not a number of type LONG"},
	}
	d := Declare(rangeConfig{})
	for _, tt := range tests {
		var c rangeConfig
		err := d.Parse(map[string]string{tt.key: tt.value}, &c)
		if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("Parse %s=%s: %v, want %q", tt.key, tt.value, err, tt.err)
		}
		k, _ := d.Key(tt.key)
		if cerr := k.Check(tt.value); (cerr == nil) != (tt.err == "") {
			t.Errorf("Check %s=%s: %v, want %q", tt.key, tt.value, cerr, tt.err)
		}
	}
}

// optionalConfig declares keys whose absence matters.
type optionalConfig struct {
	Replacement Optional[string] `config:"replacement"`
	Version     Optional[int]    `config:"version" default:"7"`
}

// TestOptional checks that an Optional field tells a given key from an
// absent one, and is declared with its value's type.
func TestOptional(t *testing.T) {
	d := Declare(optionalConfig{})
	if k, _ := d.Key("version"); k.Type != ConfigInt || k.Default != "7" {
		t.Fatalf("version key %+v", k)
	}
	tests := []struct {
		props map[string]string
		want  optionalConfig
	}{
		{map[string]string{}, optionalConfig{Version: Optional[int]{Value: 7}}},
		{map[string]string{"replacement": ""}, optionalConfig{Replacement: Optional[string]{Set: true}, Version: Optional[int]{Value: 7}}},
		{map[string]string{"replacement": "x", "version": "7"},
			optionalConfig{Replacement: Optional[string]{Value: "x", Set: true}, Version: Optional[int]{Value: 7, Set: true}}},
	}
	for _, tt := range tests {
		var c optionalConfig
		if err := d.Parse(tt.props, &c); err != nil || c != tt.want {
			t.Errorf("Parse %v = %+v, %v; want %+v", tt.props, c, err, tt.want)
		}
	}
	var c optionalConfig
	if err := d.Parse(map[string]string{"version": "2147483648"}, &c); err == nil || !strings.Contains(err.Error(), "Not a number of type INT") {
		t.Errorf("version out of range: %v", err)
	}
}

// TestFramework checks that the framework keys the scheduler needs are
// parsed through the declaration: defaults, and tasks.max kept within 1..MaxTasks.
func TestFramework(t *testing.T) {
	tests := []struct {
		config     map[string]string
		tasks      int
		pollMillis int64
	}{
		{map[string]string{}, 1, 1000},
		{map[string]string{"tasks.max": "4", "poll.interval.ms": "250"}, 4, 250},
		{map[string]string{"tasks.max": "zz", "poll.interval.ms": "-5"}, 1, 1000},
		{map[string]string{"tasks.max": "2147483648"}, 1, 1000},
		{map[string]string{"tasks.max": "100000"}, 1, 1000},
	}
	for _, tt := range tests {
		c := Framework(tt.config)
		if c.TasksMax != tt.tasks || c.PollIntervalMs != tt.pollMillis {
			t.Errorf("Framework(%v): tasks %d poll %d, want %d %d", tt.config, c.TasksMax, c.PollIntervalMs, tt.tasks, tt.pollMillis)
		}
	}
	if k, _ := Declare(ConnectorConfig{}).Key("tasks.max"); k.Max == nil || int(*k.Max) != MaxTasks {
		t.Errorf("tasks.max declares max %v, want MaxTasks %d", k.Max, MaxTasks)
	}
}

// TestSinkGroup checks the one rule for a sink's consumer group, used by the
// function's commits and the REST offsets endpoints alike.
func TestSinkGroup(t *testing.T) {
	tests := []struct {
		config map[string]string
		want   string
	}{
		{nil, "connect-orders"},
		{map[string]string{"consumer.override.group.id": " shared-group "}, "shared-group"},
		{map[string]string{"consumer.override.group.id": ""}, "connect-orders"},
	}
	for _, tt := range tests {
		if got := SinkGroup("orders", tt.config); got != tt.want {
			t.Errorf("SinkGroup(%v) = %q, want %q", tt.config, got, tt.want)
		}
	}
}
