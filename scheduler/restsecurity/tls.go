package restsecurity

import (
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ferryhq/ferry/connectors/workerconfig"
	"golang.org/x/crypto/pkcs12"
)

// TLSConfig loads the https listener's certificate: PEM certificate and key
// files, or a PKCS12 or PEM keystore.
func TLSConfig(r workerconfig.REST) (*tls.Config, error) {
	var cert tls.Certificate
	var err error
	switch {
	case r.CertificateLocation != "" || r.KeyLocation != "":
		if r.CertificateLocation == "" || r.KeyLocation == "" {
			return nil, errors.New("https listener: set both listeners.https.ssl.certificate.location and listeners.https.ssl.key.location")
		}
		cert, err = tls.LoadX509KeyPair(r.CertificateLocation, r.KeyLocation)
	case r.KeystoreLocation != "":
		cert, err = loadKeystore(r)
	default:
		return nil, errors.New("https listener: set listeners.https.ssl.keystore.location (PKCS12 or PEM) or listeners.https.ssl.certificate.location and listeners.https.ssl.key.location (PEM)")
	}
	if err != nil {
		return nil, fmt.Errorf("https listener: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

func loadKeystore(r workerconfig.REST) (tls.Certificate, error) {
	data, err := os.ReadFile(r.KeystoreLocation)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("reading keystore: %w", err)
	}
	switch strings.ToUpper(r.KeystoreType) {
	case "PEM":
		return tls.X509KeyPair(data, data)
	case "", "PKCS12":
	default:
		return tls.Certificate{}, fmt.Errorf("keystore type %s is not supported: convert it to PKCS12 or PEM (keytool -importkeystore -deststoretype PKCS12)", r.KeystoreType)
	}
	password := r.KeyPassword
	if password == "" {
		password = r.KeystorePassword
	}
	blocks, err := pkcs12.ToPEM(data, password)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("reading PKCS12 keystore %s: %w (keystores encrypted with PBES2/AES, keytool's default since Java 12, cannot be read: export PEM files with openssl pkcs12 -nodes and use listeners.https.ssl.certificate.location/key.location)", r.KeystoreLocation, err)
	}
	var pemData []byte
	for _, b := range blocks {
		pemData = append(pemData, pem.EncodeToMemory(b)...)
	}
	return tls.X509KeyPair(pemData, pemData)
}
