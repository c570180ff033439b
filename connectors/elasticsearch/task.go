package elasticsearch

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/connectjson"
)

// docJSON is how record values become documents: JsonConverter without
// schemas, Decimals as numbers (as Confluent's connector writes them).
var docJSON = connectjson.Options{ReplaceNullWithDefault: true, DecimalNumeric: true}

// Task writes the records of one invocation as bulk requests. Each Put is
// written before it returns: the cluster acknowledges a bulk item once it is
// in its translog, so Flush has nothing left to do.
type Task struct {
	cfg     *Config
	cluster *cluster
	indices map[string]bool
	log     *slog.Logger
	// docs holds the documents of the current Put; docSize is the room
	// given to each of them, from earlier Puts.
	docs    []byte
	docSize int
}

// NewTask returns an unopened task.
func NewTask() *Task { return &Task{log: slog.Default()} }

// Open parses the config and builds the client.
func (t *Task) Open(_ context.Context, props map[string]string) error {
	cfg, err := parse(props)
	if err != nil {
		return err
	}
	t.cfg = cfg
	if t.cluster, err = newCluster(cfg); err != nil {
		return fmt.Errorf("elasticsearch sink config: %w", err)
	}
	t.indices = map[string]bool{}
	return nil
}

// OverlapsPut reports that a Put mostly waits on the bulk requests it sends
// (connectors.PutOverlapper): the runtime converts the next batch meanwhile.
func (t *Task) OverlapsPut() bool { return true }

// Put turns records into bulk actions and writes them in batch.size chunks.
// Records that cannot become documents, and documents the cluster refuses
// (with behavior.on.malformed.documents=fail), come back in a
// connectors.RejectedError naming index, id and cause.
func (t *Task) Put(ctx context.Context, records []*connectors.Record) error {
	var rejected []connectors.RejectedRecord
	actions := make([]action, 0, len(records))
	// One buffer holds the Put's documents, sized from the last Put's.
	t.docs = make([]byte, 0, len(records)*t.docSize)
	defer func() { t.docSize = max(t.docSize, len(t.docs)/max(len(records), 1)+16) }()
	for _, r := range records {
		a, err := t.action(ctx, r)
		switch {
		case err == nil && a.op != "":
			actions = append(actions, a)
		case err == nil || (errors.Is(err, ErrDocument) && t.cfg.DropInvalid):
		case errors.Is(err, ErrDocument):
			rejected = append(rejected, connectors.RejectedRecord{Record: r, Err: err})
		default:
			return err
		}
	}
	refused, err := t.send(ctx, actions)
	rejected = append(rejected, refused...)
	if err != nil {
		return err
	}
	if len(rejected) > 0 {
		return &connectors.RejectedError{Rejected: rejected}
	}
	return nil
}

// send writes actions as up to max.in.flight.requests concurrent lanes of
// bulk requests of batch.size. Actions on one document id share a lane, in
// order, so concurrency never reorders the writes to a document.
func (t *Task) send(ctx context.Context, actions []action) ([]connectors.RejectedRecord, error) {
	lanes := make([][]action, max(t.cfg.MaxInFlight, 1))
	for i, a := range actions {
		l := i % len(lanes)
		if a.id != "" {
			h := fnv.New32a()
			h.Write([]byte(a.index + "\x00" + a.id))
			l = int(h.Sum32() % uint32(len(lanes)))
		}
		lanes[l] = append(lanes[l], a)
	}
	var mu sync.Mutex
	var rejected []connectors.RejectedRecord
	var errs []error
	var wg sync.WaitGroup
	for _, lane := range lanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := 0; lo < len(lane); lo += t.cfg.BatchSize {
				chunk := lane[lo:min(lo+t.cfg.BatchSize, len(lane))]
				results, err := t.cluster.bulk(ctx, chunk)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					rejected = append(rejected, t.failures(chunk, results)...)
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	sort.Slice(rejected, func(i, j int) bool { return before(rejected[i].Record, rejected[j].Record) })
	return rejected, errors.Join(errs...)
}

// before orders records as they were read: by topic, partition, offset.
func before(a, b *connectors.Record) bool {
	if a.Topic != b.Topic {
		return a.Topic < b.Topic
	}
	if a.Partition != b.Partition {
		return a.Partition < b.Partition
	}
	return a.Offset < b.Offset
}

// action builds the bulk action of one record; an empty op means skip it.
func (t *Task) action(ctx context.Context, r *connectors.Record) (action, error) {
	index := indexName(t.cfg, r.Topic)
	stream := index != r.Topic
	id := ""
	if !stream {
		var err error
		if id, err = docID(r, t.cfg.KeyIgnore || slices.Contains(t.cfg.TopicKeyIgnore, r.Topic)); err != nil {
			return action{}, err
		}
	}
	if r.Value == nil {
		return t.nullValue(r, index, id)
	}
	if !stream && !t.indices[index] && !t.schemaIgnored(r.Topic) && r.ValueSchema != nil && r.ValueSchema.Type == connectors.TypeStruct {
		if err := t.cluster.ensureIndex(ctx, index, mapping(r.ValueSchema)); err != nil {
			return action{}, err
		}
		t.indices[index] = true
	}
	upsert := !stream && strings.EqualFold(t.cfg.WriteMethod, "UPSERT")
	doc, err := t.document(r, upsert)
	if err != nil {
		return action{}, fmt.Errorf("%w: record %s offset %d cannot become JSON: %w", ErrDocument, r.Topic, r.Offset, err)
	}
	if stream {
		ts, err := streamTimestamp(r, t.cfg.DataStreamTSFld)
		if err != nil {
			return action{}, err
		}
		if doc, err = withTimestamp(doc, ts); err != nil {
			return action{}, err
		}
		return action{op: "create", index: index, source: doc, rec: r}, nil
	}
	if upsert {
		return action{op: "update", index: index, id: id, source: doc, rec: r}, nil
	}
	return action{op: "index", index: index, id: id, source: doc, rec: r}, nil
}

// document appends r's value as JSON (as JsonConverter without schemas
// writes it), wrapped as {"doc":...,"doc_as_upsert":true} for an upsert, to
// the Put's documents and returns it.
func (t *Task) document(r *connectors.Record, upsert bool) ([]byte, error) {
	start := len(t.docs)
	if upsert {
		t.docs = append(t.docs, `{"doc":`...)
	}
	docs, err := connectjson.AppendValue(t.docs, r.ValueSchema, r.Value, docJSON)
	if err != nil {
		t.docs = t.docs[:start]
		return nil, err
	}
	if upsert {
		docs = append(docs, `,"doc_as_upsert":true}`...)
	}
	t.docs = docs
	return docs[start:len(docs):len(docs)], nil
}

func (t *Task) schemaIgnored(topic string) bool {
	return t.cfg.SchemaIgnore || slices.Contains(t.cfg.TopicSchemaIgn, topic)
}

// nullValue applies behavior.on.null.values to a tombstone.
func (t *Task) nullValue(r *connectors.Record, index, id string) (action, error) {
	switch strings.ToUpper(t.cfg.NullValues) {
	case "IGNORE":
		return action{}, nil
	case "DELETE":
		if id == "" {
			return action{}, fmt.Errorf("%w: cannot delete from data stream %s: set behavior.on.null.values=IGNORE", ErrDocument, index)
		}
		return action{op: "delete", index: index, id: id, rec: r}, nil
	}
	return action{}, fmt.Errorf("%w: record %s partition %d offset %d has a null value (behavior.on.null.values=FAIL): set it to IGNORE or DELETE",
		ErrDocument, r.Topic, r.Partition, r.Offset)
}

// failures applies behavior.on.malformed.documents to refused items; a
// missing document on delete and a version conflict are not failures.
func (t *Task) failures(chunk []action, results []*itemResult) []connectors.RejectedRecord {
	var out []connectors.RejectedRecord
	for i, res := range results {
		a := chunk[i]
		switch {
		case res == nil:
			out = append(out, connectors.RejectedRecord{Record: a.rec, Err: fmt.Errorf("%w: no bulk result for document %s in index %s", ErrDocument, a.id, a.index)})
			continue
		case res.Status < 300, a.op == "delete" && res.Status == http.StatusNotFound, res.Status == http.StatusConflict:
			continue
		}
		err := fmt.Errorf("%w: index %s document %s (topic %s partition %d offset %d): status %d: %s",
			ErrDocument, res.Index, res.ID, a.rec.Topic, a.rec.Partition, a.rec.Offset, res.Status, reason(res))
		switch strings.ToUpper(t.cfg.MalformedDocs) {
		case "IGNORE":
		case "WARN":
			t.log.Warn("elasticsearch sink: skipping a document the cluster refused", "err", err)
		default:
			out = append(out, connectors.RejectedRecord{Record: a.rec, Err: err})
		}
	}
	return out
}

// Flush has nothing to do: Put returns only once the cluster acknowledged.
func (t *Task) Flush(context.Context) error { return nil }
