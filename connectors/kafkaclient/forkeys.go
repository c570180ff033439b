package kafkaclient

// ForKeys resolves one client's options from its own Kafka keys, without the
// worker's layering: a client a connector configures itself, as Debezium's
// signal consumer from its signal.consumer.* keys. Security keys
// (security.protocol, ssl.*, sasl.*) are read as for every other client;
// keys franz-go cannot honour are ignored.
func ForKeys(role Role, keys map[string]string) (Client, error) { return build(role, keys) }
