package storage

import (
	"errors"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

func TestRotation(t *testing.T) {
	kolkata, _ := time.LoadLocation("Asia/Kolkata")
	at := func(s string) int64 { v, _ := time.Parse(time.RFC3339, s); return v.UnixMilli() }
	hour := time.Hour.Milliseconds()
	cases := []struct {
		name              string
		rot               Rotation
		enc, current      string
		ts, base, op, now int64
		want              bool
	}{
		{"interval off", Rotation{Loc: time.UTC}, "a", "a", 10 * hour, 0, 0, 0, false},
		{"interval not reached", Rotation{IntervalMs: hour, Loc: time.UTC}, "a", "a", hour - 1, 0, 0, 0, false},
		{"interval reached", Rotation{IntervalMs: hour, Loc: time.UTC}, "a", "a", hour, 0, 0, 0, true},
		{"new time partition", Rotation{IntervalMs: hour, Loc: time.UTC, TimeBased: true}, "b", "a", 1, 0, 0, 0, true},
		{"new partition, not time-based", Rotation{IntervalMs: hour, Loc: time.UTC}, "b", "a", 1, 0, 0, 0, false},
		{"schedule boundary not passed", Rotation{ScheduleMs: hour, Loc: time.UTC}, "a", "a", 0, 0,
			at("2026-03-01T10:10:00Z"), at("2026-03-01T10:59:59Z"), false},
		{"schedule boundary passed", Rotation{ScheduleMs: hour, Loc: time.UTC}, "a", "a", 0, 0,
			at("2026-03-01T10:10:00Z"), at("2026-03-01T11:00:00Z"), true},
		// Kolkata hours start at :30 UTC.
		{"schedule aligned in the zone", Rotation{ScheduleMs: hour, Loc: kolkata}, "a", "a", 0, 0,
			at("2026-03-01T10:10:00Z"), at("2026-03-01T10:30:00Z"), true},
	}
	for _, c := range cases {
		if got := c.rot.OnTime(c.enc, c.current, c.ts, c.base, c.op, c.now); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

// Put writes every record but the ones that fail on their own, which it
// returns named; another error stops it.
func TestPut(t *testing.T) {
	own := errors.New("sink: bad record")
	recs := []*connectors.Record{{Topic: "t", Offset: 0}, {Topic: "t", Offset: 1}, {Topic: "t", Offset: 2}, {Topic: "t", Offset: 3}}
	var written []int64
	err := Put(recs, func(r *connectors.Record) error {
		switch r.Offset {
		case 1:
			return ErrSchema
		case 2:
			return own
		}
		written = append(written, r.Offset)
		return nil
	}, own)
	var rej *connectors.RejectedError
	if !errors.As(err, &rej) || len(rej.Rejected) != 2 || len(written) != 2 || rej.Rejected[1].Record.Offset != 2 {
		t.Fatalf("got %v, written %v", err, written)
	}
	down := errors.New("store down")
	if err := Put(recs, func(*connectors.Record) error { return down }); !errors.Is(err, down) {
		t.Fatalf("got %v, want the store's error", err)
	}
}

// A batch given again after a failed try: written records are skipped,
// rejected ones rejected again until a Put reported them.
func TestProgress(t *testing.T) {
	bad := errors.New("bad record")
	var p Progress
	p.Handled(10, nil)
	p.Handled(11, bad)
	p.Handled(12, nil)
	cases := []struct {
		name    string
		offset  int64
		done    bool
		err     error
		collect bool // Reported before the lookup
	}{
		{"written", 10, true, nil, false},
		{"rejected", 11, true, bad, false},
		{"not yet", 13, false, nil, false},
		{"rejected, reported", 11, true, nil, true},
		{"written, reported", 12, true, nil, true},
	}
	for _, c := range cases {
		if c.collect {
			p.Reported()
		}
		if done, err := p.Done(c.offset); done != c.done || err != c.err {
			t.Errorf("%s: Done(%d) = %v, %v; want %v, %v", c.name, c.offset, done, err, c.done, c.err)
		}
	}
}
