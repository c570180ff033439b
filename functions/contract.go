// Package functions runs connector tasks as short-lived, stateless
// invocations through one entry point, Handler.Handle; package transport hosts
// it behind NATS and Lambda, and package wire is the contract. An invocation
// loads offsets, reads, converts, writes, commits its offsets fenced by its
// epoch and returns a Result; it keeps nothing between invocations except
// pooled connections.
package functions

import "github.com/ferryhq/ferry/functions/wire"

// Subject and QueueGroup are the wire contract's NATS subject and queue group.
const (
	Subject    = wire.Subject
	QueueGroup = wire.QueueGroup
)

// Invocation is the wire contract's invocation (package wire).
type Invocation = wire.Invocation

// Result is the wire contract's result (package wire).
type Result = wire.Result

// ErrorCounts and PartitionLag are parts of the wire contract's result.
type (
	ErrorCounts  = wire.ErrorCounts
	PartitionLag = wire.PartitionLag
)

// Result states, from the wire contract.
const (
	StateRunning  = wire.StateRunning
	StateFailed   = wire.StateFailed
	StateFenced   = wire.StateFenced
	StateRetrying = wire.StateRetrying
)
