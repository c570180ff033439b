package postgrescdc

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"software.sslmate.com/src/go-pkcs12"
)

// maxKeyBytes bounds a client key or certificate file read.
const maxKeyBytes = 1 << 20

func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyBytes+1))
	if err == nil && len(data) > maxKeyBytes {
		err = fmt.Errorf("larger than %d bytes", maxKeyBytes)
	}
	return data, err
}

// jdbcKey reports whether database.sslkey is in one of pgjdbc's formats
// that libpq does not read (PKCS12, PKCS#8 DER): ferry then loads the
// client certificate itself instead of passing the files on.
func (c *SSLConfig) jdbcKey() bool {
	if c.SSLKey == "" {
		return false
	}
	data, err := readBounded(c.SSLKey)
	return err == nil && !bytes.Contains(data, []byte("-----BEGIN"))
}

// jdbcCert is the client certificate of a pgjdbc-format database.sslkey: a
// PKCS12 file (.p12, .pfx) holding the certificate, database.sslpassword
// its password, or an unencrypted PKCS#8 DER key (.pk8) with the
// certificate in database.sslcert (PEM or DER).
func (c *SSLConfig) jdbcCert() (*tls.Certificate, error) {
	key, err := readBounded(c.SSLKey)
	if err != nil {
		return nil, fmt.Errorf("%w: database.sslkey %q cannot be read: %v", ErrTLS, c.SSLKey, err)
	}
	if priv, cert, cas, err := pkcs12.DecodeChain(key, c.SSLPassword); err == nil {
		tc := &tls.Certificate{PrivateKey: priv, Leaf: cert, Certificate: [][]byte{cert.Raw}}
		for _, ca := range cas {
			tc.Certificate = append(tc.Certificate, ca.Raw)
		}
		return tc, nil
	}
	priv, err := x509.ParsePKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("%w: database.sslkey %q is neither a PEM key, a PKCS12 file readable with database.sslpassword, nor an unencrypted PKCS#8 DER key (%v); "+
			"an encrypted .pk8 converts to PEM with `openssl pkcs8 -inform DER -in %s -out key.pem`", ErrTLS, c.SSLKey, err, c.SSLKey)
	}
	if c.SSLCert == "" {
		return nil, fmt.Errorf("%w: database.sslkey %q is a PKCS#8 key: set database.sslcert to the client's certificate", ErrTLS, c.SSLKey)
	}
	data, err := readBounded(c.SSLCert)
	if err != nil {
		return nil, fmt.Errorf("%w: database.sslcert %q cannot be read: %v", ErrTLS, c.SSLCert, err)
	}
	chain := [][]byte{data} // DER
	if bytes.Contains(data, []byte("-----BEGIN")) {
		chain = nil
		for b, rest := pem.Decode(data); b != nil; b, rest = pem.Decode(rest) {
			if b.Type == "CERTIFICATE" {
				chain = append(chain, b.Bytes)
			}
		}
	}
	if len(chain) == 0 {
		return nil, fmt.Errorf("%w: database.sslcert %q holds no certificate", ErrTLS, c.SSLCert)
	}
	leaf, err := x509.ParseCertificate(chain[0])
	if err != nil {
		return nil, fmt.Errorf("%w: database.sslcert %q: %v", ErrTLS, c.SSLCert, err)
	}
	return &tls.Certificate{Certificate: chain, PrivateKey: priv, Leaf: leaf}, nil
}

// withClientCert gives every TLS attempt of cfg the pgjdbc-format client
// certificate, when database.sslkey is one.
func (c *Config) withClientCert(cfg *pgconn.Config) error {
	if !c.jdbcKey() {
		return nil
	}
	cert, err := c.jdbcCert()
	if err != nil {
		return err
	}
	if cfg.TLSConfig != nil {
		cfg.TLSConfig.Certificates = []tls.Certificate{*cert}
	}
	for _, fb := range cfg.Fallbacks {
		if fb.TLSConfig != nil {
			fb.TLSConfig.Certificates = []tls.Certificate{*cert}
		}
	}
	return nil
}

// connectQuery opens the query connection.
func (c *Config) connectQuery(ctx context.Context) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(c.connString(false))
	if err == nil {
		err = c.withClientCert(&cfg.Config)
	}
	if err != nil {
		return nil, c.describeConnect(err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, c.describeConnect(err)
	}
	return conn, nil
}
