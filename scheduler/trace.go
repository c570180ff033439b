package scheduler

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/ferryhq/ferry/functions/wire"
)

// tracer names the scheduler's spans; a no-op unless OTEL_* configured a provider.
var tracer = otel.Tracer("github.com/ferryhq/ferry/scheduler")

// startDispatch starts the root span of one invocation and puts its W3C
// trace context in inv, so the function's spans join the same trace across
// NATS or Lambda.
func startDispatch(ctx context.Context, inv *wire.Invocation) (context.Context, trace.Span) {
	ctx, span := tracer.Start(ctx, "dispatch "+inv.Connector, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("ferry.connector", inv.Connector), attribute.Int("ferry.task", inv.Task),
			attribute.Int64("ferry.epoch", inv.Epoch), attribute.String("ferry.invocation", inv.ID)))
	if span.SpanContext().IsValid() {
		propagation.TraceContext{}.Inject(ctx, wire.TraceCarrier{Inv: inv})
	}
	return ctx, span
}

// endDispatch records how the invocation ended and ends its span.
func endDispatch(span trace.Span, o outcome) {
	if span.IsRecording() {
		r := o.Result
		span.SetAttributes(attribute.String("ferry.outcome", r.State), attribute.Int64("ferry.records.read", r.Read),
			attribute.Int64("ferry.records.written", r.Written), attribute.Int64("ferry.records.failed", r.Failed),
			attribute.String("ferry.instance", r.InstanceID))
		if o.Err != nil {
			span.RecordError(o.Err)
			span.SetStatus(codes.Error, o.Err.Error())
		} else if r.State != wire.StateRunning {
			span.SetStatus(codes.Error, r.State)
		}
	}
	span.End()
}
