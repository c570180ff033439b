package restsecurity

import (
	"bufio"
	"crypto/subtle"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
)

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
