package postgrescdc

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors/debezium"
	"github.com/ferryhq/ferry/connectors/debezium/debeziumtest"
	"github.com/jackc/pglogrepl"
)

// pause-snapshot holds the next chunk and is kept in the offset until
// resume-snapshot; additional-conditions go with their table into the
// offset (Debezium's collections JSON) and back.
func TestPauseResumeAndConditions(t *testing.T) {
	for _, tc := range debeziumtest.PauseResumeAndConditions("public.t", "public.u") {
		t.Run(tc.Name, func(t *testing.T) {
			tk, _ := incTask()
			for i, sg := range tc.Signals {
				if err := tk.change(testSignalOID, "c", 0, nil, tuple(fmt.Sprint("s", i), sg[0], sg[1]), pglogrepl.XLogData{}); err != nil {
					t.Fatal(err)
				}
			}
			if tk.inc.paused != tc.WantPaused || tk.inc.conds["public.t"] != tc.WantCond {
				t.Fatalf("paused %v condition %q, want %v %q", tk.inc.paused, tk.inc.conds["public.t"], tc.WantPaused, tc.WantCond)
			}
			off := map[string]any{}
			tk.inc.stamp(off)
			var back incState
			if err := back.restore(off); err != nil {
				t.Fatal(err)
			}
			if back.paused != tc.WantPaused || back.conds["public.t"] != tc.WantCond || !slices.Equal(back.queue, tk.inc.queue) {
				t.Fatalf("restored %+v from %v", back, off)
			}
			if tk.inc.working() == tc.WantPaused && tk.inc.busy() {
				t.Fatalf("working %v while paused %v", tk.inc.working(), tc.WantPaused)
			}
		})
	}
}

// Without the source channel the signalling table carries only watermarks.
func TestSourceChannelOff(t *testing.T) {
	tk, _ := incTask()
	tk.cfg.SignalChannels = []string{"kafka"}
	if err := tk.change(testSignalOID, "c", 0, nil, tuple("s1", debezium.SignalExecuteSnapshot, `{"data-collections": ["public.t"]}`), pglogrepl.XLogData{}); err != nil {
		t.Fatal(err)
	}
	if tk.inc.busy() {
		t.Fatalf("a signal row started a snapshot with signal.enabled.channels=kafka: %v", tk.inc.queue)
	}
}

// signal.enabled.channels: source and kafka; kafka needs its brokers.
func TestSignalChannelsConfig(t *testing.T) {
	base := map[string]string{"database.hostname": "h", "database.user": "u", "database.dbname": "d", "topic.prefix": "p"}
	for _, tc := range []struct {
		set     map[string]string
		wantErr string
	}{
		{map[string]string{"signal.enabled.channels": "source,kafka", "signal.kafka.bootstrap.servers": "b:9092"}, ""},
		{map[string]string{"signal.enabled.channels": "kafka"}, "signal.kafka.bootstrap.servers"},
		{map[string]string{"signal.enabled.channels": "source,jmx"}, "signal.enabled.channels"},
	} {
		props := map[string]string{}
		for k, v := range base {
			props[k] = v
		}
		for k, v := range tc.set {
			props[k] = v
		}
		cfg, err := parseConfig(props)
		if tc.wantErr == "" {
			if err != nil || cfg.SignalKafkaGroup != "kafka-signal" || cfg.SignalPollMs != 5000 {
				t.Errorf("%v: %v %+v", tc.set, err, cfg.KafkaSignalConfig)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%v: error %v, want one naming %s", tc.set, err, tc.wantErr)
		}
	}
}

// A signal whose state no record has carried holds the slot before its
// transaction; the first record stamped after it releases the hold.
func TestSignalHoldsTheSlot(t *testing.T) {
	tk, _ := incTask()
	tk.stream.pending = 500 // the previous transaction ended here
	for i, typ := range []string{debezium.SignalExecuteSnapshot, debezium.SignalPauseSnapshot} {
		if err := tk.change(testSignalOID, "c", 0, nil, tuple(fmt.Sprint("s", i), typ, `{"data-collections": ["public.t"]}`), pglogrepl.XLogData{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := tk.inc.safeUpTo(900); got != 500 {
		t.Fatalf("confirmed up to %d past an unsaved pause, want 500", got)
	}
	tk.inc.stamp(map[string]any{})
	if got := tk.inc.safeUpTo(900); got != 900 {
		t.Fatalf("confirmed up to %d after a record carried the pause, want 900", got)
	}
}
