package functions

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"sort"

	"github.com/ferryhq/ferry/connectors"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// topicPartition is one partition a sink task reads.
type topicPartition struct {
	topic     string
	partition int32
}

// sinkPlan is a sink invocation's share of the work: its partitions, where to
// start in each, and the end offsets seen when the invocation began.
type sinkPlan struct {
	group  string
	topics []string
	mine   []topicPartition
	start  map[topicPartition]int64
	end    map[topicPartition]int64
	// ids are the topics' IDs when the invocation began (all zero from a
	// broker without topic IDs): a topic deleted and re-created under the
	// same name has a new one.
	ids map[string]topicID
	// state is the task's state committed with each start offset (connectors.CommitStater).
	state map[topicPartition]string
	// reset is auto.offset.reset: where a partition without a commit starts.
	reset string
	// latest are the partitions without a commit that start at their end
	// (auto.offset.reset=latest), and those whose commit past the end was
	// reset (resetPastEnd): their position is committed even when nothing
	// is read, so later records are not skipped.
	latest map[topicPartition]bool
	// behind is set when the task's warm consumer on this worker stands
	// before the end offsets: there is work, so the start offsets are read
	// once, by takeOverGroup, and start is empty until then.
	behind bool
}

// planSink lists the connector's topic-partitions, keeps this task's share
// (sorted, round-robin by task id) and looks up end offsets, and the
// committed ones unless the task's warm consumer shows there is work
// (sinkPlan.behind): a task with nothing to read costs no more than these
// lookups, and a task with work reads its committed offsets once, after its
// takeover (takeOverGroup).
func (h *Handler) planSink(ctx context.Context, inv Invocation, cfg *connectors.SinkConnectorConfig) (*sinkPlan, error) {
	topics, err := h.sinkTopics(ctx, cfg)
	if err != nil {
		return nil, err
	}
	plan := &sinkPlan{group: sinkGroup(inv.Config, inv.Connector), start: map[topicPartition]int64{}, end: map[topicPartition]int64{},
		reset: h.kafka.offsetReset(inv.Config)}
	ends, ids, err := h.endOffsets(ctx, topics)
	if err != nil {
		return nil, err
	}
	plan.ids = ids
	mine := assign(ends, inv.Task, taskCount(inv, cfg.TasksMax))
	if len(mine) == 0 {
		return plan, nil
	}
	plan.topics, plan.mine = topics, mine
	for _, tp := range mine {
		e, _ := ends.Lookup(tp.topic, tp.partition)
		plan.end[tp] = e.Offset
	}
	if plan.behind = h.kafka.consumers.behind(taskName(inv), plan.end); plan.behind {
		return plan, nil
	}
	return plan, h.fetchStarts(ctx, plan)
}

// endOffsets lists the end offsets and IDs of the topics that exist, none
// when no topic exists yet. kadm.ListEndOffsets on topics none of which
// exists sends an empty ListOffsets request, which franz-go resolves by
// fetching the metadata of every topic in the cluster and caching it in the
// admin client for the life of the worker (10 MB on a broker with 7,500
// topics): a sink started before its topic must not pay that on every
// invocation.
func (h *Handler) endOffsets(ctx context.Context, topics []string) (kadm.ListedOffsets, map[string]topicID, error) {
	ids, err := h.liveTopics(ctx, topics)
	if err != nil {
		return nil, nil, err
	}
	if len(ids) == 0 {
		return nil, nil, nil
	}
	exist := make([]string, 0, len(ids))
	for _, t := range topics {
		if _, ok := ids[t]; ok {
			exist = append(exist, t)
		}
	}
	adm, _, err := h.kafka.admin()
	if err != nil {
		return nil, nil, err
	}
	ends, err := adm.ListEndOffsets(ctx, exist...)
	if err != nil {
		return nil, nil, retriable("listing end offsets of %v: %w", exist, err)
	}
	return ends, ids, nil
}

// topicID is a Kafka topic ID (metadata v10+); all zero from a broker without them.
type topicID = [16]byte

// liveTopics asks the broker which of topics exist, with their IDs. It
// sends its own metadata request: kadm.ListTopics answers from the admin
// client's metadata cache for up to 5 s (metadata min age), which can still
// hold a topic deleted and re-created since, under its old ID.
func (h *Handler) liveTopics(ctx context.Context, topics []string) (map[string]topicID, error) {
	if len(topics) == 0 {
		return nil, nil // an empty request would list every topic in the cluster
	}
	req := kmsg.NewPtrMetadataRequest()
	for _, t := range topics {
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(t)
		req.Topics = append(req.Topics, rt)
	}
	_, cl, err := h.kafka.admin()
	if err != nil {
		return nil, err
	}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, retriable("listing topics %v: %w", topics, err)
	}
	ids := make(map[string]topicID, len(resp.Topics))
	for _, t := range resp.Topics {
		if t.Topic != nil && t.ErrorCode == 0 {
			ids[*t.Topic] = t.TopicID
		}
	}
	return ids, nil
}

// taskCount is how many tasks share the partitions: the scheduler's count,
// else tasks.max.
func taskCount(inv Invocation, tasksMax int) int {
	if inv.TaskCount > 0 {
		return inv.TaskCount
	}
	return max(tasksMax, 1)
}

// assign gives task its share of the partitions: sorted, then round-robin.
func assign(ends kadm.ListedOffsets, task, tasks int) []topicPartition {
	var all []topicPartition
	ends.Each(func(o kadm.ListedOffset) {
		if o.Err == nil {
			all = append(all, topicPartition{o.Topic, o.Partition})
		}
	})
	sort.Slice(all, func(i, j int) bool {
		if all[i].topic != all[j].topic {
			return all[i].topic < all[j].topic
		}
		return all[i].partition < all[j].partition
	})
	var mine []topicPartition
	for i, tp := range all {
		if i%tasks == task {
			mine = append(mine, tp)
		}
	}
	return mine
}

func (h *Handler) sinkTopics(ctx context.Context, cfg *connectors.SinkConnectorConfig) ([]string, error) {
	if len(cfg.Topics) > 0 {
		return cfg.Topics, nil
	}
	re := regexp.MustCompile("^(?:" + cfg.TopicsRegex + ")$")
	adm, _, err := h.kafka.admin()
	if err != nil {
		return nil, err
	}
	details, err := adm.ListTopics(ctx)
	if err != nil {
		return nil, retriable("listing topics for topics.regex %q: %w", cfg.TopicsRegex, err)
	}
	var out []string
	for _, t := range details.Names() {
		if re.MatchString(t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// skipDeleted moves next past records the log no longer holds. A partition
// behind its end that returned nothing for the whole invocation, from a
// start below its log start (retention deleted records past the group's
// commit), is where the consumer's auto.offset.reset put the client on
// OFFSET_OUT_OF_RANGE, as Kafka Connect's consumer is: the log start
// (earliest) or the end (latest). Left at the deleted offsets, every later
// invocation would poll its whole budget for records that never come and
// report them as lag. It costs one ListOffsets, only when an invocation ran
// out of time with such a partition; the warm consumer is dropped (purge)
// so that the next invocation assigns exactly the offsets committed.
func (h *Handler) skipDeleted(ctx context.Context, plan *sinkPlan, next map[topicPartition]int64, sc *sinkConsumer) error {
	var stuck []topicPartition
	topics := map[string]bool{}
	for tp, end := range plan.end {
		if next[tp] < end && next[tp] == plan.start[tp] {
			stuck = append(stuck, tp)
			topics[tp.topic] = true
		}
	}
	if len(stuck) == 0 || plan.reset == "none" {
		return nil
	}
	adm, _, err := h.kafka.admin()
	if err != nil {
		return err
	}
	starts, err := adm.ListStartOffsets(ctx, slices.Sorted(maps.Keys(topics))...)
	if err != nil {
		return retriable("listing start offsets of %v: %w", slices.Sorted(maps.Keys(topics)), err)
	}
	for _, tp := range stuck {
		s, ok := starts.Lookup(tp.topic, tp.partition)
		if !ok || s.Err != nil || next[tp] >= s.Offset {
			continue
		}
		next[tp] = s.Offset
		if plan.reset == "latest" {
			next[tp] = max(s.Offset, plan.end[tp])
		}
		sc.purge()
	}
	return nil
}
