package scheduler

import (
	"maps"
	"net/http"
	"slices"
)

// activeTopics is the body of GET /connectors/{c}/topics (KIP-558).
type activeTopics struct {
	Topics []string `json:"topics"`
}

// recordTopics adds the topics a task reported to its connector's active set.
func (s *Scheduler) recordTopics(connector string, topics []string) {
	if len(topics) == 0 || s.o.DisableTopicTracking {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	set := s.topics[connector]
	if set == nil {
		set = map[string]bool{}
		s.topics[connector] = set
	}
	for _, t := range topics {
		set[t] = true
	}
}

// forgetTopics empties a connector's active set (reset, delete).
func (s *Scheduler) forgetTopics(connector string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.topics, connector)
}

// getTopics answers GET /connectors/{c}/topics. As in Kafka Connect there is
// no existence check: an unknown connector has no topics.
func (s *Scheduler) getTopics(w http.ResponseWriter, r *http.Request) (int, any, error) {
	if s.o.DisableTopicTracking {
		return 0, nil, errorf(http.StatusForbidden, "Topic tracking is disabled.")
	}
	name := r.PathValue("name")
	s.mu.Lock()
	topics := slices.Sorted(maps.Keys(s.topics[name]))
	s.mu.Unlock()
	if topics == nil {
		topics = []string{}
	}
	return http.StatusOK, map[string]activeTopics{name: {Topics: topics}}, nil
}

// resetTopics answers PUT /connectors/{c}/topics/reset: 202, the set is
// emptied; like Kafka Connect it does not check that the connector exists.
func (s *Scheduler) resetTopics(w http.ResponseWriter, r *http.Request) (int, any, error) {
	switch {
	case s.o.DisableTopicTracking:
		return 0, nil, errorf(http.StatusForbidden, "Topic tracking is disabled.")
	case s.o.DisableTopicReset:
		return 0, nil, errorf(http.StatusForbidden, "Topic tracking reset is disabled.")
	}
	s.forgetTopics(r.PathValue("name"))
	return http.StatusAccepted, nil, nil
}
