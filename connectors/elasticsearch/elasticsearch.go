// Package elasticsearch is Confluent's Elasticsearch sink connector
// (io.confluent.connect.elasticsearch.ElasticsearchSinkConnector) for ferry:
// records become documents, written with the Bulk API through
// go-elasticsearch's transport, one index per topic or one data stream per topic. It
// works against Elasticsearch and OpenSearch (which ferry is tested against).
package elasticsearch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/kafkaclient"
)

// Class is the connector class, as Confluent ships it.
const Class = "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector"

// Errors the sink returns; each message says what to change.
var (
	// ErrDocument means one record cannot become a document, or the cluster
	// refused it (a mapping conflict): the message names index, id and cause.
	ErrDocument = errors.New("elasticsearch sink: document rejected")
	// ErrCluster means the cluster cannot be reached or keeps failing.
	ErrCluster = errors.New("elasticsearch sink: cluster request failed")
)

// Config is ElasticsearchSinkConnector's configuration, with Confluent's key
// names and defaults.
type Config struct {
	URLs           []string `config:"connection.url" required:"true" importance:"high" group:"Connector" doc:"The comma-separated list of one or more Elasticsearch URLs, e.g. http://eshost1:9200,http://eshost2:9200."`
	Username       string   `config:"connection.username" default:"" importance:"medium" group:"Connector" doc:"The username used to authenticate with Elasticsearch."`
	Password       string   `config:"connection.password" default:"" type:"PASSWORD" importance:"medium" group:"Connector" doc:"The password used to authenticate with Elasticsearch."`
	BatchSize      int      `config:"batch.size" default:"2000" min:"1" max:"1000000" importance:"medium" group:"Connector" doc:"The number of records to process as a batch when writing to Elasticsearch."`
	MaxInFlight    int      `config:"max.in.flight.requests" default:"5" min:"1" importance:"medium" group:"Connector" doc:"The maximum number of concurrent bulk requests per task; writes to one document id always go through one of them, in order."`
	LingerMs       int64    `config:"linger.ms" default:"1" min:"0" importance:"low" group:"Connector" doc:"Accepted for compatibility; an invocation writes each batch as it comes."`
	FlushTimeoutMs int64    `config:"flush.timeout.ms" default:"180000" min:"1000" importance:"low" group:"Connector" doc:"Accepted for compatibility; the invocation deadline bounds flushing."`
	MaxRetries     int      `config:"max.retries" default:"5" min:"0" importance:"low" group:"Connector" doc:"The maximum number of retries that are allowed for failed indexing requests."`
	RetryBackoffMs int64    `config:"retry.backoff.ms" default:"100" min:"0" importance:"low" group:"Connector" doc:"How long to wait in milliseconds before attempting the first retry of a failed indexing request; doubled on each retry."`
	Compression    bool     `config:"connection.compression" default:"false" importance:"low" group:"Connector" doc:"Whether to use GZip compression on HTTP connection to Elasticsearch."`
	ConnTimeoutMs  int64    `config:"connection.timeout.ms" default:"1000" min:"0" importance:"low" group:"Connector" doc:"How long to wait in milliseconds when establishing a connection to the Elasticsearch server."`
	ReadTimeoutMs  int64    `config:"read.timeout.ms" default:"3000" min:"0" importance:"low" group:"Connector" doc:"How long to wait in milliseconds for the Elasticsearch server to send a response."`
	IdleTimeMs     int64    `config:"max.connection.idle.time.ms" default:"60000" min:"-1" importance:"low" group:"Connector" doc:"How long an idle connection may be kept before it is closed."`

	KeyIgnore      bool     `config:"key.ignore" default:"false" importance:"high" group:"Data Conversion" doc:"Whether to ignore the record key for the document ID: true uses topic+partition+offset."`
	SchemaIgnore   bool     `config:"schema.ignore" default:"false" importance:"low" group:"Data Conversion" doc:"Whether to ignore schemas during indexing; when false a missing index is created with a mapping from the record schema."`
	CompactMaps    bool     `config:"compact.map.entries" default:"true" importance:"low" group:"Data Conversion" doc:"Whether maps with string keys are written as JSON objects (true) or as arrays of {key, value} entries."`
	TopicKeyIgnore []string `config:"topic.key.ignore" default:"" importance:"low" group:"Data Conversion" doc:"Topics for which key.ignore is true."`
	TopicSchemaIgn []string `config:"topic.schema.ignore" default:"" importance:"low" group:"Data Conversion" doc:"Topics for which schema.ignore is true."`
	DropInvalid    bool     `config:"drop.invalid.message" default:"false" importance:"low" group:"Data Conversion" doc:"Whether to drop a record that cannot become a document (null key with key.ignore=false, ...) instead of failing."`
	NullValues     string   `config:"behavior.on.null.values" default:"FAIL" enum:"IGNORE,DELETE,FAIL" importance:"low" group:"Data Conversion" doc:"How to handle records with a non-null key and a null value: ignore, delete the document, or fail."`
	MalformedDocs  string   `config:"behavior.on.malformed.documents" default:"FAIL" enum:"IGNORE,WARN,FAIL" importance:"low" group:"Data Conversion" doc:"How to handle documents Elasticsearch rejects as malformed: ignore, warn (log and skip), or fail."`
	WriteMethod    string   `config:"write.method" default:"INSERT" enum:"INSERT,UPSERT" importance:"low" group:"Data Conversion" doc:"Method used for writing data to Elasticsearch: INSERT (index) or UPSERT (update with doc_as_upsert)."`
	DataStreamType string   `config:"data.stream.type" default:"NONE" enum:"NONE,LOGS,METRICS" importance:"low" group:"Data Stream" doc:"Generic type of the data stream: LOGS or METRICS; NONE writes to an index per topic."`
	DataStreamSet  string   `config:"data.stream.dataset" default:"" importance:"low" group:"Data Stream" doc:"The dataset of the data stream <type>-<dataset>-<topic>."`
	// TLS with Confluent's elastic.https.ssl.* keys (package kafkaclient).
	SecurityProtocol   string `config:"elastic.security.protocol" default:"PLAINTEXT" enum:"PLAINTEXT,SSL" importance:"medium" group:"Security" doc:"SSL uses the elastic.https.ssl.* keys for https:// URLs; PLAINTEXT uses the system's CAs."`
	TruststoreLocation string `config:"elastic.https.ssl.truststore.location" default:"" importance:"medium" group:"Security" doc:"The cluster's CA certificates: a PEM or PKCS12 file."`
	TruststorePassword string `config:"elastic.https.ssl.truststore.password" default:"" type:"PASSWORD" importance:"medium" group:"Security" doc:"The password of a PKCS12 truststore."`
	TruststoreType     string `config:"elastic.https.ssl.truststore.type" default:"" enum:",PEM,PKCS12,JKS" importance:"low" group:"Security" doc:"PEM or PKCS12 (JKS is refused with the keytool command that converts it); empty: from the file's contents."`
	KeystoreLocation   string `config:"elastic.https.ssl.keystore.location" default:"" importance:"medium" group:"Security" doc:"Client certificate for mutual TLS: a PKCS12 file, or PEM with the chain and an unencrypted key."`
	KeystorePassword   string `config:"elastic.https.ssl.keystore.password" default:"" type:"PASSWORD" importance:"medium" group:"Security" doc:"The password of a PKCS12 keystore."`
	KeystoreType       string `config:"elastic.https.ssl.keystore.type" default:"" enum:",PEM,PKCS12,JKS" importance:"low" group:"Security" doc:"PEM or PKCS12; empty: from the file's contents."`
	KeyPassword        string `config:"elastic.https.ssl.key.password" default:"" type:"PASSWORD" importance:"low" group:"Security" doc:"The private key's password when it differs from the keystore's."`
	EndpointIdent      string `config:"elastic.https.ssl.endpoint.identification.algorithm" default:"https" enum:",https" importance:"low" group:"Security" doc:"https checks the cluster's host name against its certificate; empty checks the chain only."`

	DataStreamTSFld []string `config:"data.stream.timestamp.field" default:"" importance:"low" group:"Data Stream" doc:"Record fields whose first present value becomes @timestamp; empty uses the Kafka record timestamp."`
}

// Check applies the cross-key rules of Confluent's config validator.
func (c *Config) Check() error {
	var errs connectors.ConfigErrors
	stream := !strings.EqualFold(c.DataStreamType, "NONE")
	if stream && c.DataStreamSet == "" {
		errs = append(errs, &connectors.ConfigError{Key: "data.stream.dataset", Value: "", Reason: "data streams need data.stream.type and data.stream.dataset together"})
	}
	if !stream && c.DataStreamSet != "" {
		errs = append(errs, &connectors.ConfigError{Key: "data.stream.type", Value: c.DataStreamType, Reason: "data.stream.dataset is set: set data.stream.type to LOGS or METRICS"})
	}
	if stream && strings.EqualFold(c.WriteMethod, "UPSERT") {
		errs = append(errs, &connectors.ConfigError{Key: "write.method", Value: c.WriteMethod, Reason: "data streams are append-only: use INSERT"})
	}
	if _, err := c.tls(); err != nil {
		var ce *kafkaclient.ConfigError
		if errors.As(err, &ce) {
			errs = append(errs, &connectors.ConfigError{Key: ce.Key, Value: "", Reason: ce.Msg})
		}
	}
	for _, u := range c.URLs {
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			errs = append(errs, &connectors.ConfigError{Key: "connection.url", Value: u, Reason: "URLs must start with http:// or https://"})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// tls is the TLS configuration of elastic.security.protocol=SSL, nil for PLAINTEXT.
func (c *Config) tls() (*tls.Config, error) {
	if !strings.EqualFold(c.SecurityProtocol, "SSL") {
		return nil, nil
	}
	return kafkaclient.PrefixedTLS("elastic.https.", map[string]string{
		"elastic.https.ssl.truststore.location": c.TruststoreLocation, "elastic.https.ssl.truststore.password": c.TruststorePassword,
		"elastic.https.ssl.truststore.type": c.TruststoreType, "elastic.https.ssl.keystore.location": c.KeystoreLocation,
		"elastic.https.ssl.keystore.password": c.KeystorePassword, "elastic.https.ssl.keystore.type": c.KeystoreType,
		"elastic.https.ssl.key.password": c.KeyPassword, "elastic.https.ssl.endpoint.identification.algorithm": c.EndpointIdent,
	})
}

func parse(props map[string]string) (*Config, error) {
	var cfg Config
	if err := connectors.Declare(cfg).Parse(props, &cfg); err != nil {
		return nil, fmt.Errorf("elasticsearch sink config: %w", err)
	}
	if err := cfg.Check(); err != nil {
		return nil, fmt.Errorf("elasticsearch sink config: %w", err)
	}
	return &cfg, nil
}

// Plugin returns the Elasticsearch sink plugin.
func Plugin() connectors.Plugin {
	return connectors.Plugin{
		Class:        Class,
		Type:         connectors.TypeSink,
		Config:       Config{},
		NewConnector: func() connectors.Connector { return Connector{} },
		NewSink:      func() connectors.SinkTask { return NewTask() },
	}
}

// Connector validates the config and gives every task the same config.
type Connector struct{}

// TaskConfigs returns maxTasks copies of props.
func (Connector) TaskConfigs(ctx context.Context, props map[string]string, maxTasks int) ([]map[string]string, error) {
	if _, err := parse(props); err != nil {
		return nil, err
	}
	return connectors.SameTaskConfigs(props, maxTasks), nil
}
