package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"syscall"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// devBrokerPort is where the embedded development broker listens, away from
// a real broker's 9092; when it is taken, the broker takes a free port.
const devBrokerPort = 19092

// startDevBroker starts franz-go's kfake as a single-node development broker
// on devBrokerPort, or on a free port when another process has that one.
//
// Its records survive kill -9: kfake writes each batch to its segment file
// before it acknowledges the produce, appends group commits and producer ids
// to logs as they happen, and rewrites topics.json when a topic is created
// through CreateTopics. Topics auto-created by a Metadata request were only
// saved at a clean shutdown, so after kill -9 their records were lost (and
// new batches were appended behind the old ones at the wrong positions);
// persistAutoCreatedTopics routes them through the saving path. Records are
// in the OS page cache, not fsynced: a machine crash can lose the last ones.
func startDevBroker(dir string, log *slog.Logger) (*kfake.Cluster, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	opts := []kfake.Opt{kfake.DataDir(dir), kfake.AllowAutoTopicCreation(), kfake.NumBrokers(1)}
	c, err := kfake.NewCluster(append(opts, kfake.Ports(devBrokerPort))...)
	if errors.Is(err, syscall.EADDRINUSE) {
		log.Warn(fmt.Sprintf("port %d is taken (another ferry standalone?): the development broker takes a free port", devBrokerPort))
		c, err = kfake.NewCluster(append(opts, kfake.Ports(0))...)
	}
	if err != nil {
		return nil, fmt.Errorf("embedded development broker: %w (pass --bootstrap-servers to use a real Kafka)", err)
	}
	persistAutoCreatedTopics(c, log)
	log.Warn("NO --bootstrap-servers GIVEN: started an embedded single-node DEVELOPMENT broker (franz-go kfake) — not for production",
		"bootstrap", strings.Join(c.ListenAddrs(), ","), "data", dir)
	fmt.Fprintf(os.Stderr, "ferry: development broker listening on %s\n", strings.Join(c.ListenAddrs(), ","))
	return c, nil
}

// persistAutoCreatedTopics creates the topics a Metadata request would
// auto-create through the cluster's CreateTopic, which saves topics.json at
// once, before the request goes on to find them.
func persistAutoCreatedTopics(c *kfake.Cluster, log *slog.Logger) {
	var known sync.Map // topic names known to exist
	c.ControlKey(int16(kmsg.Metadata), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		m, ok := req.(*kmsg.MetadataRequest)
		if !ok || !m.AllowAutoTopicCreation {
			return nil, nil, false
		}
		var missing []string
		for _, t := range m.Topics {
			if t.Topic == nil || *t.Topic == "" {
				continue
			}
			if _, ok := known.Load(*t.Topic); !ok {
				missing = append(missing, *t.Topic)
			}
		}
		if len(missing) == 0 {
			return nil, nil, false
		}
		// CreateTopic runs on the cluster's loop, which this control
		// function holds: sleep so that the loop runs it.
		c.SleepControl(func() {
			for _, t := range missing {
				if err := c.CreateTopic(t, -1, nil); err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
					log.Warn("development broker: creating topic", "topic", t, "err", err)
					continue
				}
				known.Store(t, true)
			}
		})
		return nil, nil, false
	})
}
