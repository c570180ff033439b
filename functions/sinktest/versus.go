package sinktest

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// VersusDirect measures a sink against its own client library in one run:
// it reads topic's n records once (unmeasured, so neither side pays for a
// cold broker), runs direct (the client library writing the same payloads
// with the same batching) and then sink (ferry's sink draining topic), and
// reports with b.ReportMetric the sink's wall time and CPU as multiples of
// the direct run's (the target is 1.5 or less) and records per CPU-second
// of this process for both (servers in other processes are not counted).
// The caller checks what each side wrote.
func (r *Rig) VersusDirect(b *testing.B, name, topic string, n int, direct, sink func()) {
	b.Helper()
	r.Consume(topic, n)
	runtime.GC() // neither side pays for the other's or the set-up's garbage
	dWall, dCPU := Measure(direct)
	runtime.GC()
	sWall, sCPU := Measure(sink)
	b.ReportMetric(sWall.Seconds()/dWall.Seconds(), "x-direct")
	b.ReportMetric(sCPU.Seconds()/dCPU.Seconds(), "cpu-x-direct")
	b.ReportMetric(float64(n)/sCPU.Seconds(), "sink-records/CPU-s")
	b.ReportMetric(float64(n)/dCPU.Seconds(), "direct-records/CPU-s")
	b.Logf("%s, %d records: direct client %v (%v CPU), ferry sink from Kafka %v (%v CPU): time ×%.2f, CPU ×%.2f of direct",
		name, n, dWall.Round(time.Millisecond), dCPU.Round(time.Millisecond), sWall.Round(time.Millisecond),
		sCPU.Round(time.Millisecond), sWall.Seconds()/dWall.Seconds(), sCPU.Seconds()/dCPU.Seconds())
}

// Baseline is one baseline's measured wall and CPU time, named in the
// metrics Report reports.
type Baseline struct {
	Name      string
	Wall, CPU time.Duration
}

// Report reports with b.ReportMetric the sink's wall time and CPU for n
// records as multiples of each baseline's (x-<name>, cpu-x-<name>; the
// target is 1.5 or less) and records per CPU-second of the sink and of each
// baseline, and logs them in one line.
func Report(b *testing.B, what string, n int, sink, sinkCPU time.Duration, bases ...Baseline) {
	b.Helper()
	b.ReportMetric(float64(n)/sinkCPU.Seconds(), "sink-records/CPU-s")
	line := fmt.Sprintf("%s, %d records: ferry sink from Kafka %v (%v CPU)", what, n,
		sink.Round(time.Millisecond), sinkCPU.Round(time.Millisecond))
	for _, base := range bases {
		b.ReportMetric(sink.Seconds()/base.Wall.Seconds(), "x-"+base.Name)
		b.ReportMetric(sinkCPU.Seconds()/base.CPU.Seconds(), "cpu-x-"+base.Name)
		b.ReportMetric(float64(n)/base.CPU.Seconds(), base.Name+"-records/CPU-s")
		line += fmt.Sprintf("; %s %v (%v CPU): sink time ×%.2f, CPU ×%.2f", base.Name, base.Wall.Round(time.Millisecond),
			base.CPU.Round(time.Millisecond), sink.Seconds()/base.Wall.Seconds(), sinkCPU.Seconds()/base.CPU.Seconds())
	}
	b.Log(line)
}
