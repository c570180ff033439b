package scheduler

import (
	"container/heap"
	"time"
)

// dueQueue orders tasks by the time they are due, so the loop finds the next
// task to dispatch without scanning every task after each result. Entries are
// hints: the run itself (taskRun.NextDue, InFlight, Failed) decides, so an
// entry made stale by a later change is dropped when popped.
type dueQueue struct{ items dueItems }

type dueItem struct {
	at  time.Time
	key taskKey
}

type dueItems []dueItem

func (q dueItems) Len() int           { return len(q) }
func (q dueItems) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q dueItems) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *dueItems) Push(x any)        { *q = append(*q, x.(dueItem)) }
func (q *dueItems) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

// push adds key, due at at.
func (q *dueQueue) push(at time.Time, key taskKey) { heap.Push(&q.items, dueItem{at: at, key: key}) }

// next is the earliest due time (zero when empty).
func (q *dueQueue) next() time.Time {
	if len(q.items) == 0 {
		return time.Time{}
	}
	return q.items[0].at
}

// popDue removes and returns the keys due at or before now.
func (q *dueQueue) popDue(now time.Time) []taskKey {
	var out []taskKey
	for len(q.items) > 0 && !q.items[0].at.After(now) {
		out = append(out, heap.Pop(&q.items).(dueItem).key)
	}
	return out
}

// reset empties the queue.
func (q *dueQueue) reset() { q.items = q.items[:0] }
