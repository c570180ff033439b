package functions

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/ferryhq/ferry/functions/wire"
)

// tracer names the function's spans; without a configured provider
// (OTEL_* unset) it is a no-op.
var tracer = otel.Tracer("github.com/ferryhq/ferry/functions")

// startInvocation continues the trace the scheduler started (the W3C
// context carried in the invocation) with the function's root span.
func startInvocation(ctx context.Context, inv *Invocation) (context.Context, trace.Span) {
	ctx = propagation.TraceContext{}.Extract(ctx, wire.TraceCarrier{Inv: inv})
	return tracer.Start(ctx, "invocation "+inv.Connector, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("ferry.connector", inv.Connector), attribute.Int("ferry.task", inv.Task),
			attribute.Int64("ferry.epoch", inv.Epoch), attribute.String("ferry.invocation", inv.ID)))
}

// endInvocation records the Result on the root span and ends it.
func endInvocation(span trace.Span, res *Result) {
	if !span.IsRecording() {
		span.End()
		return
	}
	span.SetAttributes(attribute.String("ferry.outcome", res.State), attribute.Int64("ferry.records.read", res.Read),
		attribute.Int64("ferry.records.written", res.Written), attribute.Int64("ferry.records.failed", res.Failed),
		attribute.Int("ferry.offsets.committed", res.Committed), attribute.Int64("ferry.lag", res.Lag))
	if res.State != StateRunning {
		span.SetStatus(codes.Error, res.State)
	}
	span.End()
}

// phase starts the span of one step of an invocation (load offsets, poll,
// produce, fetch, flush, dead letters, commit); the returned func ends it
// with err and returns err.
func phase(ctx context.Context, name string) (context.Context, func(error) error) {
	ctx, span := tracer.Start(ctx, name)
	return ctx, func(err error) error {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
		span.End()
		return err
	}
}
