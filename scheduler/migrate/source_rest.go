package migrate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxBody bounds each REST answer read from Kafka Connect.
const maxBody = 32 << 20

// REST reads a running Kafka Connect cluster through its REST API:
// GET /connectors?expand=info&expand=status and GET /connectors/{c}/offsets
// (Kafka Connect 3.5 and later). It only reads.
type REST struct {
	// URL is the worker's REST address (http://host:8083).
	URL    string
	Client *http.Client
}

// String names the source for messages: the Kafka Connect REST URL.
func (r *REST) String() string { return "Kafka Connect at " + r.URL }

// expanded is one value of GET /connectors?expand=info&expand=status.
type expanded struct {
	Info struct {
		Config map[string]string `json:"config"`
	} `json:"info"`
	Status struct {
		Connector struct {
			State    string `json:"state"`
			WorkerID string `json:"worker_id"`
		} `json:"connector"`
	} `json:"status"`
}

// Connectors lists every connector with its config, state and offsets.
func (r *REST) Connectors(ctx context.Context) ([]Connector, error) {
	var all map[string]expanded
	if err := r.get(ctx, "/connectors?expand=info&expand=status", &all); err != nil {
		return nil, err
	}
	out := make([]Connector, 0, len(all))
	for name, x := range all {
		c := Connector{Name: name, Config: x.Info.Config, Target: x.Status.Connector.State,
			Running: x.Status.Connector.State, Worker: x.Status.Connector.WorkerID}
		var body struct {
			Offsets []Offset `json:"offsets"`
		}
		if err := r.get(ctx, "/connectors/"+url.PathEscape(name)+"/offsets", &body); err != nil {
			c.OffsetsErr = err
		}
		c.Offsets = body.Offsets
		out = append(out, c)
	}
	return out, nil
}

// get decodes the JSON answer of GET path into dst; a non-200 answer is an
// error quoting Kafka Connect's message.
func (r *REST) get(ctx context.Context, path string, dst any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(r.URL, "/")+path, nil)
	if err != nil {
		return fmt.Errorf("kafka connect REST URL %q: %w", r.URL, err)
	}
	req.Header.Set("Accept", "application/json")
	cl := r.Client
	if cl == nil {
		cl = http.DefaultClient
	}
	resp, err := cl.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w (is Kafka Connect's REST API at %s?)", path, err, r.URL)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	if len(b) > maxBody {
		return fmt.Errorf("GET %s: answer larger than %d MiB", path, maxBody>>20)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(b, &e)
		return fmt.Errorf("GET %s: %s: %s", path, resp.Status, e.Message)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber() // offsets keep every digit
	if err := d.Decode(dst); err != nil {
		return fmt.Errorf("GET %s: not Kafka Connect's JSON: %w", path, err)
	}
	return nil
}
