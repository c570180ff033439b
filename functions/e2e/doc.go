// Package e2e holds ferry's end-to-end tests: they build the ferry binary and
// run it as real processes (scheduler, workers, standalone) against the real
// Kafka broker, Redis and NATS started by localstack/up. They carry the
// integration build tag and fail when a service they need is missing.
package e2e
