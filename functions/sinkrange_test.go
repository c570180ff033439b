package functions_test

import (
	"context"
	"slices"
	"testing"

	"github.com/ferryhq/ferry/functions"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestSinkCommitPastStaleEnd: the end offsets an invocation lists first can
// be older than the group's commit it reads next (an older invocation of the
// task read records produced in between and committed past them). That
// commit is not out of range: the invocation reads on from it, never from
// the log start. The first ListOffsets for end offsets answers 10 here while
// the log holds 20 records and the group committed 15: the sink must get
// ids 15-19, not 0-19 (which a reset to earliest on the stale end gave).
func TestSinkCommitPastStaleEnd(t *testing.T) {
	sink := &collectingSink{}
	r := newRig(t, sinkPlugin(sink))
	values := make([]string, 20)
	for i := range values {
		values[i] = record(i, "")
	}
	r.produce("in", values...)
	var offs kadm.Offsets
	offs.Add(kadm.Offset{Topic: "in", Partition: 0, At: 15, LeaderEpoch: -1})
	if _, err := r.admin.CommitOffsets(context.Background(), functions.GroupID("snk"), offs); err != nil {
		t.Fatal(err)
	}
	stale := true
	r.cluster.ControlKey(int16(kmsg.ListOffsets), func(req kmsg.Request) (kmsg.Response, error, bool) {
		r.cluster.KeepControl()
		lreq := req.(*kmsg.ListOffsetsRequest)
		if !stale || len(lreq.Topics) != 1 || len(lreq.Topics[0].Partitions) != 1 || lreq.Topics[0].Partitions[0].Timestamp != -1 {
			return nil, nil, false
		}
		stale = false
		resp := lreq.ResponseKind().(*kmsg.ListOffsetsResponse)
		rt := kmsg.NewListOffsetsResponseTopic()
		rt.Topic = lreq.Topics[0].Topic
		rp := kmsg.NewListOffsetsResponseTopicPartition()
		rp.Partition, rp.Offset, rp.Timestamp, rp.LeaderEpoch = 0, 10, -1, 0
		rt.Partitions = append(rt.Partitions, rp)
		resp.Topics = append(resp.Topics, rt)
		return resp, nil, true
	})
	cfg := map[string]string{"name": "snk", "connector.class": "test.standin.CollectingSinkConnector", "topics": "in"}
	res, err := r.invoke("test.standin.CollectingSinkConnector", cfg)
	if err != nil || res.State != functions.StateRunning {
		t.Fatalf("state %s err %v, want %s", res.State, err, functions.StateRunning)
	}
	if stale {
		t.Fatal("no ListOffsets for end offsets was answered stale: the test proves nothing")
	}
	if got := sink.snapshot(); !slices.Equal(got, ids(15, 20)) {
		t.Errorf("sink got %v, want %v", got, ids(15, 20))
	}
}
