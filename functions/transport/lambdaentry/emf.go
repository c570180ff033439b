package lambdaentry

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/ferryhq/ferry/functions/wire"
)

// DefaultEMFNamespace is the CloudWatch namespace of the EMF lines unless
// AWS_EMF_NAMESPACE (the variable AWS's embedded-metrics libraries read) names another.
const DefaultEMFNamespace = "ferry"

// EMF writes one CloudWatch Embedded Metric Format line per invocation, so a
// Lambda function (which Prometheus cannot scrape) gets CloudWatch metrics
// from its log with no exporter: records read, written and failed, offsets
// committed, lag, dead-letter records, retries, duration and the outcome,
// per connector and per task.
type EMF struct {
	inv       Invoker
	namespace string
	now       func() time.Time
	mu        sync.Mutex
	out       io.Writer
}

// NewEMF wraps inv; lines go to out (Lambda: os.Stdout). An empty namespace
// means AWS_EMF_NAMESPACE, else DefaultEMFNamespace.
func NewEMF(inv Invoker, out io.Writer, namespace string) *EMF {
	if namespace == "" {
		namespace = os.Getenv("AWS_EMF_NAMESPACE")
	}
	if namespace == "" {
		namespace = DefaultEMFNamespace
	}
	return &EMF{inv: inv, out: out, namespace: namespace, now: time.Now}
}

// Handle runs the invocation and writes its EMF line.
func (e *EMF) Handle(ctx context.Context, inv wire.Invocation) (wire.Result, error) {
	res, err := e.inv.Handle(ctx, inv)
	line := e.line(inv, res)
	e.mu.Lock()
	_, _ = e.out.Write(line)
	e.mu.Unlock()
	return res, err
}

// emfMetrics are the metric names and units of every line, in order.
var emfMetrics = []emfMetric{
	{"RecordsRead", "Count"}, {"RecordsWritten", "Count"}, {"RecordsFailed", "Count"},
	{"OffsetsCommitted", "Count"}, {"Lag", "Count"}, {"DeadLetterRecords", "Count"},
	{"Retries", "Count"}, {"InvocationDuration", "Milliseconds"}, {"Invocations", "Count"},
	{"InvocationsFailed", "Count"}, {"InvocationsRetrying", "Count"}, {"InvocationsFenced", "Count"},
}

type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

// line renders one EMF document: the _aws metadata, the dimensions
// (Connector; Connector and Task), the metric values and a few properties.
func (e *EMF) line(inv wire.Invocation, res wire.Result) []byte {
	is := func(s string) int {
		if res.State == s {
			return 1
		}
		return 0
	}
	values := []any{res.Read, res.Written, res.Failed, res.Committed, res.Lag, res.Errors.DLQRequests,
		res.Errors.Retries, float64(res.Duration) / float64(time.Millisecond), 1,
		is(wire.StateFailed), is(wire.StateRetrying), is(wire.StateFenced)}
	type directive struct {
		Namespace  string      `json:"Namespace"`
		Dimensions [][]string  `json:"Dimensions"`
		Metrics    []emfMetric `json:"Metrics"`
	}
	doc := map[string]any{
		"_aws": map[string]any{"Timestamp": e.now().UnixMilli(), "CloudWatchMetrics": []directive{{
			Namespace: e.namespace, Dimensions: [][]string{{"Connector"}, {"Connector", "Task"}}, Metrics: emfMetrics}}},
		"Connector": inv.Connector, "Task": strconv.Itoa(inv.Task),
		"InvocationId": inv.ID, "Epoch": inv.Epoch, "Outcome": res.State, "InstanceId": res.InstanceID,
	}
	for i, m := range emfMetrics {
		doc[m.Name] = values[i]
	}
	b, _ := json.Marshal(doc) // maps marshal with sorted keys: one stable line
	return append(b, '\n')
}
