package scheduler

import (
	"context"

	"github.com/ferryhq/ferry/state"
)

// maxRestartChecks bounds the connectors whose task statuses one refresh
// (every second) reads for restarts, so the loop spends little time on them
// even on a store whose reads take milliseconds (Kafka's); with more failed
// connectors, later refreshes read others (map order varies), and a restart
// sent elsewhere takes a few seconds to act.
const maxRestartChecks = 10

// pickUpRestarts restarts failed tasks whose stored status another
// scheduler process set to RESTARTING: POST .../restart served by a
// scheduler that does not dispatch the task (a standby, or the holder of
// another shard) reaches the dispatching loop through the store. Only
// failed tasks are read, so a healthy cluster reads nothing.
func (l *loop) pickUpRestarts(ctx context.Context) {
	checked := map[string]bool{}
	for k, r := range l.runs {
		if !r.Failed || r.InFlight || checked[k.Connector] || len(checked) >= maxRestartChecks {
			continue
		}
		if _, desired := l.specs[k]; !desired {
			continue
		}
		checked[k.Connector] = true
		cctx, cancel := context.WithTimeout(ctx, storeTimeout)
		sts, err := l.s.o.Store.TaskStatuses(cctx, k.Connector)
		cancel()
		if err != nil {
			continue // the next refresh asks again
		}
		for _, st := range sts {
			key := taskKey{Connector: k.Connector, Task: st.Task}
			if run, ok := l.runs[key]; ok && run.Failed && !run.InFlight && st.State == state.StateRestarting {
				run = restarted(run)
				l.runs[key] = run
				l.queue.push(run.NextDue, key)
				l.s.metrics.TaskRestarted(key.Connector, key.Task)
			}
		}
	}
}
