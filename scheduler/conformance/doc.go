// Package conformance holds the REST conformance suite: one script of REST
// calls (testdata/calls.json) run against ferry and against the reference
// Kafka Connect 4.1 (localstack/up kafka-connect), comparing status codes,
// JSON field names and types and error codes. Run it with
// `go test -tags integration ./scheduler/conformance`.
package conformance
