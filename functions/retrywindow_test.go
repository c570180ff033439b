package functions

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/convert"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestRetryWindowAcrossInvocations: errors.retry.timeout is not capped at the
// invocation. A retriable failure that outlasts the invocation's budget ends
// it with the window still open (retryWindowOpen, carried by the scheduler);
// the next invocation retries within the carried window; only a spent window
// hands the failure to errors.tolerance.
func TestRetryWindowAcrossInvocations(t *testing.T) {
	transient := connectors.Retriable(errors.New("schema registry unavailable"))
	now := time.Now()
	cases := []struct {
		name    string
		timeout time.Duration
		carried time.Time
		budget  time.Time
		open    bool      // ends with the window open
		since   time.Time // its start, when not "now"
	}{
		{name: "300000 ms outlasts a 10 s invocation", timeout: 300 * time.Second, budget: now, open: true},
		{name: "-1 (forever) never hands the record to tolerance", timeout: -1, budget: now, open: true},
		{name: "carried window still open", timeout: 300 * time.Second, carried: now.Add(-time.Minute), budget: now,
			open: true, since: now.Add(-time.Minute)},
		{name: "carried window spent", timeout: 300 * time.Second, carried: now.Add(-10 * time.Minute), budget: now.Add(time.Hour)},
		{name: "short window spent within the invocation", timeout: time.Nanosecond, budget: now.Add(time.Hour)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := testPolicy(tc.timeout, time.Minute, tc.budget)
			p.carried = tc.carried
			before := time.Now()
			err := p.retry(context.Background(), func() error { return transient })
			var open *retryWindowOpen
			if errors.As(err, &open) != tc.open || !errors.Is(err, transient) {
				t.Fatalf("err = %v; want window open %v", err, tc.open)
			}
			if !tc.open {
				return
			}
			if want := tc.since; !want.IsZero() && !open.Since.Equal(want) || want.IsZero() && open.Since.Before(before) {
				t.Errorf("window since %v; want %v", open.Since, tc.since)
			}
			if !isRetriable(err) {
				t.Error("an open window must classify as RETRYING")
			}
		})
	}
}

// TestCarriedWindowFirstRetryOnly: the carried start applies to the
// invocation's first retried operation only.
func TestCarriedWindowFirstRetryOnly(t *testing.T) {
	p, _ := testPolicy(300*time.Second, time.Minute, time.Now())
	p.carried = time.Now().Add(-time.Minute)
	if err := p.retry(context.Background(), func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	var open *retryWindowOpen
	err := p.retry(context.Background(), func() error { return connectors.Retriable(errors.New("down")) })
	if !errors.As(err, &open) || open.Since.Before(before) {
		t.Errorf("err %v: a later operation must start its own window", err)
	}
}

// failingConverter is a test stand-in converter that always fails retriably.
type failingConverter struct{}

func (failingConverter) FromConnect(context.Context, string, *connectors.Schema, any) ([]byte, error) {
	return nil, connectors.Retriable(errors.New("stand-in converter: registry unreachable"))
}

func (failingConverter) ToConnect(context.Context, string, []byte) (*connectors.Schema, any, error) {
	return nil, nil, connectors.Retriable(errors.New("stand-in converter: registry unreachable"))
}

// TestOpenWindowIsNotARecordFailure: under tolerance=all with a DLQ, a record
// whose retries outlast the invocation is neither counted, skipped nor sent
// to the DLQ; once the carried window is spent it is.
func TestOpenWindowIsNotARecordFailure(t *testing.T) {
	for _, tc := range []struct {
		name    string
		carried time.Time
		skipped bool
	}{
		{name: "window open", carried: time.Time{}},
		{name: "window spent", carried: time.Now().Add(-time.Hour), skipped: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs, _ := testPolicy(300*time.Second, time.Minute, time.Now())
			errs.tolerateAll, errs.carried, errs.counts = true, tc.carried, &ErrorCounts{}
			res := &Result{}
			p := &pipeline{inv: Invocation{Connector: "c"}, convs: convert.Set{Key: failingConverter{}, Value: failingConverter{}},
				errs: errs, dlq: &deadLetters{topic: "dlq"}, res: res}
			r, err := p.fromKafka(context.Background(), &kgo.Record{Topic: "t", Value: []byte("x")})
			var open *retryWindowOpen
			if r != nil || errors.As(err, &open) == tc.skipped || (err == nil) != tc.skipped {
				t.Fatalf("record %v err %v", r, err)
			}
			if n := int64(len(p.dlq.records)); (res.Failed == 1) != tc.skipped || (n == 1) != tc.skipped {
				t.Errorf("failed %d, dead letters %d", res.Failed, n)
			}
		})
	}
}
