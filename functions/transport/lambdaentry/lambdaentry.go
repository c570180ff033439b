// Package lambdaentry is the function side of AWS Lambda: the entry that
// serves Lambda invocations on an Invoker (aws-lambda-go) and the CloudWatch
// Embedded Metric Format line per invocation. It is apart from
// functions/transport, whose dispatchers carry the Lambda and NATS clients,
// so the Lambda function links none of them.
package lambdaentry

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"go.opentelemetry.io/otel"

	"github.com/ferryhq/ferry/functions/transport/signing"
	"github.com/ferryhq/ferry/functions/wire"
)

// Invoker runs one invocation; *functions.Handler is the implementation.
type Invoker interface {
	Handle(ctx context.Context, inv wire.Invocation) (wire.Result, error)
}

// DefaultLambdaMargin is kept free before the Lambda deadline by default: the
// invocation's own deadline is set this much earlier, so the function has
// committed and returned its Result before Lambda would kill it.
const DefaultLambdaMargin = 500 * time.Millisecond

// LambdaEntry serves AWS Lambda invocations with the same Invoker as the NATS
// worker: the payload is an Invocation in JSON, the response a Result in JSON.
// It implements aws-lambda-go's lambda.Handler; start it with ServeLambda.
type LambdaEntry struct {
	invoker  Invoker
	verifier *signing.Verifier
	margin   time.Duration
}

// NewLambdaEntry returns an entry running on inv the invocations v admits
// (signed by the scheduler, at the task's current epoch); margin (0 means
// DefaultLambdaMargin) is the safety margin before the Lambda deadline.
func NewLambdaEntry(inv Invoker, v *signing.Verifier, margin time.Duration) *LambdaEntry {
	if margin <= 0 {
		margin = DefaultLambdaMargin
	}
	return &LambdaEntry{invoker: inv, verifier: v, margin: margin}
}

// ServeLambda runs the Lambda runtime loop (AWS_LAMBDA_RUNTIME_API) with e
// until the process is stopped. It does not return.
func ServeLambda(ctx context.Context, e *LambdaEntry) {
	lambda.StartWithOptions(lambda.Handler(e), lambda.WithContext(ctx))
}

// Invoke runs one Lambda invocation. It never returns a function error: a
// malformed payload or a failed task is a Result with state FAILED (or
// RETRYING) and a trace, so Lambda's own retries never replay a payload that
// cannot succeed and the scheduler sees the cause in status. The Result's
// instance id is the Lambda request id.
func (e *LambdaEntry) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	res := e.handle(ctx, payload)
	flushTraces(ctx)
	out, err := json.Marshal(res)
	if err != nil { // a Result always encodes; keep the promise anyway
		return []byte(fmt.Sprintf(`{"state":%q,"trace":%q}`, wire.StateFailed, err.Error())), nil
	}
	return out, nil
}

// flushTraces exports the invocation's spans before replying: Lambda freezes
// the process between invocations, so a batching exporter would hold them.
func flushTraces(ctx context.Context) {
	if f, ok := otel.GetTracerProvider().(interface{ ForceFlush(context.Context) error }); ok {
		_ = f.ForceFlush(ctx)
	}
}

func (e *LambdaEntry) handle(ctx context.Context, payload []byte) wire.Result {
	requestID := ""
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		requestID = lc.AwsRequestID
	}
	claimed, err := signing.Peek(payload)
	if err != nil {
		return wire.Result{State: wire.StateFailed, InstanceID: requestID,
			Trace: fmt.Sprintf("malformed invocation payload (%v): send a ferry Invocation as JSON, as `ferry scheduler --dispatch lambda` does: %.200q", err, payload)}
	}
	if claimed.Connector == "" || claimed.Class == "" {
		return wire.Result{ID: claimed.ID, Task: claimed.Task, Epoch: claimed.Epoch, State: wire.StateFailed, InstanceID: requestID,
			Trace: fmt.Sprintf("malformed invocation payload: connector and connector_class are required: %.200q", payload)}
	}
	inv, refused := signing.Admit(ctx, e.verifier, payload, slog.Default())
	if refused != nil {
		refused.InstanceID = requestID
		return *refused
	}
	inv.Deadline = e.deadline(ctx, inv.Deadline)
	res, _ := e.invoker.Handle(ctx, inv) // the error is also in res.State and res.Trace
	if requestID != "" {
		res.InstanceID = requestID
	}
	return res
}

// deadline is the earlier of the invocation's deadline and the Lambda
// deadline minus the safety margin (at most half the time left).
func (e *LambdaEntry) deadline(ctx context.Context, asked time.Time) time.Time {
	d, ok := ctx.Deadline()
	if !ok {
		return asked
	}
	margin := e.margin
	if left := time.Until(d); margin > left/2 {
		margin = left / 2
	}
	if d = d.Add(-margin); asked.IsZero() || d.Before(asked) {
		return d
	}
	return asked
}
