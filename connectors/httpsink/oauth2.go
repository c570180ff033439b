package httpsink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// ErrToken is wrapped when the OAuth2 token endpoint refuses the client's
// credentials: fix oauth2.client.id, oauth2.client.secret or oauth2.token.url.
var ErrToken = errors.New("http sink: OAuth2 token endpoint refused the client credentials")

// tokenSource gets and caches an OAuth2 client-credentials access token.
type tokenSource struct {
	cfg    *Config
	http   *http.Client
	mu     sync.Mutex
	token  string
	expiry time.Time
}

// get returns the cached token, or a new one when there is none, it
// expires within 30 s, or renew is set (the API answered 401).
func (s *tokenSource) get(ctx context.Context, renew bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !renew && s.token != "" && time.Until(s.expiry) > 30*time.Second {
		return s.token, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	if s.cfg.OAuthScope != "" {
		form.Set("scope", s.cfg.OAuthScope)
	}
	if s.cfg.OAuthAuthMode == "url" {
		form.Set("client_id", s.cfg.OAuthClientID)
		form.Set("client_secret", s.cfg.OAuthClientSecret)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(s.cfg.RequestTimeout)*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.OAuthTokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrToken, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if s.cfg.OAuthAuthMode != "url" {
		req.SetBasicAuth(url.QueryEscape(s.cfg.OAuthClientID), url.QueryEscape(s.cfg.OAuthClientSecret))
	}
	res, err := s.http.Do(req)
	if err != nil {
		return "", connectors.Retriable(fmt.Errorf("http sink: OAuth2 token endpoint %s: %w", s.cfg.OAuthTokenURL, err))
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	switch {
	case res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests:
		return "", connectors.Retriable(fmt.Errorf("http sink: OAuth2 token endpoint %s: status %d", s.cfg.OAuthTokenURL, res.StatusCode))
	case res.StatusCode != http.StatusOK:
		return "", fmt.Errorf("%w: %s answered %d: %.200s", ErrToken, s.cfg.OAuthTokenURL, res.StatusCode, body)
	}
	var answer map[string]any
	if err := json.Unmarshal(body, &answer); err != nil {
		return "", fmt.Errorf("%w: %s answered no JSON: %w", ErrToken, s.cfg.OAuthTokenURL, err)
	}
	token, _ := answer[s.cfg.OAuthTokenProperty].(string)
	if token == "" {
		return "", fmt.Errorf("%w: the answer of %s has no %q (oauth2.token.property)", ErrToken, s.cfg.OAuthTokenURL, s.cfg.OAuthTokenProperty)
	}
	s.token, s.expiry = token, time.Now().Add(time.Hour)
	if secs, ok := answer["expires_in"].(float64); ok && secs > 0 {
		s.expiry = time.Now().Add(time.Duration(secs) * time.Second)
	}
	return token, nil
}
