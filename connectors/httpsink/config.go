// Package httpsink re-implements Confluent's HTTP sink
// (io.confluent.connect.http.HttpSinkConnector) with its core keys: records
// batched into requests to http.api.url (with ${topic} and ${key}),
// retried with backoff on the configured status codes and network errors,
// Retry-After honoured, and refused requests' records rejected for the
// dead-letter queue.
package httpsink

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/kafkaclient"
)

// Class is Confluent's HTTP sink class name.
const Class = "io.confluent.connect.http.HttpSinkConnector"

// Config is HttpSinkConnector's configuration (its core keys).
type Config struct {
	URL                string `config:"http.api.url" required:"true" importance:"high" group:"Connection" doc:"The HTTP API URL; ${topic} and ${key} are replaced by the record's topic and key (URL-encoded)."`
	Method             string `config:"request.method" default:"POST" enum:"POST,PUT,PATCH" importance:"high" group:"Connection" doc:"The HTTP request method."`
	Headers            string `config:"headers" default:"" importance:"high" group:"Connection" doc:"HTTP headers sent with every request, name:value, separated by header.separator."`
	HeaderSeparator    string `config:"header.separator" default:"|" importance:"high" group:"Connection" doc:"Separator character used in headers."`
	AuthType           string `config:"auth.type" default:"NONE" enum:"NONE,BASIC,OAUTH2,BEARER" importance:"high" group:"Authentication" doc:"Authentication: NONE, BASIC (connection.user, connection.password), OAUTH2 (client credentials: oauth2.*) or BEARER (bearer.token)."`
	User               string `config:"connection.user" default:"" importance:"high" group:"Authentication" doc:"The username for BASIC authentication."`
	Password           string `config:"connection.password" default:"" type:"PASSWORD" importance:"high" group:"Authentication" doc:"The password for BASIC authentication."`
	BearerToken        string `config:"bearer.token" default:"" type:"PASSWORD" importance:"high" group:"Authentication" doc:"The token sent as Authorization: Bearer <token> with BEARER authentication."`
	OAuthTokenURL      string `config:"oauth2.token.url" default:"" importance:"high" group:"Authentication" doc:"The URL of the OAuth2 token endpoint (client-credentials grant) for auth.type=OAUTH2."`
	OAuthClientID      string `config:"oauth2.client.id" default:"" importance:"high" group:"Authentication" doc:"The OAuth2 client id."`
	OAuthClientSecret  string `config:"oauth2.client.secret" default:"" type:"PASSWORD" importance:"high" group:"Authentication" doc:"The OAuth2 client secret."`
	OAuthAuthMode      string `config:"oauth2.client.auth.mode" default:"header" enum:"header,url" importance:"medium" group:"Authentication" doc:"How the client id and secret reach the token endpoint: header (HTTP basic) or url (form parameters)."`
	OAuthScope         string `config:"oauth2.client.scope" default:"any" importance:"medium" group:"Authentication" doc:"The scope asked for; empty asks for none."`
	OAuthTokenProperty string `config:"oauth2.token.property" default:"access_token" importance:"medium" group:"Authentication" doc:"The field of the token endpoint's JSON answer that holds the token."`
	BatchMaxSize       int    `config:"batch.max.size" default:"1" min:"1" max:"1000000" importance:"high" group:"Batching" doc:"The number of records accumulated in a batch before the HTTP API is invoked (consecutive records with the same URL)."`
	BatchPrefix        string `config:"batch.prefix" default:"" importance:"high" group:"Batching" doc:"Prefix added to the start of the batched request body."`
	BatchSuffix        string `config:"batch.suffix" default:"" importance:"high" group:"Batching" doc:"Suffix added to the end of the batched request body."`
	BatchSeparator     string `config:"batch.separator" default:"," importance:"high" group:"Batching" doc:"Separator between records in a batch."`
	JSONAsArray        bool   `config:"batch.json.as.array" default:"false" importance:"high" group:"Batching" doc:"Send a batch as a JSON array (with request.body.format=json): [record,record]."`
	BodyFormat         string `config:"request.body.format" default:"string" enum:"string,json" importance:"medium" group:"Batching" doc:"Record value representation in the body: string (text and bytes as they are, other values as JSON) or json (every value as JSON; text that is not JSON is written as a JSON string)."`
	MaxRetries         int    `config:"max.retries" default:"10" min:"0" importance:"medium" group:"Retries" doc:"The maximum number of times to retry a request on a retriable status or network error."`
	RetryBackoff       int64  `config:"retry.backoff.ms" default:"3000" min:"0" importance:"medium" group:"Retries" doc:"The initial wait before a retry, in milliseconds; doubled on each attempt (up to 60 s). A Retry-After header replaces it."`
	RetryOnStatus      string `config:"retry.on.status.codes" default:"400-" importance:"medium" group:"Retries" doc:"Status codes to retry on: codes or inclusive ranges, comma-separated; 400- is every code from 400, 429,500-599 throttling and server errors."`
	ConnectTimeout     int64  `config:"http.connect.timeout.ms" default:"30000" min:"1" importance:"medium" group:"Connection" doc:"Time to wait for a connection, in milliseconds."`
	RequestTimeout     int64  `config:"http.request.timeout.ms" default:"30000" min:"1" importance:"medium" group:"Connection" doc:"Time to wait for a request's response, in milliseconds; a timeout is retried as a network error."`
	OnNull             string `config:"behavior.on.null.values" default:"ignore" enum:"ignore,delete,log,fail" importance:"low" group:"Connection" doc:"Records with a null value: ignore or log (skipped), delete (a DELETE request to the URL), fail (rejected, handled by behavior.on.error)."`
	// TLS with Confluent's https.ssl.* keys (package kafkaclient).
	TruststoreLocation string `config:"https.ssl.truststore.location" default:"" importance:"medium" group:"Security" doc:"The API's CA certificates for https:// URLs: a PEM or PKCS12 file; empty: the system's CAs."`
	TruststorePassword string `config:"https.ssl.truststore.password" default:"" type:"PASSWORD" importance:"medium" group:"Security" doc:"The password of a PKCS12 truststore."`
	TruststoreType     string `config:"https.ssl.truststore.type" default:"" enum:",PEM,PKCS12,JKS" importance:"low" group:"Security" doc:"PEM or PKCS12 (JKS is refused with the keytool command that converts it); empty: from the file's contents."`
	KeystoreLocation   string `config:"https.ssl.keystore.location" default:"" importance:"medium" group:"Security" doc:"Client certificate for mutual TLS: a PKCS12 file, or PEM with the chain and an unencrypted key."`
	KeystorePassword   string `config:"https.ssl.keystore.password" default:"" type:"PASSWORD" importance:"medium" group:"Security" doc:"The password of a PKCS12 keystore."`
	KeystoreType       string `config:"https.ssl.keystore.type" default:"" enum:",PEM,PKCS12,JKS" importance:"low" group:"Security" doc:"PEM or PKCS12; empty: from the file's contents."`
	KeyPassword        string `config:"https.ssl.key.password" default:"" type:"PASSWORD" importance:"low" group:"Security" doc:"The private key's password when it differs from the keystore's."`
	EndpointIdent      string `config:"https.ssl.endpoint.identification.algorithm" default:"https" enum:",https" importance:"low" group:"Security" doc:"https checks the API's host name against its certificate; empty checks the chain only."`
	OnError            string `config:"behavior.on.error" default:"fail" enum:"fail,ignore,log" importance:"low" group:"Connection" doc:"A request refused with a status that is not retried, or still failing after max.retries: fail (the records are rejected and go through errors.tolerance and the dead-letter queue), ignore or log (skipped)."`
}

// statusRange is one inclusive range of retry.on.status.codes.
type statusRange struct{ lo, hi int }

// parseStatusCodes reads retry.on.status.codes ("400-", "429,500-599").
func parseStatusCodes(s string) ([]statusRange, error) {
	var out []statusRange
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 100 || a > 599 {
			return nil, fmt.Errorf("%q is not a status code", lo)
		}
		r := statusRange{a, a}
		if isRange {
			r.hi = 599
			if hi != "" {
				if r.hi, err = strconv.Atoi(hi); err != nil || r.hi < a {
					return nil, fmt.Errorf("%q is not a range of status codes", part)
				}
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// Check applies the rules the tags cannot express.
func (c *Config) Check() error {
	var errs connectors.ConfigErrors
	u, err := url.Parse(strings.NewReplacer("${topic}", "t", "${key}", "k").Replace(c.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, &connectors.ConfigError{Key: "http.api.url", Value: c.URL, Reason: "must be an http:// or https:// URL"})
	}
	if _, err := parseStatusCodes(c.RetryOnStatus); err != nil {
		errs = append(errs, &connectors.ConfigError{Key: "retry.on.status.codes", Value: c.RetryOnStatus, Reason: err.Error()})
	}
	if _, err := c.headerList(); err != nil {
		errs = append(errs, &connectors.ConfigError{Key: "headers", Value: c.Headers, Reason: err.Error()})
	}
	switch {
	case c.AuthType == "OAUTH2" && (c.OAuthTokenURL == "" || c.OAuthClientID == ""):
		errs = append(errs, &connectors.ConfigError{Key: "oauth2.token.url", Value: c.OAuthTokenURL, Reason: "OAUTH2 authentication needs oauth2.token.url and oauth2.client.id"})
	case c.AuthType == "BASIC" && c.User == "":
		errs = append(errs, &connectors.ConfigError{Key: "connection.user", Value: "", Reason: "BASIC authentication needs a user"})
	case c.AuthType == "BEARER" && c.BearerToken == "":
		errs = append(errs, &connectors.ConfigError{Key: "bearer.token", Value: "", Reason: "BEARER authentication needs a token"})
	}
	if _, err := c.tls(); err != nil {
		var ke *kafkaclient.ConfigError
		key := "https.ssl.truststore.location"
		if errors.As(err, &ke) {
			key = ke.Key
		}
		errs = append(errs, &connectors.ConfigError{Key: key, Value: "", Reason: err.Error()})
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// tls is the TLS configuration of the https.ssl.* keys, nil when none is set.
func (c *Config) tls() (*tls.Config, error) {
	if c.TruststoreLocation == "" && c.KeystoreLocation == "" && c.EndpointIdent != "" {
		return nil, nil
	}
	return kafkaclient.PrefixedTLS("https.", map[string]string{
		"https.ssl.truststore.location": c.TruststoreLocation, "https.ssl.truststore.password": c.TruststorePassword,
		"https.ssl.truststore.type": c.TruststoreType, "https.ssl.keystore.location": c.KeystoreLocation,
		"https.ssl.keystore.password": c.KeystorePassword, "https.ssl.keystore.type": c.KeystoreType,
		"https.ssl.key.password": c.KeyPassword, "https.ssl.endpoint.identification.algorithm": c.EndpointIdent,
	})
}

// headerList splits headers into name, value pairs.
func (c *Config) headerList() ([][2]string, error) {
	var out [][2]string
	if c.Headers == "" {
		return nil, nil
	}
	for _, h := range strings.Split(c.Headers, c.HeaderSeparator) {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("header %q is not name:value", h)
		}
		out = append(out, [2]string{strings.TrimSpace(name), strings.TrimSpace(value)})
	}
	return out, nil
}

func parse(props map[string]string) (Config, error) {
	var cfg Config
	err := connectors.ParseChecked("http sink", props, &cfg)
	return cfg, err
}
