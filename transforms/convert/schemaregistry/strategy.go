package schemaregistry

import (
	"errors"
	"fmt"
	"strings"
)

// Strategy is a subject name strategy (io.confluent.kafka.serializers.subject.*).
type Strategy uint8

// The subject name strategies Confluent ships.
const (
	// TopicNameStrategy names the subject <topic>-key or <topic>-value (the default).
	TopicNameStrategy Strategy = iota
	// RecordNameStrategy names the subject after the record's fully-qualified name.
	RecordNameStrategy
	// TopicRecordNameStrategy names the subject <topic>-<fully-qualified record name>.
	TopicRecordNameStrategy
)

const strategyPackage = "io.confluent.kafka.serializers.subject."

var strategyNames = [...]string{"TopicNameStrategy", "RecordNameStrategy", "TopicRecordNameStrategy"}

// String returns the full class name.
func (s Strategy) String() string { return strategyPackage + strategyNames[s] }

// ErrNoRecordName is returned when a record-name strategy meets a schema that
// has no name (an unnamed JSON Schema): name the schema or use TopicNameStrategy.
var ErrNoRecordName = errors.New("the schema has no record name for the subject name strategy")

// ParseStrategy reads a strategy by full class name or simple name.
func ParseStrategy(name string) (Strategy, error) {
	simple := strings.TrimPrefix(strings.TrimSpace(name), strategyPackage)
	for i, n := range strategyNames {
		if simple == n {
			return Strategy(i), nil
		}
	}
	return 0, fmt.Errorf("unknown subject name strategy; use one of %s%s, %s%s or %s%s",
		strategyPackage, strategyNames[0], strategyPackage, strategyNames[1], strategyPackage, strategyNames[2])
}

// Subject returns the subject a schema is registered under. recordName is the
// schema's fully-qualified name (Avro full name, JSON Schema title, Protobuf
// first message); it is only needed by the record-name strategies.
func (s Strategy) Subject(topic string, isKey bool, recordName string) (string, error) {
	switch s {
	case RecordNameStrategy, TopicRecordNameStrategy:
		if recordName == "" {
			return "", fmt.Errorf("%w %s", ErrNoRecordName, s)
		}
		if s == RecordNameStrategy {
			return recordName, nil
		}
		return topic + "-" + recordName, nil
	}
	if isKey {
		return topic + "-key", nil
	}
	return topic + "-value", nil
}
