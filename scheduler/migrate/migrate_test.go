package migrate

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/scheduler"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/connectfile"
	"github.com/ferryhq/ferry/state/file"
)

var update = flag.Bool("update", false, "rewrite the .golden files")

// fakeSource is a Kafka Connect cluster held in memory.
type fakeSource []Connector

func (f fakeSource) Connectors(context.Context) ([]Connector, error) { return f, nil }
func (f fakeSource) String() string                                  { return "a test cluster" }

// review knows one class, FileStreamSource, and finds what its config asks.
func review(config map[string]string) (scheduler.Review, error) {
	if config["connector.class"] != "FileStreamSource" {
		return scheduler.Review{}, fmt.Errorf("%w %q", connectors.ErrUnknownClass, config["connector.class"])
	}
	r := scheduler.Review{Plugin: &connectors.Plugin{Class: "org.apache.kafka.connect.file.FileStreamSourceConnector", Type: connectors.TypeSource}}
	if v, ok := config["producer.override.linger.ms"]; ok {
		r.Ignored = append(r.Ignored, scheduler.Finding{Key: "producer.override.linger.ms", Message: "Invalid value " + v + ": ferry cannot honour it."})
	}
	if _, ok := config["file"]; ok {
		r.Differs = append(r.Differs, scheduler.Finding{Key: "file", Message: "Source filename. ferry requires it: functions have no standard input."})
	}
	if _, ok := config["fle"]; ok {
		r.Unknown = append(r.Unknown, "fle")
	}
	if config["tasks.max"] == "0" {
		r.Errors = append(r.Errors, scheduler.Finding{Key: "tasks.max", Message: "Invalid value 0 for configuration tasks.max: Value must be at least 1"})
	}
	return r, nil
}

func TestPlanGolden(t *testing.T) {
	src := fakeSource{
		{Name: "b-custom", Config: map[string]string{"connector.class": "com.acme.CustomSink", "topics": "t"}, Target: "PAUSED",
			Offsets: []Offset{{Partition: map[string]any{"kafka_topic": "t", "kafka_partition": 0}, Offset: map[string]any{"kafka_offset": 42}}}},
		{Name: "a-files", Config: map[string]string{"connector.class": "FileStreamSource", "fle": "x", "file": "/data/in.txt", "producer.override.linger.ms": "5"},
			Target: "RUNNING", Running: "RUNNING", Worker: "10.0.0.1:8083",
			Offsets: []Offset{{Partition: map[string]any{"filename": "/data/in.txt"}, Offset: map[string]any{"position": 1234}},
				{Partition: map[string]any{"filename": "/data/old.txt"}}}},
		{Name: "c-bad", Config: map[string]string{"connector.class": "FileStreamSource", "tasks.max": "0"}, Target: "STOPPED",
			OffsetsErr: errors.New("GET /connectors/c-bad/offsets: 404 Not Found: Connector c-bad not found")},
		{Name: "d-clean", Config: map[string]string{"connector.class": "FileStreamSource"}, Target: "RUNNING"},
	}
	p, err := Build(context.Background(), src, review)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := p.Print(&b); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "plan.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Fatalf("plan:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestBuildFailsOnOtherReviewErrors(t *testing.T) {
	broken := func(map[string]string) (scheduler.Review, error) {
		return scheduler.Review{}, errors.New("catalogue broken")
	}
	_, err := Build(context.Background(), fakeSource{{Name: "x", Config: map[string]string{"connector.class": "FileStreamSource"}}}, broken)
	if err == nil || !strings.Contains(err.Error(), "reviewing connector x") {
		t.Fatalf("Build = %v, want the review error naming the connector", err)
	}
}

func TestImport(t *testing.T) {
	ctx := context.Background()
	store, err := file.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	running := state.ConnectorRecord{Name: "running", Config: map[string]string{"connector.class": "FileStreamSource"}, Target: state.TargetRunning}
	stopped := state.ConnectorRecord{Name: "stopped", Config: map[string]string{"connector.class": "FileStreamSource", "tasks.max": "3"}, Target: state.TargetStopped}
	for _, r := range []state.ConnectorRecord{running, stopped} {
		if err := store.PutConnector(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	old, err := store.NextEpoch(ctx, "stopped", 2) // an invocation from before the stop
	if err != nil {
		t.Fatal(err)
	}
	part := func(f string) map[string]any { return map[string]any{"filename": f} }
	entries := func(f string, pos int64) []state.OffsetEntry {
		return []state.OffsetEntry{{Partition: part(f), Offset: map[string]any{"position": pos}}, {Partition: part(f + ".old")}}
	}
	// A running connector refuses the whole import: nothing written.
	_, err = Import(ctx, store, []connectfile.Connector{{Name: "new", Entries: entries("/a", 1)}, {Name: "running", Entries: entries("/b", 2)}})
	if err == nil || !strings.Contains(err.Error(), "PUT /connectors/running/stop") {
		t.Fatalf("Import with a running connector = %v, want a refusal saying how to stop it", err)
	}
	if got, _ := store.ReadOffsets(ctx, "new"); len(got) != 0 {
		t.Fatalf("a refused import wrote %v", got)
	}
	done, err := Import(ctx, store, []connectfile.Connector{{Name: "new", Entries: entries("/a", 17)}, {Name: "stopped", Entries: entries("/c", 8)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 2 || done[0] != (Imported{Connector: "new", Offsets: 1, Resets: 1}) {
		t.Fatalf("Import = %+v", done)
	}
	for name, pos := range map[string]int64{"new": 17, "stopped": 8} {
		got, err := store.ReadOffsets(ctx, name)
		if err != nil || len(got) != 1 || got[0].Offset["position"] != pos {
			t.Fatalf("offsets of %s = %v, %v; want one partition at position %d (the reset one absent)", name, got, err, pos)
		}
	}
	// Every task of the stopped connector was fenced: an invocation of task 2
	// that outlived the stop cannot commit.
	if err := store.CommitOffsets(ctx, "stopped", 2, old, entries("/c", 1)); !errors.Is(err, state.ErrFenced) {
		t.Fatalf("commit of a task from before the import = %v, want ErrFenced", err)
	}
}

func TestSourceOffsets(t *testing.T) {
	got := sourceOffsets(map[string][]byte{
		`["a",{"filename":"/x"}]`: []byte(`{"position":7}`),
		`["a",{"filename":"/y"}]`: nil, // reset: Kafka Connect shows nothing
		`["b",{"filename":"/z"}]`: []byte(`{"position":9}`),
		`not a key`:               []byte(`{"position":1}`),
		`["c",{"filename":"/w"}]`: []byte(`[1,2]`),
	})
	if len(got) != 2 || len(got["a"]) != 1 || got["a"][0].Offset["position"] != int64(7) || got["b"][0].Partition["filename"] != "/z" {
		t.Fatalf("sourceOffsets = %+v; want a at 7 and b at 9 only", got)
	}
}
