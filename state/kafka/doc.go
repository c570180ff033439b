// Package kafka keeps ferry's state in Kafka alone, in Kafka Connect's three
// internal topics and their exact record formats, so a Kafka Connect cluster
// and ferry can hand the same topics to each other:
//
//   - config.storage.topic (one partition): connector-<name>
//     {"properties":{...}}, task-<name>-<n> {"properties":{...}},
//     commit-<name> {"tasks":n}, target-state-<name>
//     {"state":..,"state.v2":..}, session-key; tombstones on delete;
//   - status.storage.topic: status-task-<name>-<n> {"state","trace",
//     "worker_id","generation","version"} (the generation is the task's
//     epoch, the record timestamp the update time);
//   - offset.storage.topic: key ["<name>",{partition}], JSON offset, null to
//     reset.
//
// ferry's own records (task epochs, its task-config generations, the
// invocation signing keys) go to a fourth topic, ferry.storage.topic, which
// Kafka Connect never reads (meta.go lists its keys).
//
// Every Store reads all four topics from the start with read_committed and
// keeps them in memory, as Kafka Connect's KafkaBasedLog does; every read
// first catches up to the high watermarks, so it sees every acknowledged
// write of any process. Writes that must not race run as Kafka transactions
// whose InitProducerID fences the previous writer of the same transactional
// id (txn.go): one id per task for epochs and offset commits, so a zombie
// invocation's commit either happens before the newer epoch exists or is
// fenced, and one id per cluster for connector configs and signing keys.
//
// Offsets is the narrower offsets-topic reader that exactly-once sources use
// with any store.
package kafka
