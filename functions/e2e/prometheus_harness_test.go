//go:build integration

package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// repoRoot is the repository's top folder (this file is functions/e2e/...).
func repoRoot(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// prom is a private Prometheus server (the Debian package's binary, from
// localstack/up prometheus) scraping the given targets every second and
// evaluating ferry's alert rules.
type prom struct {
	t    testing.TB
	base string
}

func startPrometheus(t testing.TB, targets map[string]string) *prom {
	t.Helper()
	bin := os.Getenv("PROMETHEUS_BIN")
	if bin == "" {
		t.Fatal("PROMETHEUS_BIN must be set: run `eval \"$(localstack/up prometheus)\"`")
	}
	dir := t.TempDir()
	var cfg strings.Builder
	rules, _ := filepath.Abs(filepath.Join(repoRoot(t), "infra", "prometheus", "ferry-alerts.yml"))
	fmt.Fprintf(&cfg, "global: {scrape_interval: 1s, evaluation_interval: 1s}\nrule_files: [%q]\nscrape_configs:\n", rules)
	for job, target := range targets {
		fmt.Fprintf(&cfg, "  - job_name: %s\n    static_configs: [{targets: [%q]}]\n", job, target)
	}
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	startCmd(t, nil, bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port))
	pr := &prom{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	waitFor(t, 30*time.Second, "prometheus ready", func() bool {
		resp, err := http.Get(pr.base + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return pr
}

// sample is one series of an instant query's answer.
type sample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

// query runs an instant query; it fails the test when Prometheus reports an error.
func (p *prom) query(expr string) []sample {
	p.t.Helper()
	resp, err := http.Get(p.base + "/api/v1/query?query=" + url.QueryEscape(expr))
	if err != nil {
		p.t.Fatalf("query %s: %v", expr, err)
	}
	defer resp.Body.Close()
	var out struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []sample `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Status != "success" {
		p.t.Fatalf("query %s: status %s error %q (%v)", expr, out.Status, out.Error, err)
	}
	return out.Data.Result
}

// value is the single value of expr, or -1 when it has no series.
func (p *prom) value(expr string) float64 {
	p.t.Helper()
	res := p.query(expr)
	if len(res) == 0 {
		return -1
	}
	s, _ := res[0].Value[1].(string)
	v, _ := strconv.ParseFloat(s, 64)
	return v
}

// waitValue waits until expr equals want and returns the last value seen.
func (p *prom) waitValue(timeout time.Duration, expr string, want float64) float64 {
	p.t.Helper()
	var got float64
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if got = p.value(expr); got == want {
			return got
		}
		time.Sleep(500 * time.Millisecond)
	}
	p.t.Errorf("%s = %v after %s, want %v", expr, got, timeout, want)
	return got
}

// rule is one entry of /api/v1/rules.
type rule struct {
	Name, Query, Health, LastError string
	LastEvaluation                 string `json:"lastEvaluation"`
}

func (p *prom) rules() []rule {
	p.t.Helper()
	resp, err := http.Get(p.base + "/api/v1/rules")
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			Groups []struct{ Rules []rule } `json:"groups"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		p.t.Fatal(err)
	}
	var all []rule
	for _, g := range out.Data.Groups {
		all = append(all, g.Rules...)
	}
	return all
}

// dashboardQueries lists every query of the shipped Grafana dashboard, with
// Grafana's variables replaced as Grafana would for "All" over a 1m range.
func dashboardQueries(t testing.TB) []string {
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "infra", "grafana", "ferry-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
		Templating struct {
			List []struct {
				Name       string
				Definition string
			}
		}
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("dashboard JSON: %v", err)
	}
	r := strings.NewReplacer("$connector", ".*", "$__rate_interval", "1m")
	var out []string
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			if tg.Expr != "" {
				out = append(out, r.Replace(tg.Expr))
			}
		}
	}
	for _, v := range d.Templating.List {
		if metric, ok := strings.CutPrefix(v.Definition, "label_values("); ok {
			out = append(out, strings.TrimSpace(strings.Split(metric, ",")[0]))
		}
	}
	return out
}
