// Package state keeps what ferry must remember between stateless invocations:
// connector and task configs, target states, task status, epochs and source
// offsets. Backends: state/file (standalone) and state/redis (distributed).
// Offsets are stored in Kafka Connect's form: key [connector, partition] and a
// JSON offset map, so tools that read Kafka Connect's offsets read ferry's.
package state

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// ErrFenced is returned when an offset commit carries an epoch older than the
// task's current one: a newer invocation owns the task; the caller must stop.
var ErrFenced = errors.New("fenced: a newer invocation owns this task")

// ErrNotFound is returned for an unknown connector.
var ErrNotFound = errors.New("not found")

// Retriable marks a failure of the backing service (network, timeout) that
// may succeed when tried again: a *connectors.RetriableError whose message
// names the state store. It keeps nil as nil.
func Retriable(err error) error {
	if err == nil {
		return nil
	}
	return connectors.Retriable(fmt.Errorf("state store unavailable (retriable): %w", err))
}

// TargetState is what the user asked a connector to be.
type TargetState string

// Target states, as Kafka Connect names them (STARTED shown as RUNNING).
const (
	TargetRunning TargetState = "RUNNING"
	TargetPaused  TargetState = "PAUSED"
	TargetStopped TargetState = "STOPPED"
)

// ConnectorRecord is a stored connector: its config, target state and task configs.
type ConnectorRecord struct {
	Name   string            `json:"name"`
	Config map[string]string `json:"config"`
	Target TargetState       `json:"target"`
	// Tasks are the task configs last produced by the connector's split.
	Tasks []map[string]string `json:"tasks"`
	// Generation increases each time Tasks is rewritten.
	Generation int64 `json:"generation"`
}

// State is a connector or task runtime state, as Kafka Connect's AbstractStatus.State.
type State string

// The runtime states shown by the status endpoints.
const (
	StateUnassigned State = "UNASSIGNED"
	StateRunning    State = "RUNNING"
	StatePaused     State = "PAUSED"
	StateFailed     State = "FAILED"
	StateRestarting State = "RESTARTING"
	StateStopped    State = "STOPPED"
)

// TaskStatus is the last reported status of one task.
type TaskStatus struct {
	Connector string    `json:"connector"`
	Task      int       `json:"task"`
	State     State     `json:"state"`
	WorkerID  string    `json:"worker_id"`
	Trace     string    `json:"trace,omitempty"`
	Epoch     int64     `json:"epoch"`
	Updated   time.Time `json:"updated"`
}

// OffsetEntry is one source partition and its offset (nil offset = reset).
type OffsetEntry struct {
	Partition map[string]any `json:"partition"`
	Offset    map[string]any `json:"offset"`
}

// Configs stores connector configs, target states and task configs. The
// maps of a returned record may be shared with the store and with other
// callers (the file store hands out the copy it keeps, so 10,000 connectors
// are held once): read them, never change them; copy before changing.
type Configs interface {
	PutConnector(ctx context.Context, c ConnectorRecord) error
	Connector(ctx context.Context, name string) (ConnectorRecord, error)
	Connectors(ctx context.Context) ([]ConnectorRecord, error)
	DeleteConnector(ctx context.Context, name string) error
}

// Statuses stores the last status of each task.
type Statuses interface {
	PutTaskStatus(ctx context.Context, s TaskStatus) error
	TaskStatuses(ctx context.Context, connector string) ([]TaskStatus, error)
}

// Epochs hands out task epochs: each dispatch takes a new, larger one.
type Epochs interface {
	NextEpoch(ctx context.Context, connector string, task int) (int64, error)
}

// Offsets stores source offsets, fenced by epoch.
type Offsets interface {
	// ReadOffsets returns every committed partition/offset of a connector.
	ReadOffsets(ctx context.Context, connector string) ([]OffsetEntry, error)
	// CommitOffsets writes entries atomically iff epoch is the task's current
	// epoch (as handed out by NextEpoch); otherwise it returns ErrFenced.
	CommitOffsets(ctx context.Context, connector string, task int, epoch int64, entries []OffsetEntry) error
	// CheckEpoch returns ErrFenced unless epoch is the task's current epoch.
	CheckEpoch(ctx context.Context, connector string, task int, epoch int64) error
}

// Leases elects one leader among scheduler processes: the holder of a named
// lease until it stops renewing it for ttl.
type Leases interface {
	// AcquireLease takes the lease, or renews it if holder already has it,
	// and reports whether holder has it now.
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
}

// Member is a live member of a group kept by a store's member list (the
// sharded schedulers): its name and how long its membership lasts without a
// renewal, by the store's clock when it was read. A member that stopped
// renewing is gone once Left has passed, so the others can look again then
// instead of at their next regular round.
type Member struct {
	Name string
	Left time.Duration
}

// Store is everything a backend provides.
type Store interface {
	Configs
	Statuses
	Epochs
	Offsets
	Leases
	Signing
	Close() error
}
