package kafkaclient

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"software.sslmate.com/src/go-pkcs12"
)

// maxStoreBytes bounds a keystore or truststore file read.
const maxStoreBytes = 4 << 20

// tlsConfig builds the client TLS configuration from Kafka's ssl.* keys:
// truststore and keystore as PEM (inline or file), PKCS12 (including
// keytool's PBES2/AES stores) or JKS (refused with the conversion command),
// and ssl.endpoint.identification.algorithm.
func tlsConfig(k map[string]string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	roots, err := trustStore(k)
	if err != nil {
		return nil, err
	}
	cfg.RootCAs = roots
	cert, err := keyStore(k)
	if err != nil {
		return nil, err
	}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	if v, err := minTLS(k); err != nil {
		return nil, err
	} else if v != 0 {
		cfg.MinVersion = v
	}
	switch alg := strings.ToLower(k["ssl.endpoint.identification.algorithm"]); alg {
	case "https":
	case "":
		if _, set := k["ssl.endpoint.identification.algorithm"]; set {
			skipHostname(cfg)
		}
	default:
		return nil, keyErr("ssl.endpoint.identification.algorithm", alg, "want https or an empty value (no host name check)")
	}
	return cfg, nil
}

// skipHostname keeps the chain check but drops the host name check, as
// Kafka does with an empty ssl.endpoint.identification.algorithm.
func skipHostname(cfg *tls.Config) {
	roots := cfg.RootCAs
	cfg.InsecureSkipVerify = true
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("the broker sent no certificate")
		}
		inter := x509.NewCertPool()
		for _, c := range cs.PeerCertificates[1:] {
			inter.AddCert(c)
		}
		_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
		if err != nil {
			return &tls.CertificateVerificationError{UnverifiedCertificates: cs.PeerCertificates, Err: err}
		}
		return nil
	}
}

func minTLS(k map[string]string) (uint16, error) {
	v := k["ssl.enabled.protocols"]
	if v == "" {
		return 0, nil
	}
	lowest := uint16(0)
	for _, p := range strings.Split(v, ",") {
		var n uint16
		switch strings.TrimSpace(p) {
		case "TLSv1.2":
			n = tls.VersionTLS12
		case "TLSv1.3":
			n = tls.VersionTLS13
		default:
			return 0, keyErr("ssl.enabled.protocols", v, "ferry speaks TLSv1.2 and TLSv1.3")
		}
		if lowest == 0 || n < lowest {
			lowest = n
		}
	}
	return lowest, nil
}

// trustStore returns the CAs to trust, nil meaning the system's.
func trustStore(k map[string]string) (*x509.CertPool, error) {
	if pemText := k["ssl.truststore.certificates"]; pemText != "" {
		return pemPool("ssl.truststore.certificates", []byte(pemText))
	}
	loc := k["ssl.truststore.location"]
	if loc == "" {
		return nil, nil
	}
	data, typ, err := readStore("ssl.truststore", loc, k["ssl.truststore.type"])
	if err != nil {
		return nil, err
	}
	switch typ {
	case "PEM":
		return pemPool("ssl.truststore.location", data)
	case "PKCS12":
		certs, err := pkcs12Certs(data, k["ssl.truststore.password"])
		if err != nil {
			return nil, keyErr("ssl.truststore.location", loc, fmt.Sprintf("not a PKCS12 truststore readable with ssl.truststore.password: %v", err))
		}
		pool := x509.NewCertPool()
		for _, c := range certs {
			pool.AddCert(c)
		}
		return pool, nil
	}
	return nil, jksErr("ssl.truststore", loc)
}

// pkcs12Certs reads a Java truststore (trusted certificate entries) or, failing
// that, the certificates of a key store.
func pkcs12Certs(data []byte, password string) ([]*x509.Certificate, error) {
	if certs, err := pkcs12.DecodeTrustStore(data, password); err == nil && len(certs) > 0 {
		return certs, nil
	}
	_, cert, cas, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return nil, err
	}
	return append([]*x509.Certificate{cert}, cas...), nil
}

func pemPool(key string, data []byte) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, keyErr(key, "", "holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
	}
	return pool, nil
}

// keyStore returns the client certificate for mutual TLS, nil when none is configured.
func keyStore(k map[string]string) (*tls.Certificate, error) {
	if chain := k["ssl.keystore.certificate.chain"]; chain != "" || k["ssl.keystore.key"] != "" {
		return pemKeyPair("ssl.keystore.key", []byte(chain), []byte(k["ssl.keystore.key"]))
	}
	loc := k["ssl.keystore.location"]
	if loc == "" {
		return nil, nil
	}
	data, typ, err := readStore("ssl.keystore", loc, k["ssl.keystore.type"])
	if err != nil {
		return nil, err
	}
	switch typ {
	case "PEM":
		return pemKeyPair("ssl.keystore.location", data, data)
	case "PKCS12":
		pw := k["ssl.keystore.password"]
		key, cert, cas, err := pkcs12.DecodeChain(data, pw)
		if err != nil && k["ssl.key.password"] != "" && k["ssl.key.password"] != pw {
			key, cert, cas, err = pkcs12.DecodeChain(data, k["ssl.key.password"])
		}
		if err != nil {
			return nil, keyErr("ssl.keystore.location", loc, fmt.Sprintf("not a PKCS12 keystore readable with ssl.keystore.password: %v", err))
		}
		tc := &tls.Certificate{PrivateKey: key, Leaf: cert, Certificate: [][]byte{cert.Raw}}
		for _, c := range cas {
			tc.Certificate = append(tc.Certificate, c.Raw)
		}
		return tc, nil
	}
	return nil, jksErr("ssl.keystore", loc)
}

func pemKeyPair(key string, chain, priv []byte) (*tls.Certificate, error) {
	if bytes.Contains(priv, []byte("ENCRYPTED PRIVATE KEY")) {
		return nil, keyErr(key, "", "is an encrypted PKCS#8 key, which ferry cannot read yet: decrypt it with `openssl pkcs8 -in key.pem -out key-plain.pem` (or use a PKCS12 keystore)")
	}
	c, err := tls.X509KeyPair(chain, priv)
	if err != nil {
		return nil, keyErr(key, "", fmt.Sprintf("no usable PEM certificate chain and private key: %v", err))
	}
	return &c, nil
}

// readStore reads a store file and names its type: the configured one, or
// the one its bytes show when the type is not set (Kafka's default is JKS).
func readStore(prefix, loc, typ string) ([]byte, string, error) {
	f, err := os.Open(loc)
	if err != nil {
		return nil, "", keyErr(prefix+".location", loc, fmt.Sprintf("cannot be read: %v", err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxStoreBytes+1))
	if err != nil {
		return nil, "", keyErr(prefix+".location", loc, fmt.Sprintf("cannot be read: %v", err))
	}
	if len(data) > maxStoreBytes {
		return nil, "", keyErr(prefix+".location", loc, fmt.Sprintf("is larger than %d bytes", maxStoreBytes))
	}
	sniffed := "PKCS12"
	switch {
	case bytes.Contains(data, []byte("-----BEGIN ")):
		sniffed = "PEM"
	case bytes.HasPrefix(data, []byte{0xfe, 0xed, 0xfe, 0xed}), bytes.HasPrefix(data, []byte{0xce, 0xce, 0xce, 0xce}):
		sniffed = "JKS"
	}
	switch t := strings.ToUpper(typ); t {
	case "", "JKS", "PKCS12", "PEM":
		if sniffed == "JKS" || t == "" || (t == "JKS" && sniffed != "JKS") {
			return data, sniffed, nil
		}
		return data, t, nil
	default:
		return nil, "", keyErr(prefix+".type", typ, "want PKCS12, PEM or JKS")
	}
}

func jksErr(prefix, loc string) error {
	return keyErr(prefix+".location", loc, fmt.Sprintf("is a JKS store, which ferry does not read (no maintained Go reader): convert it with "+
		"`keytool -importkeystore -srckeystore %s -srcstoretype JKS -destkeystore %s.p12 -deststoretype PKCS12` "+
		"and set %s.location to the .p12 file and %s.type=PKCS12", loc, strings.TrimSuffix(loc, ".jks"), prefix, prefix))
}

// keyErr is a bad-input error naming the key (and the value when it is not secret).
func keyErr(key, value, why string) error {
	if value == "" {
		return &ConfigError{Key: key, Msg: why}
	}
	return &ConfigError{Key: key, Msg: fmt.Sprintf("%q %s", value, why)}
}

// ConfigError is a Kafka client key with a value ferry cannot use: the
// connector or worker config must change.
type ConfigError struct {
	Key string
	Msg string
}

// Error is the key and what is wrong with its value.
func (e *ConfigError) Error() string { return e.Key + ": " + e.Msg }

// PrefixedTLS builds a TLS configuration from Kafka's ssl.* keys found under
// prefix (schema.registry.ssl.* for the Schema Registry client, as Confluent
// names them): PEM or PKCS12 stores, JKS refused with the conversion
// command. Errors name the prefixed key.
func PrefixedTLS(prefix string, props map[string]string) (*tls.Config, error) {
	keys := map[string]string{}
	for k, v := range props {
		if rest, ok := strings.CutPrefix(k, prefix); ok && strings.HasPrefix(rest, "ssl.") {
			keys[rest] = v
		}
	}
	cfg, err := tlsConfig(keys)
	var ce *ConfigError
	if errors.As(err, &ce) {
		return nil, &ConfigError{Key: prefix + ce.Key, Msg: strings.ReplaceAll(ce.Msg, " ssl.", " "+prefix+"ssl.")}
	}
	return cfg, err
}
