package wire

// TraceCarrier lets OpenTelemetry's W3C propagator read and write an
// Invocation's trace context (propagation.TextMapCarrier).
type TraceCarrier struct{ Inv *Invocation }

// Get returns the value of a trace context header.
func (c TraceCarrier) Get(key string) string {
	switch key {
	case "traceparent":
		return c.Inv.TraceParent
	case "tracestate":
		return c.Inv.TraceState
	}
	return ""
}

// Set stores a trace context header; others are dropped.
func (c TraceCarrier) Set(key, value string) {
	switch key {
	case "traceparent":
		c.Inv.TraceParent = value
	case "tracestate":
		c.Inv.TraceState = value
	}
}

// Keys lists the headers the carrier holds.
func (c TraceCarrier) Keys() []string { return []string{"traceparent", "tracestate"} }
