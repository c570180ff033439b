package metrics

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// scrapeTimeout bounds the store read behind one scrape.
const scrapeTimeout = 3 * time.Second

// collector emits the kafka_connect_* metrics at scrape time. It is an
// unchecked collector: the series it emits depend on the connectors.
type collector Set

// Describe describes nothing: the collector is unchecked.
func (c *collector) Describe(chan<- *prometheus.Desc) {}

// emit sends one const metric; label names and values alternate in lv.
type emit func(name, help string, typ prometheus.ValueType, v float64, lv ...string)

func sender(ch chan<- prometheus.Metric) emit {
	return func(name, help string, typ prometheus.ValueType, v float64, lv ...string) {
		names := make([]string, 0, len(lv)/2)
		vals := make([]string, 0, len(lv)/2)
		for i := 0; i+1 < len(lv); i += 2 {
			names, vals = append(names, lv[i]), append(vals, lv[i+1])
		}
		ch <- prometheus.MustNewConstMetric(prometheus.NewDesc(name, help, names, nil), typ, v, vals...)
	}
}

// Collect emits the worker, connector and task metrics.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	s := (*Set)(c)
	out := sender(ch)
	var snap Snapshot
	var ok bool
	if s.o.Status != nil {
		ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
		start := time.Now()
		got, err := s.o.Status(ctx)
		cancel()
		if err == nil {
			s.storeRTT.Set(time.Since(start).Seconds())
			snap, ok = got, true
		}
	}
	if s.o.NATS != nil {
		if rtt, err := s.o.NATS(); err == nil {
			s.natsRTT.Set(rtt.Seconds())
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	lead := 0.0
	if s.leading {
		lead = 1
	}
	out("ferry_scheduler_leader", "1 when this scheduler holds the dispatch lease and runs the tasks.", prometheus.GaugeValue, lead)
	if !s.leading {
		return // only the leader runs connectors: others export no worker, connector or task metrics
	}
	if ok {
		s.forget(snap)
		mine := Snapshot{Connectors: make([]Connector, 0, len(snap.Connectors))}
		for _, c := range snap.Connectors {
			if s.mine(c.Name) {
				mine.Connectors = append(mine.Connectors, c)
			}
		}
		s.collectWorker(out, mine)
	}
	now := s.o.Now()
	for k, t := range s.tasks {
		if s.mine(k.connector) {
			s.collectTask(out, now, k, t)
			t.collectOutcomes(ch, k)
		}
	}
	for c, h := range s.hists {
		if s.mine(c) {
			h.collect(ch, c)
		}
	}
}

// collectWorker emits connect-worker-metrics and connector-metrics.
func (s *Set) collectWorker(out emit, snap Snapshot) {
	const g = prometheus.GaugeValue
	tasks := 0
	for _, c := range snap.Connectors {
		tasks += len(c.Tasks)
		conn := []string{"connector", c.Name}
		out("kafka_connect_connector_status", "Kafka Connect connector status (value 1, state in status).", g, 1, "connector", c.Name, "status", strings.ToLower(c.State))
		out("kafka_connect_connector_connector_class", "Kafka Connect connector class (value 1).", g, 1, "connector", c.Name, "connector_class", c.Class)
		out("kafka_connect_connector_connector_type", "Kafka Connect connector type (value 1).", g, 1, "connector", c.Name, "connector_type", c.Type)
		out("kafka_connect_connector_connector_version", "Kafka Connect connector version (value 1).", g, 1, "connector", c.Name, "connector_version", c.Version)
		byState := map[string]int{}
		for id, st := range c.Tasks {
			byState[strings.ToLower(st)]++
			task := []string{"connector", c.Name, "task", strconv.Itoa(id)}
			out("kafka_connect_connector_task_status", "Kafka Connect task status (value 1, state in status).", g, 1,
				append(task, "status", strings.ToLower(st))...)
			out("kafka_connect_connector_task_running_ratio", "1 while the task runs, else 0 (ferry reports the current state, not a time fraction).", g, is(st, "RUNNING"), task...)
			out("kafka_connect_connector_task_pause_ratio", "1 while the task is paused, else 0.", g, is(st, "PAUSED"), task...)
		}
		out("kafka_connect_worker_connector_total_task_count", "Tasks of the connector.", g, float64(len(c.Tasks)), conn...)
		for _, st := range []string{"running", "paused", "failed", "unassigned", "destroyed", "restarting"} {
			out("kafka_connect_worker_connector_"+st+"_task_count", "Tasks of the connector in state "+st+".", g, float64(byState[st]), conn...)
		}
	}
	out("kafka_connect_worker_connector_count", "Connectors run by this scheduler.", g, float64(len(snap.Connectors)))
	out("kafka_connect_worker_task_count", "Tasks run by this scheduler.", g, float64(tasks))
	startupMetrics(out, "connector", s.connStart)
	startupMetrics(out, "task", s.taskStart)
}

func is(state, want string) float64 {
	if strings.EqualFold(state, want) {
		return 1
	}
	return 0
}

func startupMetrics(out emit, what string, st startups) {
	p := "kafka_connect_worker_" + what + "_startup_"
	out(p+"attempts_total", "Total "+what+" startups attempted.", prometheus.CounterValue, float64(st.success+st.failure))
	out(p+"success_total", "Total "+what+" startups that succeeded.", prometheus.CounterValue, float64(st.success))
	out(p+"failure_total", "Total "+what+" startups that failed.", prometheus.CounterValue, float64(st.failure))
	succ, fail := 0.0, 0.0
	if n := st.success + st.failure; n > 0 {
		succ, fail = float64(st.success)/float64(n), float64(st.failure)/float64(n)
	}
	out(p+"success_percentage", "Fraction of "+what+" startups that succeeded.", prometheus.GaugeValue, succ)
	out(p+"failure_percentage", "Fraction of "+what+" startups that failed.", prometheus.GaugeValue, fail)
}

// collectTask emits connector-task-metrics, source-task-metrics or
// sink-task-metrics, task-error-metrics and ferry's per-task metrics.
func (s *Set) collectTask(out emit, now time.Time, k key, t *task) {
	const g, c = prometheus.GaugeValue, prometheus.CounterValue
	lv := []string{"connector", k.connector, "task", strconv.Itoa(k.task)}
	ct := "kafka_connect_connector_task_"
	out(ct+"batch_size_avg", "Average records per poll or put.", g, t.batchSize.avg(now), lv...)
	out(ct+"batch_size_max", "Most records in one poll or put.", g, t.batchSizeMax.max(now), lv...)
	out(ct+"offset_commit_avg_time_ms", "Average offset commit time.", g, t.commitTime.avg(now), lv...)
	out(ct+"offset_commit_max_time_ms", "Longest offset commit time.", g, t.commitTime.max(now), lv...)
	succ, fail := t.commitOutcome.avg(now), 0.0
	if hasLive(&t.commitOutcome, now) {
		fail = 1 - succ
	}
	out(ct+"offset_commit_success_percentage", "Fraction of offset commits that succeeded.", g, succ, lv...)
	out(ct+"offset_commit_failure_percentage", "Fraction of offset commits that failed.", g, fail, lv...)
	switch t.kind {
	case KindSource:
		p := "kafka_connect_source_task_"
		out(p+"source_record_poll_total", "Records polled from the source.", c, float64(t.read), lv...)
		out(p+"source_record_poll_rate", "Records polled per second.", g, t.readW.rate(now), lv...)
		out(p+"source_record_write_total", "Records written to Kafka after transformations.", c, float64(t.written), lv...)
		out(p+"source_record_write_rate", "Records written per second.", g, t.writtenW.rate(now), lv...)
		out(p+"poll_batch_avg_time_ms", "Average time to poll and send a batch.", g, t.batchTime.avg(now), lv...)
		out(p+"poll_batch_max_time_ms", "Longest time to poll and send a batch.", g, t.batchMax.max(now), lv...)
	case KindSink:
		p := "kafka_connect_sink_task_"
		out(p+"sink_record_read_total", "Records read from Kafka.", c, float64(t.read), lv...)
		out(p+"sink_record_read_rate", "Records read per second.", g, t.readW.rate(now), lv...)
		out(p+"sink_record_send_total", "Records sent to the task after transformations.", c, float64(t.written), lv...)
		out(p+"sink_record_send_rate", "Records sent per second.", g, t.writtenW.rate(now), lv...)
		out(p+"put_batch_avg_time_ms", "Average time of a put.", g, t.batchTime.avg(now), lv...)
		out(p+"put_batch_max_time_ms", "Longest time of a put.", g, t.batchMax.max(now), lv...)
		out(p+"offset_commit_completion_total", "Offset commits that completed.", c, float64(t.commits), lv...)
		out(p+"offset_commit_completion_rate", "Offset commits completed per second.", g, t.commitsW.rate(now), lv...)
		out(p+"offset_commit_skip_total", "Offset commits skipped (always 0: an invocation commits once).", c, float64(t.skipped), lv...)
		out(p+"offset_commit_skip_rate", "Offset commits skipped per second (always 0).", g, 0, lv...)
		out(p+"offset_commit_seq_no", "Sequence number of the last offset commit.", g, float64(t.commits), lv...)
		out(p+"partition_count", "Topic-partitions assigned to the task.", g, float64(len(t.lag)), lv...)
		out(p+"sink_record_lag_max", "Largest lag of the task's topic-partitions, in records.", g, float64(t.lagMax()), lv...)
		for _, l := range t.lag {
			out("ferry_sink_lag_records", "Records of the topic-partition not yet committed by the sink task.", g, float64(l.Lag),
				append(lv, "topic", l.Topic, "partition", strconv.Itoa(int(l.Partition)))...)
		}
	}
	e := "kafka_connect_task_error_"
	out(e+"total_record_errors", "Records that failed.", g, float64(t.errors), lv...)
	out(e+"total_record_failures", "Failed attempts, retried ones included.", g, float64(t.counts.Failures), lv...)
	out(e+"total_records_skipped", "Records skipped under errors.tolerance=all.", g, float64(t.counts.Skipped), lv...)
	out(e+"total_retries", "Retries of retriable failures.", g, float64(t.counts.Retries), lv...)
	out(e+"total_errors_logged", "Errors written to the log.", g, float64(t.counts.Logged), lv...)
	out(e+"deadletterqueue_produce_requests", "Records sent to the dead-letter topic.", g, float64(t.counts.DLQRequests), lv...)
	out(e+"deadletterqueue_produce_failures", "Records the dead-letter topic did not take.", g, float64(t.counts.DLQFailures), lv...)
	out(e+"last_error_timestamp", "Time of the last failure, Unix milliseconds.", g, float64(t.lastError), lv...)
	if !t.lastCommit.IsZero() {
		out("ferry_task_seconds_since_last_commit", "Seconds since the task's offsets were last known current (committed, or nothing to commit).",
			g, now.Sub(t.lastCommit).Seconds(), lv...)
	}
}

// hasLive reports whether w holds an observation that has not expired.
func hasLive(w *window, now time.Time) bool {
	n := int64(0)
	w.live(now, func(s *sample) { n += s.count })
	return n > 0
}
