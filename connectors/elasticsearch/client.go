package elasticsearch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/elastic/elastic-transport-go/v8/elastictransport"
	"github.com/ferryhq/ferry/connectors"
)

// cluster is the Elasticsearch (or OpenSearch) cluster the sink writes to,
// through go-elasticsearch's transport (node pool, basic auth, request
// compression) and three REST calls of its own: the full typed client holds
// every Elasticsearch API and weighs 6 MB in a Lambda binary.
type cluster struct {
	es  *elastictransport.Client
	cfg *Config
}

func newCluster(cfg *Config) (*cluster, error) {
	tr := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: time.Duration(cfg.ConnTimeoutMs) * time.Millisecond}).DialContext,
		ResponseHeaderTimeout: time.Duration(cfg.ReadTimeoutMs) * time.Millisecond,
		MaxIdleConnsPerHost:   4,
	}
	if cfg.IdleTimeMs > 0 {
		tr.IdleConnTimeout = time.Duration(cfg.IdleTimeMs) * time.Millisecond
	}
	t, err := cfg.tls()
	if err != nil {
		return nil, err
	}
	tr.TLSClientConfig = t
	urls := make([]*url.URL, 0, len(cfg.URLs))
	for _, a := range cfg.URLs {
		u, err := url.Parse(strings.TrimRight(a, "/"))
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, &connectors.ConfigError{Key: "connection.url", Value: strings.Join(cfg.URLs, ","), Reason: fmt.Sprintf("%q is not an http:// or https:// URL", a)}
		}
		urls = append(urls, u)
	}
	es, err := elastictransport.New(elastictransport.Config{
		URLs: urls, Username: cfg.Username, Password: cfg.Password,
		Transport: tr, DisableRetry: true, CompressRequestBody: cfg.Compression,
	})
	if err != nil {
		return nil, &connectors.ConfigError{Key: "connection.url", Value: strings.Join(cfg.URLs, ","), Reason: err.Error()}
	}
	return &cluster{es: es, cfg: cfg}, nil
}

// do sends one request to the cluster; the caller closes the body.
func (c *cluster) do(ctx context.Context, method, path, contentType string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, path, body)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return c.es.Perform(req)
}

// action is one bulk item: its metadata line, its source line (none for a
// delete) and the record it came from.
type action struct {
	op, index, id string
	source        []byte
	rec           *connectors.Record
}

// itemResult is one bulk response item.
type itemResult struct {
	Index  string `json:"_index"`
	ID     string `json:"_id"`
	Status int    `json:"status"`
	Result string `json:"result"`
	Error  *struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	} `json:"error"`
}

type bulkResponse struct {
	Errors bool                     `json:"errors"`
	Items  []map[string]*itemResult `json:"items"`
}

// bulk sends actions, retrying the whole request and retriable items (429,
// 5xx) up to max.retries times with doubling backoff. It returns the
// per-item results in the order of actions.
func (c *cluster) bulk(ctx context.Context, actions []action) ([]*itemResult, error) {
	results := make([]*itemResult, len(actions))
	pending := make([]int, len(actions))
	for i := range pending {
		pending[i] = i
	}
	backoff := time.Duration(c.cfg.RetryBackoffMs) * time.Millisecond
	for attempt := 0; ; attempt++ {
		items, err := c.send(ctx, actions, pending)
		var retry []int
		if err == nil {
			for j, i := range pending {
				results[i] = items[j]
				if items[j].Status == http.StatusTooManyRequests || items[j].Status >= 500 {
					retry = append(retry, i)
				}
			}
		} else {
			retry = pending
		}
		if len(retry) == 0 {
			return results, nil
		}
		if attempt >= c.cfg.MaxRetries {
			if err == nil {
				r := results[retry[0]]
				err = fmt.Errorf("document %s in index %s: status %d: %s", r.ID, r.Index, r.Status, reason(r))
			}
			return nil, connectors.Retriable(fmt.Errorf("%w after %d retries (max.retries): %w", ErrCluster, attempt, err))
		}
		select {
		case <-ctx.Done():
			return nil, connectors.Retriable(fmt.Errorf("%w: %w", ErrCluster, ctx.Err()))
		case <-time.After(backoff):
		}
		backoff *= 2
		pending = retry
	}
}

// send writes one bulk request of actions[pending...].
func (c *cluster) send(ctx context.Context, actions []action, pending []int) ([]*itemResult, error) {
	res, err := c.do(ctx, http.MethodPost, "/_bulk", "application/x-ndjson", bytes.NewReader(bulkBody(actions, pending)))
	if err != nil {
		return nil, fmt.Errorf("bulk request to %s: %w", strings.Join(c.cfg.URLs, ","), err)
	}
	defer res.Body.Close()
	buf := responses.Get().(*bytes.Buffer)
	defer putResponse(buf)
	if _, err := buf.ReadFrom(res.Body); err != nil {
		return nil, fmt.Errorf("reading the bulk response: %w", err)
	}
	raw := buf.Bytes() // nothing returned refers to it: it goes back to responses
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("bulk request answered %s: %s", res.Status, truncate(raw))
	}
	if n, ok := bulkSucceeded(raw); ok && n == len(pending) {
		out := make([]*itemResult, len(pending))
		succeeded := &itemResult{Status: http.StatusOK}
		for j := range out {
			out[j] = succeeded
		}
		return out, nil
	}
	var br bulkResponse
	if err := json.Unmarshal(raw, &br); err != nil || len(br.Items) != len(pending) {
		return nil, fmt.Errorf("bulk response with %d items for %d actions: %v", len(br.Items), len(pending), err)
	}
	out := make([]*itemResult, len(pending))
	for j, item := range br.Items {
		for _, r := range item {
			out[j] = r
		}
	}
	return out, nil
}

// responses holds buffers for bulk responses (a few hundred KB for 2,000
// items): read with io.ReadAll, each grew from 512 bytes by doubling.
var responses = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putResponse gives buf back to responses, unless it is over 16 MiB.
func putResponse(buf *bytes.Buffer) {
	if buf.Cap() <= 16<<20 {
		buf.Reset()
		responses.Put(buf)
	}
}

// bulkSucceeded reports whether a bulk response says in its first bytes, as
// Elasticsearch and OpenSearch write them ({"took":N,"errors":false,...),
// that no item failed, and counts its items by their "status" keys (a key:
// no string value holds that unescaped), sparing encoding/json's scan of
// every item; a response that reports errors, or is written otherwise, is
// decoded in full.
func bulkSucceeded(raw []byte) (items int, ok bool) {
	rest, found := bytes.CutPrefix(raw, []byte(`{"took":`))
	if !found {
		return 0, false
	}
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	if i == 0 || !bytes.HasPrefix(rest[i:], []byte(`,"errors":false,"items":[`)) {
		return 0, false
	}
	return bytes.Count(rest, []byte(`"status":`)), true
}

// bulkBody is the bulk request of actions[pending...]: per action its
// metadata line, {"<op>":{"_id":...,"_index":...}} with the bytes
// encoding/json writes for that map, and its source line (none for a
// delete).
func bulkBody(actions []action, pending []int) []byte {
	n := 0
	for _, i := range pending {
		a := &actions[i]
		n += len(a.op) + len(a.index) + len(a.id) + len(a.source) + 32
	}
	body := make([]byte, 0, n)
	for _, i := range pending {
		a := &actions[i]
		body = append(append(append(body, `{"`...), a.op...), `":{`...)
		if a.id != "" {
			body = appendJSONString(append(body, `"_id":`...), a.id)
			body = append(body, ',')
		}
		body = appendJSONString(append(body, `"_index":`...), a.index)
		body = append(body, "}}\n"...)
		if a.source != nil {
			body = append(append(body, a.source...), '\n')
		}
	}
	return body
}

// appendJSONString appends s as encoding/json writes a string: as is when
// every byte is printable ASCII that it does not escape, else through
// json.Marshal (HTML-safe escapes, U+2028, U+2029, invalid UTF-8).
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	return append(append(append(b, '"'), s...), '"')
}

func reason(r *itemResult) string {
	if r == nil || r.Error == nil {
		return "no reason given"
	}
	return r.Error.Type + ": " + r.Error.Reason
}

func truncate(b []byte) string {
	if len(b) > 500 {
		return string(b[:500]) + "…"
	}
	return string(b)
}

// ensureIndex creates index with mapping when it does not exist yet.
func (c *cluster) ensureIndex(ctx context.Context, index string, mapping map[string]any) error {
	res, err := c.do(ctx, http.MethodHead, "/"+url.PathEscape(index), "", nil)
	if err != nil {
		return connectors.Retriable(fmt.Errorf("%w: checking index %s: %w", ErrCluster, index, err))
	}
	res.Body.Close()
	if res.StatusCode == http.StatusOK {
		return nil
	}
	body, _ := json.Marshal(map[string]any{"mappings": mapping})
	res, err = c.do(ctx, http.MethodPut, "/"+url.PathEscape(index), "application/json", bytes.NewReader(body))
	if err != nil {
		return connectors.Retriable(fmt.Errorf("%w: creating index %s: %w", ErrCluster, index, err))
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 && !strings.Contains(string(raw), "resource_already_exists_exception") {
		return fmt.Errorf("%w: creating index %s with a mapping from the record schema: %s", ErrCluster, index, truncate(raw))
	}
	return nil
}
