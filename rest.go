package main

import (
	"bufio"
	"crypto/subtle"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"

	"golang.org/x/crypto/pkcs12"
)

// restSettings secure the REST listener: TLS for https:// listeners, HTTP
// basic authentication and CORS. Each comes from a flag (FERRY_* env) or,
// in standalone, from the worker .properties under Kafka Connect's key names.
type restSettings struct {
	// TLS material: a PKCS12 or PEM keystore, or PEM certificate + key files.
	keystore, keystoreType, keystorePassword, keyPassword string
	certFile, keyFile                                     string
	// credentials is the basic-auth credentials file (user: password[,role...]).
	credentials string
	// allowOrigin and allowMethods are access.control.allow.origin/methods.
	allowOrigin, allowMethods string
}

// restKeys maps each setting to its worker .properties keys, most specific first.
func (r *restSettings) restKeys() map[*string][]string {
	return map[*string][]string{
		&r.keystore:         {"listeners.https.ssl.keystore.location", "ssl.keystore.location"},
		&r.keystoreType:     {"listeners.https.ssl.keystore.type", "ssl.keystore.type"},
		&r.keystorePassword: {"listeners.https.ssl.keystore.password", "ssl.keystore.password"},
		&r.keyPassword:      {"listeners.https.ssl.key.password", "ssl.key.password"},
		&r.certFile:         {"listeners.https.ssl.certificate.location", "ssl.certificate.location"},
		&r.keyFile:          {"listeners.https.ssl.key.location", "ssl.key.location"},
		&r.credentials:      {"rest.basic.auth.credentials.file"},
		&r.allowOrigin:      {"access.control.allow.origin"},
		&r.allowMethods:     {"access.control.allow.methods"},
	}
}

func (r *restSettings) register(fs *flag.FlagSet) {
	str := func(p *string, name, doc string) { fs.StringVar(p, name, env(name, ""), doc+envNote(name)) }
	str(&r.keystore, "ssl-keystore-location", "https listener keystore: PKCS12 or PEM file (listeners.https.ssl.keystore.location)")
	str(&r.keystoreType, "ssl-keystore-type", "keystore type: PKCS12 (default) or PEM; JKS is not read")
	str(&r.keystorePassword, "ssl-keystore-password", "keystore password")
	str(&r.keyPassword, "ssl-key-password", "private key password (PKCS12: defaults to the keystore password)")
	str(&r.certFile, "ssl-certificate-location", "https listener PEM certificate chain file (instead of a keystore)")
	str(&r.keyFile, "ssl-key-location", "https listener PEM private key file (with --ssl-certificate-location)")
	str(&r.credentials, "rest-basic-auth-file", "HTTP basic auth credentials file, lines 'user: password[,role]' (rest.basic.auth.credentials.file)")
	str(&r.allowOrigin, "access-control-allow-origin", "CORS allowed origins, comma-separated or * (access.control.allow.origin)")
	str(&r.allowMethods, "access-control-allow-methods", "CORS allowed methods (access.control.allow.methods; default GET,POST,HEAD)")
}

// applyProps fills settings not given by flag or env from worker properties.
func (r *restSettings) applyProps(props map[string]string) {
	for p, keys := range r.restKeys() {
		if *p != "" {
			continue
		}
		for _, k := range keys {
			if v, ok := props[k]; ok && strings.TrimSpace(v) != "" {
				*p = strings.TrimSpace(v)
				break
			}
		}
	}
}

// tlsConfig loads the https listener's certificate.
func (r *restSettings) tlsConfig() (*tls.Config, error) {
	var cert tls.Certificate
	var err error
	switch {
	case r.certFile != "" || r.keyFile != "":
		if r.certFile == "" || r.keyFile == "" {
			return nil, errors.New("https listener: set both listeners.https.ssl.certificate.location and listeners.https.ssl.key.location")
		}
		cert, err = tls.LoadX509KeyPair(r.certFile, r.keyFile)
	case r.keystore != "":
		cert, err = r.loadKeystore()
	default:
		return nil, errors.New("https listener: set listeners.https.ssl.keystore.location (PKCS12 or PEM) or listeners.https.ssl.certificate.location and listeners.https.ssl.key.location (PEM)")
	}
	if err != nil {
		return nil, fmt.Errorf("https listener: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

func (r *restSettings) loadKeystore() (tls.Certificate, error) {
	data, err := os.ReadFile(r.keystore)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("reading keystore: %w", err)
	}
	switch strings.ToUpper(r.keystoreType) {
	case "PEM":
		return tls.X509KeyPair(data, data)
	case "", "PKCS12":
	default:
		return tls.Certificate{}, fmt.Errorf("keystore type %s is not supported: convert it to PKCS12 or PEM (keytool -importkeystore -deststoretype PKCS12)", r.keystoreType)
	}
	password := r.keyPassword
	if password == "" {
		password = r.keystorePassword
	}
	blocks, err := pkcs12.ToPEM(data, password)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("reading PKCS12 keystore %s: %w (keystores encrypted with PBES2/AES, keytool's default since Java 12, cannot be read: export PEM files with openssl pkcs12 -nodes and use listeners.https.ssl.certificate.location/key.location)", r.keystore, err)
	}
	var pemData []byte
	for _, b := range blocks {
		pemData = append(pemData, pem.EncodeToMemory(b)...)
	}
	return tls.X509KeyPair(pemData, pemData)
}

// credentials maps user names to passwords.
type credentials map[string]string

// readCredentials reads a credentials file in the format of the JAAS
// PropertyFileLoginModule that Kafka Connect's BasicAuthSecurityRestExtension
// uses: one "user: password" (or "user=password") per line, # or ! comments;
// anything after a comma in the value is a role list, which ferry ignores.
func readCredentials(path string) (credentials, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("basic auth credentials: %w", err)
	}
	defer f.Close()
	out := credentials{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		i := strings.IndexAny(line, ":=")
		if i <= 0 {
			return nil, fmt.Errorf("basic auth credentials %s line %d: want 'user: password'", path, n)
		}
		pass, _, _ := strings.Cut(strings.TrimSpace(line[i+1:]), ",")
		out[strings.TrimSpace(line[:i])] = strings.TrimSpace(pass)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("basic auth credentials %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("basic auth credentials %s: no users; add lines 'user: password'", path)
	}
	return out, nil
}

// basicAuth refuses requests without valid credentials with 401 and no data.
func basicAuth(creds credentials, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		want, known := creds[user]
		if !ok || !known || subtle.ConstantTimeCompare([]byte(pass), []byte(want)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="ferry"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error_code":401,"message":"Authentication required: send HTTP basic credentials listed in the REST credentials file"}` + "\n"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// cors answers preflight requests and adds Access-Control-Allow-Origin for
// allowed origins, as Kafka Connect's CrossOriginHandler does. Preflights are
// answered before authentication: browsers send them without credentials.
func cors(origins, methods string, next http.Handler) http.Handler {
	allowed := strings.Split(origins, ",")
	for i := range allowed {
		allowed[i] = strings.TrimSpace(allowed[i])
	}
	if strings.TrimSpace(methods) == "" {
		methods = "GET,POST,HEAD"
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" || !(slices.Contains(allowed, "*") || slices.Contains(allowed, origin)) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Add("Vary", "Origin")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			w.Header().Set("Access-Control-Allow-Methods", methods)
			w.Header().Set("Access-Control-Allow-Headers", "X-Requested-With,Content-Type,Accept,Origin,Authorization")
			w.Header().Set("Access-Control-Max-Age", "1800")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// secure wraps the REST handler with CORS and basic auth as configured.
func (r *restSettings) secure(h http.Handler) (http.Handler, error) {
	if r.credentials != "" {
		creds, err := readCredentials(r.credentials)
		if err != nil {
			return nil, err
		}
		h = basicAuth(creds, h)
	}
	if r.allowOrigin != "" {
		h = cors(r.allowOrigin, r.allowMethods, h)
	}
	return h, nil
}
