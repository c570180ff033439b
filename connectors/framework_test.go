package connectors

import (
	"strings"
	"testing"
)

func TestSinkConnectorConfigCheck(t *testing.T) {
	cases := []struct {
		name  string
		props map[string]string
		want  string
	}{
		{"topics", map[string]string{"topics": "a,b"}, ""},
		{"regex", map[string]string{"topics.regex": "a.*"}, ""},
		{"both", map[string]string{"topics": "a", "topics.regex": "a.*"}, "mutually exclusive"},
		{"neither", map[string]string{}, "Must configure one of topics or topics.regex"},
		{"bad regex", map[string]string{"topics.regex": "("}, "topics.regex"},
		{"dlq in topics", map[string]string{"topics": "a,dlq", "errors.deadletterqueue.topic.name": "dlq"}, "The DLQ topic 'dlq' may not be included in the list of topics ('topics=[a,dlq]')"},
	}
	for _, tc := range cases {
		props := map[string]string{"name": "c", "connector.class": "X"}
		for k, v := range tc.props {
			props[k] = v
		}
		var c SinkConnectorConfig
		if err := Declare(&c).Parse(props, &c); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		err := c.Check()
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: Check = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestConnectorConfigDefaults(t *testing.T) {
	var c SourceConnectorConfig
	if err := Declare(&c).Parse(map[string]string{"name": "c", "connector.class": "X"}, &c); err != nil {
		t.Fatal(err)
	}
	if c.TasksMax != 1 || c.Tolerance != "none" || c.ExactlyOnce != "requested" || c.PollIntervalMs != 1000 || len(c.Transforms) != 0 {
		t.Errorf("defaults = %+v", c)
	}
}
