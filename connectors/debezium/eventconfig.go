package debezium

import (
	"github.com/ferryhq/ferry/connectors"
)

// EventConfig is the keys every Debezium CDC connector shares for the
// shape of its events: transaction metadata and message keys. Connector
// configs embed it; its keys are declared with theirs.
type EventConfig struct {
	ProvideTxMeta bool   `config:"provide.transaction.metadata" default:"false" importance:"low" group:"Events" doc:"Whether each change event carries its transaction block (id, total_order, data_collection_order) and every transaction's BEGIN and END are written to <topic.prefix>.<topic.transaction>."`
	TxTopic       string `config:"topic.transaction" default:"transaction" importance:"low" group:"Events" doc:"The transaction topic's name after <topic.prefix>. (the topic is <topic.prefix>.transaction by default)."`
	KeyColumns    string `config:"message.key.columns" default:"" importance:"low" group:"Events" doc:"Record keys other than the primary key: <fully-qualified table>:<column>,<column>;<table>:<column>… (tables and columns are regular expressions); a table none matches keeps its primary key."`

	keys KeyColumns
}

// validTopic reports whether name is what Debezium allows in a topic name
// (^[a-zA-Z0-9._-]+$; no package-level regular expression: it would be
// compiled at every Lambda cold start).
func validTopic(name string) bool {
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return name != ""
}

// Check parses message.key.columns and checks topic.transaction.
func (c *EventConfig) Check() connectors.ConfigErrors {
	var errs connectors.ConfigErrors
	var err error
	if c.keys, err = ParseKeyColumns(c.KeyColumns); err != nil {
		errs = append(errs, err.(*connectors.ConfigError))
	}
	if !validTopic(c.TxTopic) {
		errs = append(errs, &connectors.ConfigError{Key: "topic.transaction", Value: c.TxTopic,
			Reason: "only letters, digits, '.', '_' and '-' are allowed in a topic name"})
	}
	return errs
}

// Keys is message.key.columns as Check parsed it.
func (c *EventConfig) Keys() KeyColumns { return c.keys }

// TxTopicName is the transaction topic of a connector with topic prefix.
func (c *EventConfig) TxTopicName(prefix string) string { return prefix + "." + c.TxTopic }
