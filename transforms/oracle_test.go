//go:build integration

package transforms_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/transforms/apply"
)

// The oracle test runs the same records through ferry's transforms and
// through Kafka Connect 4.1.1's own classes (connect-transforms, connect-json)
// and Debezium 3.4's ExtractNewRecordState, in one JVM run, and requires the
// same output for every record: the same record, the same drop, or a failure
// at the same stage of the same class.

const oracleSrc = "testdata/oracle"

// oracleClasspath fetches the jars with Maven and compiles Oracle.java, both
// cached under the user cache directory by the content hash of the sources.
func oracleClasspath(t testing.TB) string {
	t.Helper()
	for _, tool := range []string{"java", "mvn"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the oracle needs %s on PATH (localstack/up kafka-connect installs it): %v", tool, err)
		}
	}
	h := sha256.New()
	for _, name := range []string{"pom.xml", "Oracle.java"} {
		b, err := os.ReadFile(filepath.Join(oracleSrc, name))
		if err != nil {
			t.Fatal(err)
		}
		h.Write(b)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "ferry", "transforms-oracle", hex.EncodeToString(h.Sum(nil))[:16])
	lib, classes := filepath.Join(dir, "lib"), filepath.Join(dir, "classes")
	if _, err := os.Stat(filepath.Join(lib, ".done")); err != nil {
		run(t, exec.Command("mvn", "-q", "-B", "-ntp", "-f", filepath.Join(oracleSrc, "pom.xml"),
			"dependency:copy-dependencies", "-DoutputDirectory="+lib))
		os.WriteFile(filepath.Join(lib, ".done"), nil, 0o644)
	}
	jars, _ := filepath.Glob(filepath.Join(lib, "*.jar"))
	cp := strings.Join(jars, string(os.PathListSeparator))
	if _, err := os.Stat(filepath.Join(classes, "Oracle.class")); err != nil {
		javac := []string{"javac"}
		if _, err := exec.LookPath("javac"); err != nil {
			// A JRE has the compiler module without the javac launcher.
			javac = []string{"java", "-m", "jdk.compiler/com.sun.tools.javac.Main"}
		}
		args := append(javac[1:], "-nowarn", "-d", classes, "-cp", cp, filepath.Join(oracleSrc, "Oracle.java"))
		run(t, exec.Command(javac[0], args...))
	}
	return cp + string(os.PathListSeparator) + classes
}

func run(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
}

// runOracle runs the Java oracle once over input and returns its stdout lines.
func runOracle(t testing.TB, cp string, input []byte, args ...string) [][]byte {
	t.Helper()
	cmd := exec.Command("java", append([]string{"-Duser.timezone=UTC", "-Xss4m", "-cp", cp, "Oracle"}, args...)...)
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("java Oracle: %v\n%s", err, stderr.Bytes())
	}
	return bytes.Split(bytes.TrimRight(out, "\n"), []byte("\n"))
}

type oracleCase struct {
	Config  map[string]string `json:"config"`
	Records []json.RawMessage `json:"records"`
}

func TestOracle(t *testing.T) {
	cp := oracleClasspath(t)
	var records []json.RawMessage
	for _, r := range genRecords(320) {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		records = append(records, b)
	}
	configs := oracleConfigs()
	var input bytes.Buffer
	for _, cfg := range configs {
		b, _ := json.Marshal(oracleCase{Config: cfg, Records: records})
		input.Write(b)
		input.WriteByte('\n')
	}
	javaLines := runOracle(t, cp, input.Bytes())
	var st stats
	for _, cfg := range configs {
		javaLines = st.compareCase(t, cfg, records, javaLines)
	}
	t.Logf("oracle agreement: %d configs (%d config errors agreed), %d records, %d record×transform results compared, %d differences, %d same-class failures with different messages, %d results not compared (deliberate differences)",
		len(configs), st.configErrors, len(records), st.compared, st.differences, st.messageDiffs, st.deliberate)
	for _, m := range st.messageSamples {
		t.Log(m)
	}
	if st.differences > 0 {
		t.Errorf("%d differences from Kafka Connect", st.differences)
	}
}

type stats struct {
	compared, differences, messageDiffs, configErrors, deliberate int
	messageSamples                                                []string
	shown                                                         map[string]int
	seen                                                          map[string]bool
}

// deliberate names the configs where ferry differs from the oracle on
// purpose (listed in the README): their results are counted, not compared.
func deliberate(cfg map[string]string) string {
	for _, k := range []string{"transforms.t.drop.tombstones", "transforms.t.delete.handling.mode"} {
		if _, ok := cfg[k]; ok {
			return "Debezium 2.x key " + strings.TrimPrefix(k, "transforms.t.") + ": Debezium 3 ignores it, ferry honours it"
		}
	}
	return ""
}

func (st *stats) compareCase(t *testing.T, cfg map[string]string, records []json.RawMessage, java [][]byte) [][]byte {
	name := describe(cfg)
	if why := deliberate(cfg); why != "" {
		st.deliberate += len(records)
		t.Logf("not compared (deliberate difference): %s: %s", name, why)
		if bytes.HasPrefix(java[0], []byte(`{"config_error"`)) {
			return java[1:]
		}
		return java[len(records):]
	}
	r, goErr := apply.New(cfg, false, false)
	javaErr := bytes.HasPrefix(java[0], []byte(`{"config_error"`))
	if goErr != nil || javaErr {
		st.compared++
		if (goErr != nil) != javaErr {
			st.differences++
			t.Errorf("%s: config error: ferry %v, Kafka Connect %s", name, goErr, java[0])
		} else {
			st.configErrors++
		}
		if javaErr {
			return java[1:]
		}
		return java[len(records):]
	}
	for i, rec := range records {
		got, _ := r.Line(rec)
		st.compare(t, name, rec, got, java[i])
	}
	return java[len(records):]
}

func (st *stats) compare(t *testing.T, name string, rec, got, want []byte) {
	st.compared++
	g, w := normalize(got), normalize(want)
	gm, wm := g["error"], w["error"]
	delete(g, "error")
	delete(w, "error")
	delete(w, "exception")
	if !reflect.DeepEqual(g, w) {
		st.differences++
		if st.shown == nil {
			st.shown = map[string]int{}
		}
		if st.shown[name]++; st.shown[name] <= 2 {
			t.Errorf("%s\n   input: %.300s\n%s", name, rec, diffKeys(g, w))
		}
		return
	}
	if gm != wm {
		st.messageDiffs++
		key := fmt.Sprint(w["class"], wm)
		if st.seen == nil {
			st.seen = map[string]bool{}
		}
		if !st.seen[key] && len(st.messageSamples) < 60 {
			st.seen[key] = true
			st.messageSamples = append(st.messageSamples, fmt.Sprintf("message differs (%s):\n   ferry: %v\n    java: %v", name, gm, wm))
		}
	}
}

// diffKeys shows the top-level keys whose values differ.
func diffKeys(g, w map[string]any) string {
	var b strings.Builder
	for _, k := range []string{"null", "stage", "class", "topic", "partition", "offset", "timestamp", "key", "key_schema", "value", "value_schema", "headers"} {
		if !reflect.DeepEqual(g[k], w[k]) {
			gj, _ := json.Marshal(g[k])
			wj, _ := json.Marshal(w[k])
			fmt.Fprintf(&b, "   %s:\n     ferry: %.600s\n      java: %.600s\n", k, gj, wj)
		}
	}
	return b.String()
}

// normalize parses a line; numbers become exact rationals so 1.0E10 and
// 10000000000 compare equal. A dropped record is {"null": true}.
func normalize(line []byte) map[string]any {
	d := json.NewDecoder(bytes.NewReader(line))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return map[string]any{"unparseable": string(line)}
	}
	if v == nil {
		return map[string]any{"null": true}
	}
	m, ok := canonical(v).(map[string]any)
	if !ok {
		return map[string]any{"not an object": string(line)}
	}
	return m
}

func canonical(v any) any {
	switch x := v.(type) {
	case json.Number:
		r, ok := new(big.Rat).SetString(string(x))
		if !ok {
			return string(x)
		}
		return "#" + r.RatString()
	case []any:
		for i := range x {
			x[i] = canonical(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = canonical(x[k])
		}
	}
	return v
}

func describe(cfg map[string]string) string {
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s ", strings.TrimPrefix(k, "transforms."), strings.TrimPrefix(cfg[k], "org.apache.kafka.connect.transforms."))
	}
	return strings.TrimSpace(b.String())
}
