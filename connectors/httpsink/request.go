package httpsink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/kafkaclient"
)

// ErrRefused is wrapped by the rejection of records whose request the API
// refused with a status that is not retried: fix the records or the API.
var ErrRefused = errors.New("http sink: request refused")

// maxBackoff caps the doubled retry.backoff.ms.
const maxBackoff = 60 * time.Second

// refusal is a response that is not retried.
type refusal struct {
	status int
	body   string
}

func (r *refusal) Error() string {
	return fmt.Sprintf("%v with status %d: %s", ErrRefused, r.status, r.body)
}

func (r *refusal) Unwrap() error { return ErrRefused }

// client sends requests with the configured auth, headers, timeouts and retries.
type client struct {
	cfg     *Config
	http    *http.Client
	headers [][2]string
	retryOn []statusRange
	tokens  *tokenSource // auth.type=OAUTH2
	sleep   func(context.Context, time.Duration) error
}

func newClient(cfg *Config) *client {
	hs, _ := cfg.headerList()                       // checked
	codes, _ := parseStatusCodes(cfg.RetryOnStatus) // checked
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: time.Duration(cfg.ConnectTimeout) * time.Millisecond}).DialContext
	tr.MaxIdleConnsPerHost = 8
	tr.TLSClientConfig, _ = cfg.tls() // checked
	hc := &http.Client{Transport: tr}
	c := &client{cfg: cfg, http: hc, headers: hs, retryOn: codes, sleep: sleepCtx}
	if cfg.AuthType == "OAUTH2" {
		c.tokens = &tokenSource{cfg: cfg, http: hc}
	}
	return c
}

// retriableStatus reports whether status is in retry.on.status.codes.
func (c *client) retriableStatus(status int) bool {
	for _, r := range c.retryOn {
		if status >= r.lo && status <= r.hi {
			return true
		}
	}
	return false
}

// send sends one request, retrying retriable statuses and network errors up
// to max.retries with doubling backoff or Retry-After. It returns nil, a
// *refusal (not retried, or a client error still refused after the
// retries), or a retriable error.
func (c *client) send(ctx context.Context, method, url string, body []byte) error {
	for attempt := 0; ; attempt++ {
		status, retryAfter, text, err := c.do(ctx, method, url, body)
		if err == nil && status >= 200 && status < 300 {
			return nil
		}
		if err == nil && !c.retriableStatus(status) {
			return &refusal{status: status, body: text}
		}
		if errors.Is(err, ErrToken) {
			return err
		}
		if err != nil && kafkaclient.IsPermanent(err) {
			return fmt.Errorf("http sink: %s %s: %w; check the https.ssl.* keys", method, url, err)
		}
		if attempt >= c.cfg.MaxRetries {
			if err == nil && status >= 400 && status < 500 && status != 408 && status != 429 {
				return &refusal{status: status, body: text}
			}
			if err == nil {
				err = fmt.Errorf("status %d: %s", status, text)
			}
			return connectors.Retriable(fmt.Errorf("http sink: %s %s failed after %d retries: %w", method, url, attempt, err))
		}
		wait := backoff(time.Duration(c.cfg.RetryBackoff)*time.Millisecond, attempt)
		if retryAfter >= 0 {
			wait = retryAfter
		}
		if err := c.sleep(ctx, wait); err != nil {
			return connectors.Retriable(fmt.Errorf("http sink: %s %s: no time left to retry: %w", method, url, err))
		}
	}
}

// do sends one request and returns its status, its Retry-After (-1 when
// absent) and the start of its body.
func (c *client) do(ctx context.Context, method, url string, body []byte) (int, time.Duration, string, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(c.cfg.RequestTimeout)*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return 0, -1, "", err
	}
	if c.cfg.BodyFormat == "json" {
		req.Header.Set("Content-Type", "application/json")
	} else {
		req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	}
	for _, h := range c.headers {
		req.Header.Set(h[0], h[1])
	}
	switch c.cfg.AuthType {
	case "BASIC":
		req.SetBasicAuth(c.cfg.User, c.cfg.Password)
	case "BEARER":
		req.Header.Set("Authorization", "Bearer "+c.cfg.BearerToken)
	}
	res, err := c.authorized(ctx, req, body)
	if err != nil {
		return 0, -1, "", err
	}
	defer res.Body.Close()
	text, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20)) // reuse the connection
	return res.StatusCode, retryAfter(res.Header.Get("Retry-After"), time.Now()), string(text), nil
}

// authorized sends req, with an OAuth2 token for auth.type=OAUTH2; a 401
// renews the token once and sends again.
func (c *client) authorized(ctx context.Context, req *http.Request, body []byte) (*http.Response, error) {
	if c.tokens == nil {
		return c.http.Do(req)
	}
	for renew := false; ; renew = true {
		token, err := c.tokens.get(ctx, renew)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Body = io.NopCloser(bytes.NewReader(body))
		res, err := c.http.Do(req)
		if err != nil || res.StatusCode != http.StatusUnauthorized || renew {
			return res, err
		}
		res.Body.Close()
	}
}

// backoff is base doubled attempt times, capped at maxBackoff.
func backoff(base time.Duration, attempt int) time.Duration {
	d := base
	for range attempt {
		if d *= 2; d >= maxBackoff {
			return maxBackoff
		}
	}
	return d
}

// retryAfter reads a Retry-After header (seconds or an HTTP date), capped
// at maxBackoff; -1 when absent or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return -1
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return min(time.Duration(s)*time.Second, maxBackoff)
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxBackoff)
	}
	return -1
}

// sleepCtx waits d, or fails at once when ctx ends before d has passed.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return context.DeadlineExceeded
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
