package pipeline

import (
	"errors"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/convert"
)

func TestBuild(t *testing.T) {
	base := func(kv ...string) map[string]string {
		m := map[string]string{"name": "c", "connector.class": "X"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	json, str := "org.apache.kafka.connect.json.JsonConverter", "org.apache.kafka.connect.storage.StringConverter"
	header := "org.apache.kafka.connect.storage.SimpleHeaderConverter"
	cases := []struct {
		name    string
		spec    Spec
		classes convert.Classes
		dlq     DeadLetter
		check   func(t *testing.T, p *Pipeline)
	}{
		{name: "defaults", spec: Spec{Kind: connectors.TypeSource, Config: base()},
			classes: convert.Classes{Key: json, Value: json, Header: header}, dlq: DeadLetter{Replication: 3},
			check: func(t *testing.T, p *Pipeline) {
				if p.Source == nil || p.Sink != nil || p.Framework != &p.Source.ConnectorConfig || p.Source.ExactlyOnce != "requested" {
					t.Errorf("source %+v sink %+v", p.Source, p.Sink)
				}
			}},
		{name: "worker class, connector class wins",
			spec: Spec{Kind: connectors.TypeSource, Config: base("key.converter", "StringConverter"),
				Worker: map[string]string{"key.converter": json, "value.converter": str}},
			classes: convert.Classes{Key: "StringConverter", Value: str, Header: header}, dlq: DeadLetter{Replication: 3}},
		{name: "source dead letters and retries",
			spec: Spec{Kind: connectors.TypeSource, Config: base("errors.deadletterqueue.topic.name", "dlq",
				"errors.deadletterqueue.context.headers.enable", "true", "errors.retry.timeout", "300000", "errors.tolerance", "all")},
			classes: convert.Classes{Key: json, Value: json, Header: header}, dlq: DeadLetter{Topic: "dlq", Replication: 3, Headers: true},
			check: func(t *testing.T, p *Pipeline) {
				if p.Framework.RetryTimeout != 300000 || p.Framework.Tolerance != "all" {
					t.Errorf("framework %+v", p.Framework)
				}
			}},
		{name: "sink", spec: Spec{Kind: connectors.TypeSink, Config: base("topics", "a,b", "tasks.max", "3",
			"errors.deadletterqueue.topic.name", "dlq", "errors.deadletterqueue.topic.replication.factor", "1",
			"transforms", "r", "transforms.r.type", "RegexRouter", "transforms.r.regex", "a", "transforms.r.replacement", "b")},
			classes: convert.Classes{Key: json, Value: json, Header: header}, dlq: DeadLetter{Topic: "dlq", Replication: 1},
			check: func(t *testing.T, p *Pipeline) {
				if p.Sink == nil || p.Source != nil || p.Framework.TasksMax != 3 || len(p.Sink.Topics) != 2 || p.Chain.Len() != 1 {
					t.Errorf("sink %+v chain %d", p.Sink, p.Chain.Len())
				}
			}},
		{name: "transforms apply: no framework, no converters",
			spec: Spec{Config: map[string]string{"value.converter": "Nope"}, NoConverters: true},
			check: func(t *testing.T, p *Pipeline) {
				if p.Framework != nil || p.Converters.Value != nil {
					t.Errorf("framework %+v converters %+v", p.Framework, p.Converters)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Build(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			if p.Converters.Classes != tc.classes || p.DeadLetter != tc.dlq {
				t.Errorf("classes %+v dead letter %+v, want %+v %+v", p.Converters.Classes, p.DeadLetter, tc.classes, tc.dlq)
			}
			if tc.check != nil {
				tc.check(t, p)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	cases := []struct {
		name     string
		spec     Spec
		is       error
		contains []string
	}{
		{"every bad key at once", Spec{Kind: connectors.TypeSource, Config: map[string]string{"name": "c", "connector.class": "X",
			"value.converter": "com.acme.Nope", "transforms": "t", "transforms.t.type": "com.acme.Smt", "errors.tolerance": "some"}},
			connectors.ErrConfig, []string{"value.converter", "com.acme.Nope", "com.acme.Smt", "errors.tolerance", "some"}},
		{"sink cross-key rule", Spec{Kind: connectors.TypeSink, Config: map[string]string{"name": "c", "connector.class": "X"}},
			connectors.ErrConfig, []string{"topics"}},
		{"not a connector", Spec{Kind: connectors.PluginType("transformation"), Config: map[string]string{"connector.class": "Cast$Value"}},
			nil, []string{"Cast$Value", "not a connector"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build(tc.spec)
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Fatalf("err = %v, want %v", err, tc.is)
			}
			for _, s := range tc.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}
