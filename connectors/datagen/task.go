package datagen

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// pollBatch is the most records one Poll returns. It is a constant, not a
// config key: Confluent's connector has none, and 1000 records keep a batch
// well under the producer's limits for every quickstart.
const pollBatch = 1000

// catchUpWindow bounds how much paced generation a task catches up after a
// pause (at least max.interval), so a connector resumed after an hour does
// not emit an hour of records at once.
const catchUpWindow = 30 * time.Second

// delaySalt separates the pacing draw from the record's field draws, so the
// records are the same whatever max.interval is.
const delaySalt = 0xd1b54a32d192ed03

// Task generates one task's share of records. Every record is derived from
// (seed, task.id, iteration) alone, and the offset holds the next iteration,
// so a new Task resumes exactly where the committed offset says.
//
// With max.interval > 0, records carry virtual timestamps that advance by a
// random 0..max.interval ms each, and Poll stops at the wall clock: the
// average rate matches Confluent's sleeps without sleeping.
type Task struct {
	cfg        Config
	q          *quickstart
	keyIdx     int
	taskID     int
	tasks      int64
	seed       uint64
	partition  map[string]any
	generation int64
	iteration  int64 // the next iteration to generate
	vt         int64 // virtual time of the last record (paced only)
	now        func() time.Time
	structs    connectors.StructSlab // the records' values, allocated in blocks
	rng        rng                   // the generator of the record being generated
}

// NewTask returns an unopened datagen task.
func NewTask() *Task { return &Task{now: time.Now} }

// Open parses props (task.id and tasks.max come from Connector.TaskConfigs)
// and restores generation, iteration and virtual time from the offset.
func (t *Task) Open(_ context.Context, props map[string]string, offsets connectors.OffsetReader) error {
	cfg, err := parseConfig(props)
	if err != nil {
		return err
	}
	t.cfg = cfg
	t.q, _ = lookupQuickstart(cfg.Quickstart)
	key := cfg.SchemaKeyfield
	if key == "" {
		key = t.q.keyField
	}
	t.keyIdx = t.q.schema.Field(key).Index
	if t.taskID, err = intProp(props, TaskIDKey, 0); err != nil {
		return err
	}
	t.tasks = int64(max(connectors.Framework(props).TasksMax, t.taskID+1))
	seed := nameSeed(props["name"])
	if cfg.RandomSeed.Set {
		seed = cfg.RandomSeed.Value
	}
	t.seed = taskSeed(seed, t.taskID)
	t.partition = map[string]any{TaskIDKey: t.taskID}
	return t.restore(offsets)
}

func intProp(props map[string]string, key string, def int) (int, error) {
	raw, ok := props[key]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("datagen config: %w", &connectors.ConfigError{Key: key, Value: raw, Reason: "Not a non-negative number of type INT"})
	}
	return n, nil
}

// restore reads the committed offset; absent keys start from zero.
func (t *Task) restore(offsets connectors.OffsetReader) error {
	var off map[string]any
	if offsets != nil {
		off = offsets.Offset(t.partition)
	}
	var err error
	if t.generation, err = offsetInt(off, TaskGenerationKey); err != nil {
		return err
	}
	if t.iteration, err = offsetInt(off, CurrentIterationKey); err != nil {
		return err
	}
	if t.cfg.MaxInterval <= 0 {
		return nil
	}
	if t.vt, err = offsetInt(off, VirtualTimeKey); err != nil {
		return err
	}
	now := t.now().UnixMilli()
	if _, ok := off[VirtualTimeKey]; !ok {
		t.vt = now - t.cfg.MaxInterval
	}
	t.vt = max(t.vt, now-max(catchUpWindow.Milliseconds(), t.cfg.MaxInterval))
	return nil
}

// offsetInt reads a whole number from an offset, whatever numeric type the
// offset store decoded it as; a missing key is 0.
func offsetInt(off map[string]any, key string) (int64, error) {
	switch v := off[key].(type) {
	case nil:
		return 0, nil
	case int64:
		return v, nil
	case int:
		return int64(v), nil
	case int32:
		return int64(v), nil
	case float64:
		if v == math.Trunc(v) {
			return int64(v), nil
		}
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("%w: %s = %v (%T) is not a whole number; reset the connector's offsets", ErrOffset, key, off[key], off[key])
}

// Poll returns up to pollBatch records; none once iterations are reached or,
// when paced, once the virtual clock has caught up with the wall clock.
func (t *Task) Poll(context.Context) ([]*connectors.Record, error) {
	n := int64(pollBatch)
	if limit := int64(t.cfg.Iterations); limit > 0 {
		n = min(n, limit-t.iteration)
	}
	if n <= 0 {
		return nil, nil
	}
	paced := t.cfg.MaxInterval > 0
	now := t.now().UnixMilli()
	slab := make([]connectors.Record, n)
	headers := make([]connectors.Header, 3*n)
	offs := make([]offset, n)
	out := make([]*connectors.Record, 0, n)
	for i := range n {
		seed := recordSeed(t.seed, t.iteration)
		ts := connectors.NoTimestamp
		if paced {
			delay := (&rng{s: seed ^ delaySalt}).between(0, t.cfg.MaxInterval)
			if t.vt+delay > now {
				break
			}
			t.vt += delay
			ts = t.vt
		}
		r := &slab[i]
		t.generate(r, headers[3*i:3*i+3:3*i+3], seed)
		offs[i] = offset{generation: t.generation + 1, iteration: t.iteration + 1, vt: t.vt, paced: paced}
		r.LazyOffset = &offs[i]
		r.Timestamp = ts
		out = append(out, r)
		t.iteration++
	}
	return out, nil
}

// generate fills r with the record of iteration t.iteration.
func (t *Task) generate(r *connectors.Record, headers []connectors.Header, seed uint64) {
	it := t.iteration
	st := t.structs.New(t.q.schema)
	t.rng = rng{s: seed}
	t.q.fill(st, &t.structs, &t.rng, it, it*t.tasks+int64(t.taskID))
	headers[0] = connectors.Header{Key: TaskGenerationKey, Schema: connectors.Int64Schema, Value: t.generation}
	headers[1] = connectors.Header{Key: TaskIDKey, Schema: connectors.Int64Schema, Value: int64(t.taskID)}
	headers[2] = connectors.Header{Key: CurrentIterationKey, Schema: connectors.Int64Schema, Value: t.structs.Int64(it)}
	*r = connectors.Record{
		Topic: t.cfg.KafkaTopic, Partition: connectors.NoPartition, Offset: -1,
		KeySchema: connectors.StringSchema, Key: keyValue(&t.structs, st.At(t.keyIdx)),
		ValueSchema: t.q.schema, Value: st, Headers: headers,
		SourcePartition: t.partition,
	}
}

// offset is a record's source offset, built into Confluent's map only when
// the runtime reads it (connectors.Record.LazyOffset): the generation and
// iteration to resume from and, when paced, the record's virtual time.
type offset struct {
	generation, iteration, vt int64
	paced                     bool
}

// BuildOffset returns the offset map Confluent's connector commits.
func (o *offset) BuildOffset() map[string]any {
	off := map[string]any{TaskGenerationKey: o.generation, CurrentIterationKey: o.iteration}
	if o.paced {
		off[VirtualTimeKey] = o.vt
	}
	return off
}
