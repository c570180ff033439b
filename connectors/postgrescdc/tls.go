package postgrescdc

import (
	"errors"
	"fmt"
	"strings"
)

// ErrTLS is wrapped by every TLS failure the configuration must fix: the
// message names the key.
var ErrTLS = errors.New("postgres cdc TLS")

// SSLConfig is Debezium's database.ssl* file keys (embedded in Config),
// passed to the connection as libpq's sslrootcert, sslcert, sslkey and
// sslpassword; a client key in pgjdbc's PKCS12 or PKCS#8 DER format is
// loaded by ferry (jdbckey.go).
type SSLConfig struct {
	SSLRootCert string `config:"database.sslrootcert" default:"" importance:"medium" group:"Connection" doc:"The file of the CA certificates (PEM) the server's certificate is checked against (verify-ca, verify-full; with require too, as libpq)."`
	SSLCert     string `config:"database.sslcert" default:"" importance:"medium" group:"Connection" doc:"The file of the client's certificate (PEM), for servers that authenticate clients by certificate."`
	SSLKey      string `config:"database.sslkey" default:"" importance:"medium" group:"Connection" doc:"The file of the client's private key: PEM (an encrypted one with database.sslpassword), or pgjdbc's PKCS#8 DER (.pk8, unencrypted) or PKCS12 (.p12, holding the certificate too; database.sslpassword its password)."`
	SSLPassword string `config:"database.sslpassword" type:"PASSWORD" default:"" importance:"medium" group:"Connection" doc:"The password of the client's private key in database.sslkey."`
}

// sslParams are the libpq connection parameters of the set keys.
func (c *SSLConfig) sslParams(q func(string) string) string {
	var b strings.Builder
	params := [][2]string{{"sslrootcert", c.SSLRootCert}, {"sslcert", c.SSLCert}, {"sslkey", c.SSLKey}, {"sslpassword", c.SSLPassword}}
	if c.jdbcKey() { // ferry loads the client certificate (withClientCert)
		params = params[:1]
	}
	for _, p := range params {
		if p[1] != "" {
			b.WriteString(" " + p[0] + "=" + q(p[1]))
		}
	}
	return b.String()
}

// describeTLS names the key that fixes a TLS failure, or returns nil when
// err is no TLS failure.
func (c *Config) describeTLS(err error) error {
	if errors.Is(err, ErrTLS) {
		return err
	}
	msg := err.Error()
	at := fmt.Sprintf("%s:%d", c.Hostname, c.Port)
	switch {
	case strings.Contains(msg, "server refused TLS connection"):
		return fmt.Errorf("%w: database.sslmode=%s, but the server at %s offers no TLS: turn ssl on in the server (ssl, ssl_cert_file, ssl_key_file) or set database.sslmode=prefer (or disable)",
			ErrTLS, c.SSLMode, at)
	case strings.Contains(msg, "x509: certificate is valid for"), strings.Contains(msg, "x509: cannot validate certificate for"):
		return fmt.Errorf("%w: database.sslmode=%s: the server's certificate does not name database.hostname %q (%v): connect by a name the certificate holds, or set database.sslmode=verify-ca",
			ErrTLS, c.SSLMode, c.Hostname, err)
	case strings.Contains(msg, "x509:"):
		return fmt.Errorf("%w: database.sslmode=%s: the server's certificate at %s does not verify against database.sslrootcert %q (%v): set database.sslrootcert to the CA that signed it",
			ErrTLS, c.SSLMode, at, c.SSLRootCert, err)
	case strings.Contains(msg, "CA file"), strings.Contains(msg, "no valid CA"):
		return fmt.Errorf("%w: database.sslrootcert %q: %v: set it to a readable PEM file of CA certificates", ErrTLS, c.SSLRootCert, err)
	case strings.Contains(msg, "sslkey"), strings.Contains(msg, "sslpassword"), strings.Contains(msg, "decrypt key"):
		return fmt.Errorf("%w: database.sslkey %q: %v: set it to a readable PEM private key (encrypted ones with database.sslpassword)", ErrTLS, c.SSLKey, err)
	case strings.Contains(msg, "sslcert"), strings.Contains(msg, "read cert"), strings.Contains(msg, "load cert"):
		return fmt.Errorf("%w: database.sslcert %q: %v: set database.sslcert and database.sslkey to the client's PEM certificate and its key", ErrTLS, c.SSLCert, err)
	case strings.Contains(msg, "tls:"):
		return fmt.Errorf("%w: database.sslmode=%s: the TLS handshake with %s failed (%v): check database.sslcert, database.sslkey and the server's TLS settings",
			ErrTLS, c.SSLMode, at, err)
	}
	return nil
}
