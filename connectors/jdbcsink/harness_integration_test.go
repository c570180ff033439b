//go:build integration

package jdbcsink_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/file"
	"github.com/ferryhq/ferry/connectors/jdbc/dialect"
	"github.com/ferryhq/ferry/connectors/jdbcsink"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/open"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// database is one of the databases the sink is tested against.
type database struct {
	name, env string
	db        *sql.DB
	url       string
}

// rig is one test's Kafka, databases and state store.
type rig struct {
	t     testing.TB
	seeds []string
	kafka *kgo.Client
	store state.Store
	h     *functions.Handler
	dbs   []*database
}

func newRig(t testing.TB) *rig {
	t.Helper()
	kafka := os.Getenv("KAFKA_BOOTSTRAP_SERVERS")
	if kafka == "" {
		t.Fatal("KAFKA_BOOTSTRAP_SERVERS must be set: run `eval \"$(localstack/up kafka postgres mariadb)\"`")
	}
	seeds := strings.Split(kafka, ",")
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.ProducerLinger(5*time.Millisecond),
		kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	store, err := open.Open(context.Background(), "file:"+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	reg := connectors.NewRegistry(jdbcsink.Plugin(), file.Sink())
	h, err := functions.NewHandler(functions.Options{Plugins: reg, Store: store, Seeds: seeds, InstanceID: "jdbc-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	r := &rig{t: t, seeds: seeds, kafka: cl, store: store, h: h}
	for _, d := range []struct{ name, env string }{{"postgres", "POSTGRES_URL"}, {"mariadb", "MYSQL_URL"}} {
		raw := os.Getenv(d.env)
		if raw == "" {
			t.Fatalf("%s must be set: run `eval \"$(localstack/up postgres mariadb)\"`", d.env)
		}
		u, err := dialect.ParseURL(raw)
		if err != nil {
			t.Fatal(err)
		}
		db, err := dialect.Open(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		r.dbs = append(r.dbs, &database{name: d.name, env: d.env, db: db, url: raw})
	}
	return r
}

func (r *rig) topic(name string, partitions int32) string {
	name = fmt.Sprintf("%s_%d", name, time.Now().UnixNano()%1e9)
	if _, err := kadm.NewClient(r.kafka).CreateTopic(context.Background(), partitions, 1, nil, name); err != nil {
		r.t.Fatal(err)
	}
	return name
}

func (r *rig) produce(topic string, partitions int32, from, n int, mk func(i int) *kgo.Record) {
	const chunk = 5000
	for lo := from; lo < from+n; lo += chunk {
		var recs []*kgo.Record
		for i := lo; i < min(lo+chunk, from+n); i++ {
			rec := mk(i)
			rec.Topic, rec.Partition = topic, int32(i)%partitions
			recs = append(recs, rec)
		}
		if err := r.kafka.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
			r.t.Fatal(err)
		}
	}
}

func (r *rig) invocation(name string, cfg map[string]string) functions.Invocation {
	epoch, err := r.store.NextEpoch(context.Background(), name, 0)
	if err != nil {
		r.t.Fatal(err)
	}
	full := map[string]string{"name": name, "tasks.max": "1", "task.id": "0"}
	for k, v := range cfg {
		full[k] = v
	}
	return functions.Invocation{ID: fmt.Sprintf("%s-%d", name, epoch), Connector: name, Epoch: epoch,
		Class: full["connector.class"], Config: full, Deadline: time.Now().Add(120 * time.Second), MaxRecords: 100000}
}

func (r *rig) drain(name string, cfg map[string]string) {
	for i := 0; i < 50; i++ {
		res, err := r.h.Handle(context.Background(), r.invocation(name, cfg))
		if err != nil {
			r.t.Fatalf("invocation %d of %s: %v", i, name, err)
		}
		if !res.More {
			return
		}
	}
	r.t.Fatalf("%s still had more after 50 invocations", name)
}

func (r *rig) committed(name, topic string) map[int32]int64 {
	offs, err := kadm.NewClient(r.kafka).FetchOffsetsForTopics(context.Background(), functions.GroupID(name), topic)
	if err != nil {
		r.t.Fatal(err)
	}
	out := map[int32]int64{}
	offs.Each(func(o kadm.OffsetResponse) {
		if o.Err == nil && o.At >= 0 {
			out[o.Partition] = o.At
		}
	})
	return out
}

func (d *database) count(t testing.TB, table string) int {
	var n int
	if err := d.db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
