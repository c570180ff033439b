//go:build integration

package redis

import (
	"context"
	"reflect"
	"testing"

	"github.com/ferryhq/ferry/state"
)

// TestUnchangedRecordsAreShared: reading a connector whose stored JSON did
// not change gives the record decoded before (the same maps), by name or in
// a full read; a changed record is decoded afresh, and another store on the
// same keys (another scheduler) writing it is seen.
func TestUnchangedRecordsAreShared(t *testing.T) {
	ctx := context.Background()
	c := client(t)
	p := prefix(t, c)
	s, other := New(c, Options{Prefix: p}), New(c, Options{Prefix: p})
	rec := func(topic string) state.ConnectorRecord {
		return state.ConnectorRecord{Name: "a", Config: map[string]string{"topic": topic}, Target: state.TargetRunning,
			Tasks: []map[string]string{{"topic": topic}}, Generation: 1}
	}
	same := func(a, b state.ConnectorRecord) bool {
		return reflect.ValueOf(a.Config).UnsafePointer() == reflect.ValueOf(b.Config).UnsafePointer()
	}
	for _, r := range []state.ConnectorRecord{rec("t1"), {Name: "b", Config: map[string]string{"x": "y"}}} {
		if err := s.PutConnector(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	first, err := s.Connector(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.Connectors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || !same(all[0], first) {
		t.Fatalf("a full read decoded unchanged connector a again (or lost one): %+v", all)
	}
	if again, _ := s.Connector(ctx, "a"); !same(again, first) {
		t.Fatal("reading unchanged connector a by name decoded it again")
	}
	if err := other.PutConnector(ctx, rec("t2")); err != nil {
		t.Fatal(err)
	}
	for _, read := range []func() (state.ConnectorRecord, error){
		func() (state.ConnectorRecord, error) { return s.Connector(ctx, "a") },
		func() (state.ConnectorRecord, error) {
			all, err := s.Connectors(ctx)
			if err != nil || len(all) != 2 {
				return state.ConnectorRecord{}, err
			}
			return all[0], nil
		},
	} {
		got, err := read()
		if err != nil {
			t.Fatal(err)
		}
		if got.Config["topic"] != "t2" || got.Tasks[0]["topic"] != "t2" || same(got, first) {
			t.Fatalf("after another store changed connector a, read %+v", got)
		}
	}
	if err := other.DeleteConnector(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Connector(ctx, "a"); err == nil {
		t.Fatal("connector a deleted by another store still reads")
	}
}
