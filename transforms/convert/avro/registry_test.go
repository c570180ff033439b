package avro

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/convert/schemaregistry"
)

var person = connectors.StructBuilder().Name("com.example.Person").
	Field("name", connectors.StringSchema).MustBuild()

func TestSubjectNameStrategies(t *testing.T) {
	cases := []struct {
		strategy string
		isKey    bool
		schema   *connectors.Schema
		value    any
		subject  string
	}{
		{"", false, person, connectors.NewStruct(person).MustPut("name", "a"), "people-value"},
		{"", true, connectors.StringSchema, "k", "people-key"},
		{"io.confluent.kafka.serializers.subject.TopicNameStrategy", true, person, connectors.NewStruct(person).MustPut("name", "a"), "people-key"},
		{"io.confluent.kafka.serializers.subject.RecordNameStrategy", false, person, connectors.NewStruct(person).MustPut("name", "a"), "com.example.Person"},
		{"RecordNameStrategy", true, connectors.StringSchema, "k", "string"},
		{"io.confluent.kafka.serializers.subject.TopicRecordNameStrategy", false, person, connectors.NewStruct(person).MustPut("name", "a"), "people-com.example.Person"},
	}
	for _, tc := range cases {
		t.Run(tc.strategy+"/"+tc.subject, func(t *testing.T) {
			reg := newStandIn(t)
			props := map[string]string{}
			if tc.strategy != "" {
				props["key.subject.name.strategy"] = tc.strategy
				props["value.subject.name.strategy"] = tc.strategy
			}
			c := newConverter(t, reg.URL(), tc.isKey, props)
			if _, err := c.FromConnect(context.Background(), "people", tc.schema, tc.value); err != nil {
				t.Fatal(err)
			}
			if !reg.SubjectExists(tc.subject) {
				t.Errorf("subject %q not registered", tc.subject)
			}
		})
	}
}

func TestAutoRegisterOff(t *testing.T) {
	reg := newStandIn(t)
	c := newConverter(t, reg.URL(), false, map[string]string{"auto.register.schemas": "false"})
	v := connectors.NewStruct(person).MustPut("name", "a")
	_, err := c.FromConnect(context.Background(), "people", person, v)
	if !errors.Is(err, schemaregistry.ErrNotRegistered) || !errors.Is(err, connectors.ErrData) || !strings.Contains(err.Error(), `"people-value"`) {
		t.Fatalf("err = %v; want ErrNotRegistered naming subject people-value", err)
	}
	// Once registered (by someone else), the lookup finds its id.
	w, _ := c.writerFor(person)
	id, _, err := reg.RegisterSchema("people-value", sr.Schema{Schema: w.text})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.FromConnect(context.Background(), "people", person, v)
	if err != nil {
		t.Fatal(err)
	}
	if got, _, _ := schemaregistry.SplitHeader(b); got != id {
		t.Errorf("id %d, want %d", got, id)
	}
}

func TestUseLatestVersionAndSchemaID(t *testing.T) {
	reg := newStandIn(t)
	c := newConverter(t, reg.URL(), false, nil)
	w, err := c.writerFor(person)
	if err != nil {
		t.Fatal(err)
	}
	reg.SeedSchema("people-value", 1, 40, sr.Schema{Schema: `"string"`})
	reg.SeedSchema("people-value", 2, 41, sr.Schema{Schema: w.text})
	v := connectors.NewStruct(person).MustPut("name", "a")
	latest := newConverter(t, reg.URL(), false, map[string]string{"use.latest.version": "true", "auto.register.schemas": "false"})
	b, err := latest.FromConnect(context.Background(), "people", person, v)
	if err != nil {
		t.Fatal(err)
	}
	if id, _, _ := schemaregistry.SplitHeader(b); id != 41 {
		t.Errorf("use.latest.version wrote id %d, want 41", id)
	}
	// A latest version that encodes differently is refused, naming the subject.
	reg.SeedSchema("people-value", 3, 42, sr.Schema{Schema: `{"type":"record","name":"Person","namespace":"com.example","fields":[{"name":"name","type":"string"},{"name":"age","type":"int","default":0}]}`})
	newer := newConverter(t, reg.URL(), false, map[string]string{"use.latest.version": "true", "auto.register.schemas": "false"})
	if _, err := newer.FromConnect(context.Background(), "people", person, v); !errors.Is(err, ErrLatestDiffers) || !strings.Contains(err.Error(), `"people-value"`) {
		t.Errorf("latest differs: %v", err)
	}
	fixed := newConverter(t, reg.URL(), false, map[string]string{"use.schema.id": "41"})
	b, err = fixed.FromConnect(context.Background(), "people", person, v)
	if err != nil {
		t.Fatal(err)
	}
	if id, _, _ := schemaregistry.SplitHeader(b); id != 41 {
		t.Errorf("use.schema.id wrote id %d, want 41", id)
	}
	s, _, err := c.ToConnect(context.Background(), "people", b)
	if err != nil {
		t.Fatal(err)
	}
	if s.Version == nil || *s.Version != 2 {
		t.Errorf("read version %v, want the registry version 2", s.Version)
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct {
		props map[string]string
		key   string
	}{
		{map[string]string{}, "schema.registry.url"},
		{map[string]string{"schema.registry.url": "localhost:8081"}, "schema.registry.url"},
		{map[string]string{"schema.registry.url": "http://r", "value.subject.name.strategy": "com.acme.Mine"}, "value.subject.name.strategy"},
		{map[string]string{"schema.registry.url": "http://r", "basic.auth.credentials.source": "USER_INFO"}, "basic.auth.user.info"},
		{map[string]string{"schema.registry.url": "http://r", "basic.auth.credentials.source": "SASL_INHERIT"}, "basic.auth.credentials.source"},
		{map[string]string{"schema.registry.url": "http://r", "auto.register.schemas": "yes"}, "auto.register.schemas"},
	}
	for _, tc := range cases {
		_, err := New(tc.props, false)
		var ces connectors.ConfigErrors
		if !errors.As(err, &ces) || ces[0].Key != tc.key {
			t.Errorf("%v: err = %v, want a config error on %s", tc.props, err, tc.key)
		}
	}
}

func TestBasicAuth(t *testing.T) {
	for _, props := range []map[string]string{
		{"basic.auth.credentials.source": "USER_INFO", "basic.auth.user.info": "fred:s3cret"},
		{"basic.auth.credentials.source": "URL", "userinfo": "fred:s3cret"},
	} {
		reg := srfakeWithAuth(t, "fred", "s3cret")
		url := reg.URL()
		if ui := props["userinfo"]; ui != "" {
			url = strings.Replace(url, "http://", "http://"+ui+"@", 1)
			delete(props, "userinfo")
		}
		c := newConverter(t, url, false, props)
		if _, err := c.FromConnect(context.Background(), "t", connectors.StringSchema, "x"); err != nil {
			t.Errorf("%v: %v", props, err)
		}
	}
	reg := srfakeWithAuth(t, "fred", "s3cret")
	c := newConverter(t, reg.URL(), false, nil)
	if _, err := c.FromConnect(context.Background(), "t", connectors.StringSchema, "x"); !errors.Is(err, schemaregistry.ErrRegistry) {
		t.Errorf("no credentials: %v", err)
	}
}

// TestRegistryUnreachable: a registry that does not answer is a retriable
// error, not a data error (errors.tolerance must not skip the record).
func TestRegistryUnreachable(t *testing.T) {
	reg := newStandIn(t)
	url := reg.URL()
	reg.Close()
	c := newConverter(t, url, false, nil)
	_, err := c.FromConnect(context.Background(), "t", connectors.StringSchema, "x")
	if !connectors.IsRetriable(err) || errors.Is(err, connectors.ErrData) {
		t.Fatalf("err = %v; want a RetriableError that is not a data error", err)
	}
	_, _, err = c.ToConnect(context.Background(), "t", []byte{0, 0, 0, 0, 1, 2})
	if !connectors.IsRetriable(err) || errors.Is(err, connectors.ErrData) {
		t.Fatalf("read: err = %v; want a RetriableError", err)
	}
}
