package dialect

import (
	"cmp"
	"crypto/tls"
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/connectors/kafkaclient"
)

// mysqlTLS is the TLS configuration of a MySQL or MariaDB JDBC URL, from the
// Connector/J properties users already write: sslMode (MySQL's
// DISABLED|PREFERRED|REQUIRED|VERIFY_CA|VERIFY_IDENTITY, MariaDB's
// disable|trust|verify-ca|verify-full) or useSSL=true, the CA from
// trustCertificateKeyStoreUrl (PEM or PKCS12, with
// trustCertificateKeyStorePassword) or MariaDB's serverSslCert, and a client
// certificate from clientCertificateKeyStoreUrl (MariaDB: keyStore) with its
// password. Nil means no TLS (no sslMode set: as before).
func mysqlTLS(u *URL) (*tls.Config, error) {
	p := u.Params
	mode := strings.ToUpper(strings.ReplaceAll(p["sslMode"], "-", "_"))
	if mode == "" && strings.EqualFold(p["useSSL"], "true") {
		mode = "REQUIRED"
		if strings.EqualFold(p["verifyServerCertificate"], "true") {
			mode = "VERIFY_CA"
		}
	}
	keys := map[string]string{
		"ssl.truststore.location": cmp.Or(strings.TrimPrefix(p["trustCertificateKeyStoreUrl"], "file:"), p["serverSslCert"]),
		"ssl.truststore.password": p["trustCertificateKeyStorePassword"],
		"ssl.keystore.location":   strings.TrimPrefix(cmp.Or(p["clientCertificateKeyStoreUrl"], p["keyStore"]), "file:"),
		"ssl.keystore.password":   cmp.Or(p["clientCertificateKeyStorePassword"], p["keyStorePassword"]),
	}
	switch mode {
	case "", "DISABLED", "DISABLE", "PREFERRED":
		return nil, nil
	case "REQUIRED", "TRUST":
		cfg, err := kafkaclient.PrefixedTLS("", keys)
		if cfg != nil {
			cfg.InsecureSkipVerify = true // encrypted, server not verified, as Connector/J's REQUIRED
		}
		return cfg, urlKeyErr(err)
	case "VERIFY_CA":
		keys["ssl.endpoint.identification.algorithm"] = ""
	case "VERIFY_IDENTITY", "VERIFY_FULL":
	default:
		return nil, fmt.Errorf("%w: sslMode=%s: want DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY (MariaDB: disable, trust, verify-ca, verify-full)", ErrURL, p["sslMode"])
	}
	cfg, err := kafkaclient.PrefixedTLS("", keys)
	if cfg != nil {
		cfg.ServerName = u.Host
	}
	return cfg, urlKeyErr(err)
}

// urlKeyErr says which connection.url property a TLS store error is about.
func urlKeyErr(err error) error {
	if err == nil {
		return nil
	}
	msg := strings.NewReplacer("ssl.truststore.location", "trustCertificateKeyStoreUrl", "ssl.keystore.location", "clientCertificateKeyStoreUrl",
		"ssl.truststore", "trustCertificateKeyStore", "ssl.keystore", "clientCertificateKeyStore").Replace(err.Error())
	return fmt.Errorf("%w: connection.url %s", ErrURL, msg)
}
