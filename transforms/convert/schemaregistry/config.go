// Package schemaregistry is what Confluent's Schema Registry converters share
// (io.confluent.kafka.serializers.AbstractKafkaSchemaSerDe): the registry
// configuration keys, the subject name strategies, a caching registry client
// built on franz-go's sr package, and the Confluent wire format (magic byte 0,
// 4-byte big-endian schema id, then for Protobuf the message indexes, then the
// payload).
package schemaregistry

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/kafkaclient"
)

// Config holds the registry keys every Confluent Schema Registry converter
// accepts (AbstractKafkaSchemaSerDeConfig). Converters embed it in their own
// config struct, so each key is declared once.
type Config struct {
	URL                string `config:"schema.registry.url" required:"true" importance:"high" doc:"Comma-separated list of URLs for Schema Registry instances that can be used to register or look up schemas."`
	AutoRegister       bool   `config:"auto.register.schemas" default:"true" importance:"medium" doc:"Specify if the Serializer should attempt to register the Schema with Schema Registry."`
	UseLatestVersion   bool   `config:"use.latest.version" default:"false" importance:"low" doc:"Specify if the Serializer should use the latest subject version for serialization."`
	LatestCompatStrict bool   `config:"latest.compatibility.strict" default:"true" importance:"low" doc:"Accepted for compatibility; ferry does not check the latest version's compatibility before using it."`
	NormalizeSchemas   bool   `config:"normalize.schemas" default:"false" importance:"low" doc:"Whether to ask the registry to normalize schemas when registering or looking them up."`
	UseSchemaID        int    `config:"use.schema.id" default:"-1" importance:"low" doc:"Schema ID to use for serialization; -1 looks the schema up or registers it."`
	KeyStrategy        string `config:"key.subject.name.strategy" default:"io.confluent.kafka.serializers.subject.TopicNameStrategy" importance:"medium" doc:"Determines how to construct the subject name under which the key schema is registered: TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy."`
	ValueStrategy      string `config:"value.subject.name.strategy" default:"io.confluent.kafka.serializers.subject.TopicNameStrategy" importance:"medium" doc:"Determines how to construct the subject name under which the value schema is registered: TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy."`
	BasicAuthSource    string `config:"basic.auth.credentials.source" default:"URL" enum:"URL,USER_INFO" importance:"medium" doc:"Where the basic auth credentials come from: URL (user:password@ in schema.registry.url) or USER_INFO (basic.auth.user.info)."`
	BasicAuthUserInfo  string `config:"basic.auth.user.info" type:"PASSWORD" importance:"medium" doc:"The user:password pair used when basic.auth.credentials.source is USER_INFO."`
	SchemasCacheSize   int    `config:"schemas.cache.config" default:"1000" min:"0" importance:"low" doc:"Accepted for compatibility; ferry caches every schema it has seen (schemas are few)."`
	// TLS to the registry, with Kafka's ssl.* keys under schema.registry.
	// (PEM or PKCS12 stores, package kafkaclient).
	SSLTruststoreLocation     string `config:"schema.registry.ssl.truststore.location" importance:"medium" doc:"The registry's CA certificates: a PEM or PKCS12 file; empty uses the system's CAs."`
	SSLTruststorePassword     string `config:"schema.registry.ssl.truststore.password" type:"PASSWORD" importance:"medium" doc:"The password of a PKCS12 truststore."`
	SSLTruststoreType         string `config:"schema.registry.ssl.truststore.type" enum:",PEM,PKCS12,JKS" importance:"low" doc:"PEM or PKCS12 (JKS is refused with the keytool command that converts it); empty: from the file's contents."`
	SSLKeystoreLocation       string `config:"schema.registry.ssl.keystore.location" importance:"medium" doc:"Client certificate for mutual TLS: a PKCS12 file, or PEM with the certificate chain and an unencrypted key."`
	SSLKeystorePassword       string `config:"schema.registry.ssl.keystore.password" type:"PASSWORD" importance:"medium" doc:"The password of a PKCS12 keystore."`
	SSLKeystoreType           string `config:"schema.registry.ssl.keystore.type" enum:",PEM,PKCS12,JKS" importance:"low" doc:"PEM or PKCS12; empty: from the file's contents."`
	SSLKeyPassword            string `config:"schema.registry.ssl.key.password" type:"PASSWORD" importance:"low" doc:"The password of the private key in a PKCS12 keystore, when it differs from the keystore's."`
	SSLEndpointIdentification string `config:"schema.registry.ssl.endpoint.identification.algorithm" default:"https" enum:",https" importance:"low" doc:"https checks the registry's host name against its certificate; empty checks the chain only."`
	BearerAuthSource          string `config:"bearer.auth.credentials.source" enum:",STATIC_TOKEN" importance:"medium" doc:"STATIC_TOKEN sends bearer.auth.token as an Authorization: Bearer header."`
	BearerAuthToken           string `config:"bearer.auth.token" type:"PASSWORD" importance:"medium" doc:"The bearer token sent when bearer.auth.credentials.source is STATIC_TOKEN."`
	MaxSchemasPerSubject      int    `config:"max.schemas.per.subject" default:"1000" min:"1" importance:"low" doc:"Accepted for compatibility; not enforced."`
}

// validate checks the values the tags cannot: strategy class names and credentials.
func (c *Config) validate() error {
	var errs connectors.ConfigErrors
	for _, k := range []struct{ key, val string }{{"key.subject.name.strategy", c.KeyStrategy}, {"value.subject.name.strategy", c.ValueStrategy}} {
		if _, err := ParseStrategy(k.val); err != nil {
			errs = append(errs, &connectors.ConfigError{Key: k.key, Value: k.val, Reason: err.Error()})
		}
	}
	if strings.EqualFold(c.BasicAuthSource, "USER_INFO") && !strings.Contains(c.BasicAuthUserInfo, ":") {
		errs = append(errs, &connectors.ConfigError{Key: "basic.auth.user.info", Value: "[hidden]",
			Reason: "must be user:password when basic.auth.credentials.source is USER_INFO"})
	}
	for _, u := range connectors.SplitList(c.URL) {
		if p, err := url.Parse(u); err != nil || p.Host == "" || (p.Scheme != "http" && p.Scheme != "https") {
			errs = append(errs, &connectors.ConfigError{Key: "schema.registry.url", Value: u, Reason: "not an http(s) URL"})
		}
	}
	if strings.EqualFold(c.BearerAuthSource, "STATIC_TOKEN") && c.BearerAuthToken == "" {
		errs = append(errs, &connectors.ConfigError{Key: "bearer.auth.token", Value: "", Reason: "is required when bearer.auth.credentials.source is STATIC_TOKEN"})
	}
	if _, err := c.tls(); err != nil {
		errs = append(errs, tlsError(err))
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// tls is the TLS configuration of the schema.registry.ssl.* keys, nil when none is set.
func (c *Config) tls() (*tls.Config, error) {
	keys := map[string]string{
		"schema.registry.ssl.truststore.location": c.SSLTruststoreLocation, "schema.registry.ssl.truststore.password": c.SSLTruststorePassword,
		"schema.registry.ssl.truststore.type": c.SSLTruststoreType, "schema.registry.ssl.keystore.location": c.SSLKeystoreLocation,
		"schema.registry.ssl.keystore.password": c.SSLKeystorePassword, "schema.registry.ssl.keystore.type": c.SSLKeystoreType,
		"schema.registry.ssl.key.password": c.SSLKeyPassword,
	}
	if c.SSLTruststoreLocation == "" && c.SSLKeystoreLocation == "" && c.SSLEndpointIdentification != "" {
		return nil, nil
	}
	keys["schema.registry.ssl.endpoint.identification.algorithm"] = c.SSLEndpointIdentification
	return kafkaclient.PrefixedTLS("schema.registry.", keys)
}

// tlsError turns a TLS key error into a ConfigError naming the key.
func tlsError(err error) *connectors.ConfigError {
	var ce *kafkaclient.ConfigError
	if errors.As(err, &ce) {
		return &connectors.ConfigError{Key: ce.Key, Value: "", Reason: ce.Msg}
	}
	return &connectors.ConfigError{Key: "schema.registry.ssl.truststore.location", Reason: err.Error()}
}

// Parse reads a converter's config (dst embeds Config) and validates the
// registry keys. Errors are connectors.ConfigErrors naming the keys.
func Parse(props map[string]string, dst any, cfg *Config) error {
	if err := connectors.Declare(dst).Parse(props, dst); err != nil {
		return err
	}
	return cfg.validate()
}

// credentials returns the basic-auth user and password, and the URLs with any
// userinfo removed.
func (c *Config) credentials() (user, pass string, urls []string, err error) {
	for _, u := range connectors.SplitList(c.URL) {
		p, perr := url.Parse(u)
		if perr != nil {
			return "", "", nil, fmt.Errorf("schema.registry.url %q: %w", u, perr)
		}
		if p.User != nil && strings.EqualFold(c.BasicAuthSource, "URL") && user == "" {
			user = p.User.Username()
			pass, _ = p.User.Password()
		}
		p.User = nil
		urls = append(urls, p.String())
	}
	if strings.EqualFold(c.BasicAuthSource, "USER_INFO") {
		user, pass, _ = strings.Cut(c.BasicAuthUserInfo, ":")
	}
	return user, pass, urls, nil
}
