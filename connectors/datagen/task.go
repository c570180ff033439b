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
	draws      []draw                // the fields of the record being generated
	// keyDraw is the draw of the key field when it is a string or an
	// integer, else -1 (the key is printed from the built Struct).
	keyDraw int
	// json is set by WriteJSONValues: values are written as JSON from
	// their draws (jsonSize: the bytes a poll's values took, per record).
	json     bool
	jsonSize int
	text     []byte // the current poll's block of JSON values
	// reuse holds the blocks of the last poll's records with JSON values.
	reuse struct {
		recs    []connectors.Record
		headers []connectors.Header
		out     []*connectors.Record
		texts   []connectors.JSONText
	}
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
	t.draws, t.keyDraw = make([]draw, t.q.draws), keyDraw(t.q.schema, t.keyIdx)
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
	slab, headers, out, texts := t.blocks(int(n))
	offs := make([]offset, n) // never reused: the runtime keeps the last record's
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
		var text *connectors.JSONText
		if t.json {
			text = &texts[i]
		}
		t.generate(r, headers[3*i:3*i+3:3*i+3], seed, text)
		offs[i] = offset{generation: t.generation + 1, iteration: t.iteration + 1, vt: t.vt, paced: paced}
		r.LazyOffset = &offs[i]
		r.Timestamp = ts
		out = append(out, r)
		t.iteration++
	}
	if t.json && len(out) > 0 {
		t.jsonSize = len(t.text)/len(out) + 4 // the mean of 1,000 values moves by less
	}
	return out, nil
}

// blocks returns the blocks of a poll of n records: new ones, or with JSON
// values (WriteJSONValues) the previous poll's, which the runtime no longer
// reads (connectors.JSONValueWriter); the values' bytes are always new.
func (t *Task) blocks(n int) ([]connectors.Record, []connectors.Header, []*connectors.Record, []connectors.JSONText) {
	if !t.json {
		return make([]connectors.Record, n), make([]connectors.Header, 3*n), make([]*connectors.Record, 0, n), nil
	}
	if len(t.reuse.recs) < n {
		t.reuse.recs, t.reuse.headers = make([]connectors.Record, n), make([]connectors.Header, 3*n)
		t.reuse.out, t.reuse.texts = make([]*connectors.Record, 0, n), make([]connectors.JSONText, n)
	}
	t.text = make([]byte, 0, n*t.jsonSize)
	return t.reuse.recs[:n], t.reuse.headers[:3*n], t.reuse.out[:0], t.reuse.texts[:n]
}

// generate fills r with the record of iteration t.iteration; with text
// (WriteJSONValues) its value is written there as JSON.
func (t *Task) generate(r *connectors.Record, headers []connectors.Header, seed uint64, text *connectors.JSONText) {
	it := t.iteration
	t.rng = rng{s: seed}
	t.q.fill(t.draws, &t.rng, it, it*t.tasks+int64(t.taskID))
	// r and headers are zero or reused (blocks): every field is set, field
	// by field, not copied whole (a copy of a value with pointers is the
	// slower write).
	setHeader(&headers[0], TaskGenerationKey, t.generation)
	setHeader(&headers[1], TaskIDKey, int64(t.taskID))
	setHeader(&headers[2], CurrentIterationKey, t.structs.Int64(it))
	r.Topic, r.Partition, r.Offset = t.cfg.KafkaTopic, connectors.NoPartition, -1
	r.KeySchema, r.Headers, r.SourcePartition = connectors.StringSchema, headers, t.partition
	r.ValueSchema, r.SourceOffset = nil, nil
	if text == nil || t.keyDraw < 0 {
		st, _ := build(t.q.schema, t.draws, &t.structs)
		r.Key = keyValue(&t.structs, st.At(t.keyIdx))
		if text == nil {
			r.ValueSchema, r.Value = t.q.schema, st
			return
		}
	} else {
		r.Key = t.drawnKey()
	}
	start := len(t.text)
	t.text = t.q.json.append(t.text, t.draws)
	*text = t.text[start:len(t.text):len(t.text)]
	r.Value = text
}

// setHeader sets h, a zero header, to an INT64 header.
func setHeader(h *connectors.Header, key string, v any) {
	h.Key, h.Schema, h.Value = key, connectors.Int64Schema, v
}

// WriteJSONValues makes later polls write each value as JSON from its
// draws (connectors.JSONValueWriter); the quickstarts' values hold no nulls
// and no decimals. Call it after Open.
func (t *Task) WriteJSONValues() bool {
	t.json = t.q.json != nil
	t.jsonSize = max(t.jsonSize, 256)
	return t.json
}

// drawnKey is the key of the record just drawn, from its draw (keyDraw),
// as keyValue prints it from the Struct.
func (t *Task) drawnKey() any {
	d := &t.draws[t.keyDraw]
	if t.q.schema.Fields[t.keyIdx].Schema.Type == connectors.TypeString {
		return d.s.v
	}
	return t.structs.String(t.structs.FormatInt(d.n))
}

// keyDraw is the draw of s's top-level field i when it is a string or an
// integer, else -1.
func keyDraw(s *connectors.Schema, i int) int {
	switch s.Fields[i].Schema.Type {
	case connectors.TypeString, connectors.TypeInt32, connectors.TypeInt64:
		before, _ := primitives(&connectors.Schema{Type: connectors.TypeStruct, Fields: s.Fields[:i]})
		return len(before)
	}
	return -1
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
