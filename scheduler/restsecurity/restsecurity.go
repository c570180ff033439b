// Package restsecurity secures the REST listener as Kafka Connect's worker
// keys configure it: TLS for https:// listeners (listeners.https.ssl.*,
// PKCS12 or PEM), HTTP basic authentication against a JAAS
// PropertyFileLoginModule credentials file, and CORS
// (access.control.allow.origin/methods).
package restsecurity

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/ferryhq/ferry/connectors/workerconfig"
)

// Secure wraps the REST handler with CORS and basic auth as configured.
func Secure(h http.Handler, r workerconfig.REST) (http.Handler, error) {
	if r.CredentialsFile != "" {
		creds, err := readCredentials(r.CredentialsFile)
		if err != nil {
			return nil, err
		}
		h = basicAuth(creds, h)
	}
	if r.AllowOrigin != "" {
		h = cors(r.AllowOrigin, r.AllowMethods, h)
	}
	return h, nil
}

// Listener is the REST listener: its address, the host:port shown as
// worker_id and its URL.
type Listener struct {
	net.Listener
	WorkerID, URL string
}

// Listen opens the first of the listeners, with TLS for https://.
func Listen(r workerconfig.REST) (*Listener, error) {
	addr, workerID, scheme, err := ListenAddr(r.Listeners)
	if err != nil {
		return nil, err
	}
	var tc *tls.Config
	if scheme == "https" {
		if tc, err = TLSConfig(r); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("REST listener %s: %w", strings.Join(r.Listeners, ","), err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	host, _, _ := net.SplitHostPort(workerID)
	out := &Listener{Listener: ln, WorkerID: net.JoinHostPort(host, port), URL: scheme + "://" + ln.Addr().String()}
	if tc != nil {
		out.Listener = tls.NewListener(ln, tc)
	}
	return out, nil
}

// ListenAddr turns Kafka Connect's listeners value into a listen address,
// the host:port shown as worker_id and the scheme (http or https).
func ListenAddr(listeners []string) (addr, workerID, scheme string, err error) {
	shownList := strings.Join(listeners, ",")
	if len(listeners) == 0 {
		return "", "", "", fmt.Errorf("listeners is empty: want http://host:port or https://host:port")
	}
	u, err := url.Parse(strings.TrimSpace(listeners[0]))
	if err != nil {
		return "", "", "", fmt.Errorf("listeners=%q: want http://host:port or https://host:port", shownList)
	}
	u.Scheme = strings.ToLower(u.Scheme) // Kafka Connect's own file says HTTP://:8083
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", "", "", fmt.Errorf("listeners=%q: want http://host:port or https://host:port", shownList)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		return "", "", "", fmt.Errorf("listeners=%q: %w", shownList, err)
	}
	shown := host
	if shown == "" || shown == "0.0.0.0" {
		shown, _ = os.Hostname()
	}
	return net.JoinHostPort(host, port), net.JoinHostPort(shown, port), u.Scheme, nil
}
