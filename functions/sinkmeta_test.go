package functions_test

import (
	"sync"
	"testing"

	"github.com/ferryhq/ferry/functions"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestSinkMissingTopicListsOnlyItsTopics: a sink invoked before its topic
// exists reads nothing and asks the broker for the metadata of its own
// topics only, never of every topic in the cluster (which the admin client
// would then keep cached for the life of the worker).
func TestSinkMissingTopicListsOnlyItsTopics(t *testing.T) {
	sink := &collectingSink{}
	r := newRig(t, sinkPlugin(sink))
	r.produce("other", record(0, ""))
	var mu sync.Mutex
	allTopics := 0
	r.cluster.ControlKey(int16(kmsg.Metadata), func(req kmsg.Request) (kmsg.Response, error, bool) {
		r.cluster.KeepControl()
		if req.(*kmsg.MetadataRequest).Topics == nil {
			mu.Lock()
			allTopics++
			mu.Unlock()
		}
		return nil, nil, false
	})
	cfg := map[string]string{"name": "snk", "connector.class": "test.standin.CollectingSinkConnector", "topics": "absent"}
	for range 2 {
		res, err := r.invoke("test.standin.CollectingSinkConnector", cfg)
		if err != nil || res.State != functions.StateRunning {
			t.Fatalf("state %s err %v, want %s", res.State, err, functions.StateRunning)
		}
	}
	if got := len(sink.snapshot()); got != 0 {
		t.Errorf("written %d, want 0", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if allTopics != 0 {
		t.Errorf("%d metadata requests for every topic, want 0", allTopics)
	}
}
