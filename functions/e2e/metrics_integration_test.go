//go:build integration

package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// TestPrometheusMetrics runs datagen -> Kafka -> file (100,000 records) and a
// sink with poison records and a dead-letter queue while a real Prometheus
// scrapes the scheduler and the worker, then checks through Prometheus's
// query API: Kafka Connect's record counts, the error metrics, the lag
// returning to 0, every query of the shipped dashboard and every shipped
// alert rule.
func TestPrometheusMetrics(t *testing.T) {
	c := newCluster(t, 13)
	wport := freePort(t)
	start(t, c.env, "worker", "--concurrency", "4", "--metrics-listeners", fmt.Sprintf("127.0.0.1:%d", wport))
	p := startPrometheus(t, map[string]string{
		"ferry-scheduler": strings.TrimPrefix(c.api.base, "http://"),
		"ferry-worker":    fmt.Sprintf("127.0.0.1:%d", wport),
	})
	const n, good, poison = 100_000, 1000, 37
	out := filepath.Join(t.TempDir(), "orders.txt")
	begin := time.Now()
	topic := datagenToFile(c, n, out)
	dlq := poisonSink(t, c, good, poison)
	strict := dlq + "-strict" // the same poison without tolerance: its task ends FAILED
	c.api.create(strict, map[string]string{
		"connector.class": "FileStreamSink", "topics": dlq, "file": filepath.Join(t.TempDir(), "strict.txt"), "tasks.max": "1",
		"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
	})
	adm := kafkaAdmin(t, c.svc.kafka)
	waitFor(t, 3*time.Minute, "100,000 records in the sink file", func() bool {
		lines, _, _ := sinkCounts(t, out)
		return lines >= n && topicCount(t, adm, topic) >= n
	})
	src, snk := fmt.Sprintf(`{connector=%q}`, topic+"-src"), fmt.Sprintf(`{connector=%q}`, topic+"-sink")
	write := p.waitValue(time.Minute, "sum(kafka_connect_source_task_source_record_write_total"+src+")", n)
	poll := p.waitValue(time.Minute, "sum(kafka_connect_source_task_source_record_poll_total"+src+")", n)
	send := p.waitValue(time.Minute, "sum(kafka_connect_sink_task_sink_record_send_total"+snk+")", n)
	read := p.waitValue(time.Minute, "sum(kafka_connect_sink_task_sink_record_read_total"+snk+")", n)
	lag := p.waitValue(time.Minute, "sum(ferry_sink_lag_records"+snk+")", 0)
	d := fmt.Sprintf(`{connector=%q}`, dlq)
	errs := p.waitValue(time.Minute, "sum(kafka_connect_task_error_total_record_errors"+d+")", poison)
	dlqSent := p.waitValue(time.Minute, "sum(kafka_connect_task_error_deadletterqueue_produce_requests"+d+")", poison)
	skipped := p.waitValue(time.Minute, "sum(kafka_connect_task_error_total_records_skipped"+d+")", poison)
	dlqSend := p.waitValue(time.Minute, "sum(kafka_connect_sink_task_sink_record_send_total"+d+")", good)
	t.Logf("after %.0fs: source poll=%v write=%v, sink read=%v send=%v lag=%v; DLQ run: errors=%v dlq=%v skipped=%v sent=%v",
		time.Since(begin).Seconds(), poll, write, read, send, lag, errs, dlqSent, skipped, dlqSend)

	// A rate over [1m] needs two scrapes of a series: on a fast run the
	// pipeline can end before the second one, so ask until each query
	// answers (bounded), instead of once.
	for _, q := range dashboardQueries(t) {
		for deadline := time.Now().Add(time.Minute); len(p.query(q)) == 0; time.Sleep(time.Second) {
			if time.Now().After(deadline) {
				t.Errorf("dashboard query returns no series after a minute: %s", q)
				break
			}
		}
	}
	waitFor(t, 30*time.Second, "every alert rule evaluated", func() bool {
		for _, r := range p.rules() {
			if r.LastEvaluation == "" || strings.HasPrefix(r.LastEvaluation, "0001") {
				return false
			}
		}
		return true
	})
	rules := p.rules()
	if len(rules) != 7 {
		t.Errorf("prometheus loaded %d rules from infra/prometheus, want 7", len(rules))
	}
	for _, r := range rules {
		if r.Health != "ok" || r.LastError != "" {
			t.Errorf("alert %s: health %q error %q", r.Name, r.Health, r.LastError)
		}
		res := p.query(r.Query) // evaluates without error; firing or not
		t.Logf("alert %s: %d series", r.Name, len(res))
	}
	// A rule that should fire does: the strict connector's FAILED task makes FerryTaskFailed pending.
	waitFor(t, 30*time.Second, "FerryTaskFailed pending for "+strict, func() bool {
		return len(p.query(fmt.Sprintf(`ALERTS{alertname="FerryTaskFailed",connector=%q,alertstate=~"pending|firing"}`, strict))) == 1
	})
	if got := p.value(fmt.Sprintf(`kafka_connect_worker_connector_failed_task_count{connector=%q}`, strict)); got != 1 {
		t.Errorf("failed task count of %s = %v, want 1", strict, got)
	}
	if v := p.value(`sum(ferry_function_records_total{outcome="written"})`); v < n {
		t.Errorf("worker's ferry_function_records_total{outcome=\"written\"} = %v, want at least %d", v, n)
	}
}

// poisonSink produces good JSON records and poison ones (not JSON) to a new
// topic and starts a file sink with errors.tolerance=all and a dead-letter
// topic; it returns the connector's name.
func poisonSink(t *testing.T, c *cluster, good, poison int) string {
	name := uniqueName("poison")
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(c.svc.kafka, ",")...), kgo.DefaultProduceTopic(name), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	total := good + poison
	recs := make([]*kgo.Record, total)
	for i := range recs {
		recs[i] = &kgo.Record{Value: fmt.Appendf(nil, `{"id":%d}`, i)}
	}
	for j := range poison { // spread the poison records over the topic
		i := j * (total / poison)
		recs[i].Value = fmt.Appendf(nil, `{"id":%d,`, i) // truncated JSON
	}
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	c.api.create(name, map[string]string{
		"connector.class": "FileStreamSink", "topics": name, "file": filepath.Join(t.TempDir(), "poison.txt"),
		"tasks.max": "1", "poll.interval.ms": "200",
		"key.converter":   "org.apache.kafka.connect.storage.StringConverter",
		"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
		"errors.tolerance": "all", "errors.deadletterqueue.topic.name": name + "-dlq",
		"errors.deadletterqueue.topic.replication.factor": "1",
	})
	return name
}
