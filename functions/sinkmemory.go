package functions

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/ferryhq/ferry/connectors"
	"github.com/twmb/franz-go/pkg/kgo"
)

// sinkMemory is what a sink batch is cut from: its records, their header
// slices, the printed values and the blocks of bytes they are packed into,
// and the batch's slices (the records for the task and the Kafka records
// they came from). A source's keys, values and headers are packed into its
// bytes too.
//
// For a task that keeps nothing of a record past its Put, a
// connectors.ValuePrinter whose values the runtime prints (printValues) and
// whose Puts do not overlap, one batch's memory is handed out again for the
// next (rewind), and it is lent to the next such invocation on the worker
// (Handler.memory, memoryPool): a sink keeping up with a stream in invocations of a
// few thousand records allocates no blocks per batch or per invocation once
// warm, where it allocated about 250 bytes per record for them (the record,
// its printed value and its slots in the batch's slices: an order of
// BenchmarkJSONPassthrough in invocations of 5,000, 1,056 -> 797-817 heap
// bytes per record).
type sinkMemory struct {
	records   slab[connectors.Record]
	headers   slab[connectors.Header]
	texts     slab[connectors.JavaText]
	bytes     bytesSlab
	batch     []*connectors.Record
	originals []*kgo.Record
	// reused is set while the memory is handed out again batch after batch.
	reused bool
}

// recordBlock is the n records of a poll for convertFetches to fill (record):
// one allocation of exactly n (a task may keep its records, and a shared
// block would keep its neighbours), none when the memory is reused.
func (m *sinkMemory) recordBlock(n int) []connectors.Record {
	if m.reused {
		return nil
	}
	return make([]connectors.Record, n)
}

// record is the next record to fill: the first of block, which it cuts
// off, or when the memory is reused one cut from the kept blocks (all of
// slabSize records, so each is handed out again batch after batch).
func (m *sinkMemory) record(block *[]connectors.Record) *connectors.Record {
	if m.reused {
		return m.records.one()
	}
	r := &(*block)[0]
	*block = (*block)[1:]
	return r
}

// rewind hands the batch's memory out again for the next batch; the task
// must keep nothing of the batch. It drops the batch's pointers to Kafka's
// records, which hold their fetch's buffers.
func (m *sinkMemory) rewind() {
	clear(m.batch[:cap(m.batch)])
	clear(m.originals[:cap(m.originals)])
	m.batch, m.originals = m.batch[:0], m.originals[:0]
	m.records.rewind()
	m.headers.rewind()
	m.texts.rewind()
	m.bytes.rewind()
}

// setReuse turns the reuse of the slabs' blocks on or off.
func (m *sinkMemory) setReuse(on bool) {
	m.reused = on
	m.records.reuse, m.headers.reuse, m.texts.reuse, m.bytes.reuse = on, on, on, on
}

// maxKeptMemory bounds the sink memory a worker keeps for sure between
// invocations (memoryPool.last): a batch of 5,000 orders of
// BenchmarkJSONPassthrough takes about 1.7 MB. Larger memory (large
// values, up to fetch.max.bytes a batch) only goes to the sync.Pool.
const maxKeptMemory = 4 << 20

// memoryPool keeps sink memory between invocations on a worker: the last
// memory given back, when within maxKeptMemory, until the next invocation
// takes it, and the rest in a sync.Pool, which the garbage collector
// empties when no invocation takes it (it did for about one invocation of
// 5,000 in five in BenchmarkJSONPassthrough, each then allocating its
// batch's memory again).
type memoryPool struct {
	last atomic.Pointer[sinkMemory]
	pool sync.Pool
}

// lend gives p the memory the last invocation that reused its memory gave
// back, or new memory, and has p reuse it batch after batch.
func (mp *memoryPool) lend(p *pipeline) {
	if m := mp.last.Swap(nil); m != nil {
		p.sinkMemory = *m
	} else if m, ok := mp.pool.Get().(*sinkMemory); ok {
		p.sinkMemory = *m
	}
	p.setReuse(true)
}

// keep takes p's memory back for the next invocation: p's task must keep
// nothing of its records.
func (mp *memoryPool) keep(p *pipeline) {
	m := p.sinkMemory
	m.rewind()
	p.sinkMemory = sinkMemory{}
	if m.size() > maxKeptMemory || !mp.last.CompareAndSwap(nil, &m) {
		mp.pool.Put(&m)
	}
}

// size is about how many bytes m's blocks and slices take.
func (m *sinkMemory) size() int {
	return len(m.records.kept)*slabSize*int(unsafe.Sizeof(connectors.Record{})) +
		len(m.headers.kept)*slabSize*int(unsafe.Sizeof(connectors.Header{})) +
		len(m.texts.kept)*slabSize*int(unsafe.Sizeof(connectors.JavaText{})) +
		len(m.bytes.kept)*byteBlockSize + (cap(m.batch)+cap(m.originals))*int(unsafe.Sizeof(uintptr(0)))
}
