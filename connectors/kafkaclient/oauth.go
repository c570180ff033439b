package kafkaclient

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
)

// maxTokenBytes bounds a token endpoint's answer.
const maxTokenBytes = 1 << 20

// oauthMechanism is OAUTHBEARER: a token from sasl.oauthbearer.token.endpoint.url
// by the client-credentials grant (OAuthBearerLoginCallbackHandler), or, with
// no endpoint, Kafka's unsecured test token built from the
// unsecuredLoginStringClaim_* options (OAuthBearerUnsecuredLoginCallbackHandler).
func oauthMechanism(k map[string]string, j JAAS) (sasl.Mechanism, error) {
	if j.Module != "" && j.Module != OAuthBearerLoginModule {
		return nil, keyErr("sasl.jaas.config", "", fmt.Sprintf("names %s; OAUTHBEARER needs %s", j.Module, OAuthBearerLoginModule))
	}
	ext := map[string]string{}
	for key, v := range j.Options {
		if name, ok := strings.CutPrefix(key, "extension_"); ok {
			ext[name] = v
		}
	}
	src, err := tokenSource(k, j)
	if err != nil {
		return nil, err
	}
	c := &tokenCache{fetch: src}
	return oauth.Oauth(func(ctx context.Context) (oauth.Auth, error) {
		tok, err := c.token(ctx)
		if err != nil {
			return oauth.Auth{}, err
		}
		return oauth.Auth{Token: tok, Extensions: ext}, nil
	}), nil
}

// token is an access token and when it expires.
type token struct {
	value   string
	expires time.Time
}

type tokenCache struct {
	fetch func(context.Context) (token, error)
	mu    sync.Mutex
	cur   token
	got   time.Time
}

// token returns the cached token until 80% of its lifetime has passed.
func (c *tokenCache) token(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if c.cur.value != "" && now.Before(c.got.Add(c.cur.expires.Sub(c.got)*4/5)) {
		return c.cur.value, nil
	}
	t, err := c.fetch(ctx)
	if err != nil {
		return "", err
	}
	c.cur, c.got = t, now
	return t.value, nil
}

func tokenSource(k map[string]string, j JAAS) (func(context.Context) (token, error), error) {
	endpoint := k["sasl.oauthbearer.token.endpoint.url"]
	if endpoint == "" {
		if j.Options["unsecuredLoginStringClaim_sub"] == "" {
			return nil, keyErr("sasl.oauthbearer.token.endpoint.url", "", "is required for OAUTHBEARER (or, for tests only, unsecuredLoginStringClaim_sub in sasl.jaas.config)")
		}
		return func(context.Context) (token, error) { return unsecuredToken(j, time.Now()) }, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "file") {
		return nil, keyErr("sasl.oauthbearer.token.endpoint.url", endpoint, "must be an https://, http:// or file: URL")
	}
	if u.Scheme == "file" {
		return func(context.Context) (token, error) { return fileToken(u.Path) }, nil
	}
	cc := clientCredentials{endpoint: endpoint,
		id:     cmp.Or(k["sasl.oauthbearer.client.credentials.client.id"], j.Options["clientId"]),
		secret: cmp.Or(k["sasl.oauthbearer.client.credentials.client.secret"], j.Options["clientSecret"]),
		scope:  cmp.Or(k["sasl.oauthbearer.scope"], j.Options["scope"]),
		timeout: durationMS(k["sasl.login.connect.timeout.ms"], 10*time.Second) +
			durationMS(k["sasl.login.read.timeout.ms"], 10*time.Second)}
	if cc.id == "" || cc.secret == "" {
		return nil, keyErr("sasl.jaas.config", "", "OAuthBearerLoginModule needs clientId and clientSecret options for the client-credentials flow")
	}
	return cc.fetch, nil
}

type clientCredentials struct {
	endpoint, id, secret, scope string
	timeout                     time.Duration
}

// fetch runs the client-credentials grant. An endpoint that cannot be reached
// or answers 5xx is retriable; a refusal (4xx) is not.
func (c clientCredentials) fetch(ctx context.Context) (token, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	form := url.Values{"grant_type": {"client_credentials"}}
	if c.scope != "" {
		form.Set("scope", c.scope)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return token{}, keyErr("sasl.oauthbearer.token.endpoint.url", c.endpoint, err.Error())
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(url.QueryEscape(c.id), url.QueryEscape(c.secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return token{}, connectors.Retriable(fmt.Errorf("sasl.oauthbearer.token.endpoint.url %s cannot be reached: %w", c.endpoint, err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenBytes))
	if err != nil {
		return token{}, connectors.Retriable(fmt.Errorf("reading the answer of sasl.oauthbearer.token.endpoint.url %s: %w", c.endpoint, err))
	}
	if resp.StatusCode >= 500 {
		return token{}, connectors.Retriable(fmt.Errorf("sasl.oauthbearer.token.endpoint.url %s answered %s", c.endpoint, resp.Status))
	}
	if resp.StatusCode != http.StatusOK {
		return token{}, &AuthError{Err: fmt.Errorf("sasl.oauthbearer.token.endpoint.url %s refused the client credentials of %q: %s %s",
			c.endpoint, c.id, resp.Status, strings.TrimSpace(string(body[:min(len(body), 200)])))}
	}
	var t struct {
		AccessToken string  `json:"access_token"`
		ExpiresIn   float64 `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &t); err != nil || t.AccessToken == "" {
		return token{}, &AuthError{Err: fmt.Errorf("sasl.oauthbearer.token.endpoint.url %s answered no access_token", c.endpoint)}
	}
	if t.ExpiresIn <= 0 {
		t.ExpiresIn = 3600
	}
	return token{value: t.AccessToken, expires: time.Now().Add(time.Duration(t.ExpiresIn * float64(time.Second)))}, nil
}

// fileToken reads a token from a file, as Kafka does for a file: endpoint URL.
func fileToken(path string) (token, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return token{}, keyErr("sasl.oauthbearer.token.endpoint.url", path, fmt.Sprintf("cannot be read: %v", err))
	}
	return token{value: strings.TrimSpace(string(b)), expires: time.Now().Add(time.Minute)}, nil
}

// unsecuredToken is Kafka's unsecured JWT (alg "none"), accepted only by
// brokers using the unsecured validator: for tests, never for production.
func unsecuredToken(j JAAS, now time.Time) (token, error) {
	life := 3600
	if v := j.Options["unsecuredLoginLifetimeSeconds"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return token{}, keyErr("sasl.jaas.config", "", "unsecuredLoginLifetimeSeconds must be a positive number")
		}
		life = n
	}
	claims := map[string]any{"iat": now.Unix(), "exp": now.Unix() + int64(life)}
	for key, v := range j.Options {
		if name, ok := strings.CutPrefix(key, "unsecuredLoginStringClaim_"); ok {
			claims[name] = v
		} else if name, ok := strings.CutPrefix(key, "unsecuredLoginNumberClaim_"); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return token{}, keyErr("sasl.jaas.config", "", key+" must be a number")
			}
			claims[name] = n
		} else if name, ok := strings.CutPrefix(key, "unsecuredLoginListClaim_"); ok && v != "" {
			claims[name] = strings.Split(v[1:], v[:1])
		}
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return token{}, err
	}
	enc := base64.RawURLEncoding
	return token{value: enc.EncodeToString([]byte(`{"alg":"none"}`)) + "." + enc.EncodeToString(payload) + ".",
		expires: now.Add(time.Duration(life) * time.Second)}, nil
}

func durationMS(v string, def time.Duration) time.Duration {
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Millisecond
	}
	return def
}

// AuthError is an authentication the broker or the token endpoint refused:
// retrying with the same credentials cannot pass.
type AuthError struct{ Err error }

// Error is the cause's message.
func (e *AuthError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *AuthError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a Kafka client failure that retrying
// cannot fix: a refused authentication, an untrusted or mismatched
// certificate, a denied authorization or a bad client key.
func IsPermanent(err error) bool {
	var (
		ae *AuthError
		ce *ConfigError
	)
	return errors.As(err, &ae) || errors.As(err, &ce) || isTLSRefusal(err) || isKafkaAuthErr(err)
}
