//go:build integration

package transforms_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
	if *updateGolden {
		writeGolden(t, configs, records, javaLines)
	}
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

var updateGolden = flag.Bool("update-golden", false, "rewrite "+goldenPath+" from the Java oracle's output")

// writeGolden records Kafka Connect's results for a subset of the records
// (the hand-written ones and three of each generated kind), so that plain
// `go test` checks ferry against them without a JVM.
func writeGolden(t *testing.T, configs []map[string]string, records []json.RawMessage, java [][]byte) {
	var keep []int
	for i := 0; i < 24; i++ {
		keep = append(keep, i)
	}
	for i := len(records) - len(handWritten()); i < len(records); i++ {
		keep = append(keep, i)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	enc := json.NewEncoder(zw)
	for _, cfg := range configs {
		isErr := bytes.HasPrefix(java[0], []byte(`{"config_error"`))
		if deliberate(cfg) == "" {
			enc.Encode(goldenLine{Config: cfg, ConfigError: isErr})
		}
		if isErr {
			java = java[1:]
			continue
		}
		if deliberate(cfg) == "" {
			for _, i := range keep {
				enc.Encode(goldenLine{Record: records[i], Want: json.RawMessage(java[i])})
			}
		}
		java = java[len(records):]
	}
	zw.Close()
	if err := os.WriteFile(goldenPath, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
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
		got, _ := r.Line(t.Context(), rec)
		st.compare(t, name, rec, got, java[i])
	}
	return java[len(records):]
}

func (st *stats) compare(t *testing.T, name string, rec, got, want []byte) {
	st.compared++
	same, g, w, gm, wm := sameResult(got, want)
	if !same {
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
