package mysqlcdc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors/kafkaclient"
	"github.com/go-mysql-org/go-mysql/client"
)

// ErrTLS is wrapped by every TLS failure the configuration must fix (a
// store ferry cannot read, a server certificate that does not verify, a
// server without TLS when TLS is required): the message names the key.
var ErrTLS = errors.New("mysql cdc: TLS")

// SSLConfig is Debezium's database.ssl.* keys (embedded in Config). Both
// connectors accept both families of mode names: the MySqlConnector's
// (disabled, preferred, required, verify_ca, verify_identity) and the
// MariaDbConnector's (disable, trust, verify-ca, verify-full).
type SSLConfig struct {
	SSLMode               string `config:"database.ssl.mode" default:"" enum:",disabled,preferred,required,verify_ca,verify_identity,disable,trust,verify-ca,verify-full" importance:"medium" group:"Connection" doc:"Whether to use an encrypted connection to the server: disabled (disable) plaintext; preferred TLS when the server offers it, unverified; required (trust) TLS, unverified; verify_ca (verify-ca) TLS with the server's certificate checked against database.ssl.truststore; verify_identity (verify-full) also with database.hostname checked against it. Empty: the connector's default, preferred for the MySqlConnector and disable for the MariaDbConnector, as Debezium."`
	SSLKeystore           string `config:"database.ssl.keystore" default:"" importance:"medium" group:"Connection" doc:"The client certificate and key for mutual TLS: a PKCS12 file or a PEM file holding both (a JKS file is refused with the keytool command that converts it)."`
	SSLKeystorePassword   string `config:"database.ssl.keystore.password" type:"PASSWORD" default:"" importance:"medium" group:"Connection" doc:"The password of database.ssl.keystore (PKCS12)."`
	SSLTruststore         string `config:"database.ssl.truststore" default:"" importance:"medium" group:"Connection" doc:"The CA certificates the server's certificate is checked against: a PEM file or a PKCS12 truststore (a JKS file is refused with the keytool command that converts it). Empty: the system's CAs."`
	SSLTruststorePassword string `config:"database.ssl.truststore.password" type:"PASSWORD" default:"" importance:"medium" group:"Connection" doc:"The password of database.ssl.truststore (PKCS12)."`
}

// The normalized database.ssl.mode values.
const (
	sslDisabled       = "disabled"
	sslPreferred      = "preferred"
	sslRequired       = "required"
	sslVerifyCA       = "verify_ca"
	sslVerifyIdentity = "verify_identity"
)

// sslMode is database.ssl.mode in the MySqlConnector's names, the flavor's
// default when unset.
func (c *SSLConfig) sslMode(fl flavor) string {
	switch strings.ToLower(c.SSLMode) {
	case "":
		if fl.mariadb {
			return sslDisabled
		}
		return sslPreferred
	case "disable", sslDisabled:
		return sslDisabled
	case "trust", sslRequired:
		return sslRequired
	case "verify-ca", sslVerifyCA:
		return sslVerifyCA
	case "verify-full", sslVerifyIdentity:
		return sslVerifyIdentity
	}
	return sslPreferred
}

// tlsConfig is the client TLS configuration of mode; nil when disabled.
func (cfg *Config) tlsConfig(mode string) (*tls.Config, error) {
	if mode == sslDisabled {
		return nil, nil
	}
	keys := map[string]string{
		"ssl.truststore.location": cfg.SSLTruststore, "ssl.truststore.password": cfg.SSLTruststorePassword,
		"ssl.keystore.location": cfg.SSLKeystore, "ssl.keystore.password": cfg.SSLKeystorePassword,
	}
	if mode == sslVerifyCA {
		keys["ssl.endpoint.identification.algorithm"] = "" // the chain, not the host name
	}
	tc, err := kafkaclient.PrefixedTLS("", keys)
	if err != nil {
		msg := strings.NewReplacer(" and ssl.truststore.type=PKCS12", "", " and ssl.keystore.type=PKCS12", "",
			"ssl.truststore.location", "database.ssl.truststore", "ssl.keystore.location", "database.ssl.keystore",
			"ssl.truststore.password", "database.ssl.truststore.password", "ssl.keystore.password", "database.ssl.keystore.password").Replace(err.Error())
		return nil, fmt.Errorf("%w: %s", ErrTLS, msg)
	}
	tc.ServerName = cfg.Hostname
	if mode == sslPreferred || mode == sslRequired {
		tc.InsecureSkipVerify = true // encrypted, the server not verified, as Connector/J's PREFERRED and REQUIRED
	}
	return tc, nil
}

// dial opens a query connection with database.ssl.mode; with preferred it
// falls back to plaintext when the server offers no TLS. tk.tls is the
// TLS configuration the binlog connection uses too.
func (tk *Task) dial(ctx context.Context) (*client.Conn, error) {
	cfg := &tk.cfg
	mode := cfg.sslMode(tk.fl)
	tc, err := cfg.tlsConfig(mode)
	if err != nil {
		return nil, err
	}
	plain := func() (*client.Conn, error) {
		tk.tls = nil
		return client.ConnectWithContext(ctx, cfg.addr(), cfg.User, cfg.Password, "", 10*time.Second)
	}
	if tc == nil {
		return plain()
	}
	conn, err := client.ConnectWithContext(ctx, cfg.addr(), cfg.User, cfg.Password, "", 10*time.Second,
		func(c *client.Conn) error { c.SetTLSConfig(tc); return nil })
	switch {
	case err == nil:
		tk.tls = tc
		return conn, nil
	case strings.Contains(err.Error(), "does not support TLS"):
		if mode == sslPreferred {
			return plain()
		}
		return nil, fmt.Errorf("%w: database.ssl.mode=%s, but the server at %s offers no TLS: turn TLS on in the server (ssl_cert, ssl_key) or set database.ssl.mode=preferred (or disabled)",
			ErrTLS, mode, cfg.addr())
	}
	return nil, cfg.describeTLS(mode, err)
}

// describeTLS says which key fixes a failed TLS handshake; other errors
// are returned as they are.
func (cfg *Config) describeTLS(mode string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "x509: certificate is valid for"), strings.Contains(msg, "x509: cannot validate certificate for"):
		return fmt.Errorf("%w: database.ssl.mode=%s: the server's certificate does not name database.hostname %q (%v): connect by a name the certificate holds, or set database.ssl.mode=verify_ca",
			ErrTLS, mode, cfg.Hostname, err)
	case strings.Contains(msg, "x509:"):
		return fmt.Errorf("%w: database.ssl.mode=%s: the server's certificate at %s does not verify against database.ssl.truststore %q (%v): set database.ssl.truststore to the CA that signed it",
			ErrTLS, mode, cfg.addr(), cfg.SSLTruststore, err)
	case strings.Contains(msg, "tls:"):
		return fmt.Errorf("%w: database.ssl.mode=%s: the TLS handshake with %s failed (%v): check database.ssl.keystore and the server's TLS settings",
			ErrTLS, mode, cfg.addr(), err)
	}
	return err
}
