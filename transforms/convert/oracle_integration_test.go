//go:build integration

package convert

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/transforms/convert/json"
)

// oracleConfigs are the JsonConverter configurations every record is written
// with: every combination of schemas.enable, decimal.format and
// replace.null.with.default.
var oracleConfigs = func() []map[string]string {
	var out []map[string]string
	for _, se := range []string{"true", "false"} {
		for _, df := range []string{"BASE64", "NUMERIC"} {
			for _, rn := range []string{"true", "false"} {
				out = append(out, map[string]string{"schemas.enable": se, "decimal.format": df, "replace.null.with.default": rn})
			}
		}
	}
	return out
}()

// handWritten are envelopes written by hand: edge cases of the reader and
// writer, including records that must fail.
var handWritten = []string{
	`{"schema":null,"payload":null}`,
	`{"schema":null,"payload":true}`,
	`{"schema":null,"payload":{"a":1,"b":[1,2.5,"x",null,{"c":false}],"c":{}}}`,
	`{"schema":null,"payload":[]}`,
	`{"schema":null,"payload":-9223372036854775808}`,
	`{"schema":null,"payload":1.0E-7}`,
	`{"schema":{"type":"struct","fields":[],"optional":false},"payload":{}}`,
	`{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"a"}],"optional":false},"payload":{"a":null}}`,
	`{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"default":7,"field":"a"}],"optional":false},"payload":{"a":null}}`,
	`{"schema":{"type":"struct","fields":[{"type":"int32","optional":true,"default":7,"field":"a"}],"optional":false},"payload":{}}`,
	`{"schema":{"type":"string","optional":true,"default":"default"},"payload":null}`,
	`{"schema":{"type":"string","optional":false},"payload":null}`,
	`{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":1.56}`,
	`{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":"AJw="}`,
	`{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"0"}},"payload":"gA=="}`,
	`{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"9"}},"payload":"AQ=="}`,
	`{"schema":{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"3"},"default":"AQ=="},"payload":null}`,
	`{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1},"payload":-1}`,
	`{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Time","version":1},"payload":86399999}`,
	`{"schema":{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1},"payload":-1}`,
	`{"schema":{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"int32","optional":true},"optional":false},"payload":[[1,12],[2,null]]}`,
	`{"schema":{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"array","items":{"type":"int8","optional":false},"optional":false},"optional":false},"payload":{"a":[1,-128],"b":[]}}`,
	`{"schema":{"type":"array","items":{"type":"struct","fields":[{"type":"double","optional":true,"field":"d"}],"optional":true},"optional":false},"payload":[null,{"d":null},{"d":1.0E300}]}`,
	`{"schema":{"type":"float","optional":false},"payload":3.4028235E38}`,
	`{"schema":{"type":"double","optional":false},"payload":4.9E-324}`,
	`{"schema":{"type":"boolean","optional":false,"name":"bool","version":3,"doc":"the documentation","parameters":{"foo":"bar"}},"payload":true}`,
	`{"schema":{"type":"struct","fields":[{"type":"struct","fields":[{"type":"string","optional":true,"default":"x","field":"s"}],"optional":true,"name":"In","field":"in"}],"optional":false,"name":"Out","version":2,"doc":"nested"},"payload":{"in":{"s":null}}}`,
}

func TestJsonConverterOracle(t *testing.T) {
	cp := buildOracle(t, "oracle", "ConverterOracle")
	records := oracleRecords(t)
	var input bytes.Buffer
	type job struct {
		cfg      map[string]string
		role     string
		envelope string
	}
	var jobs []job
	for i, env := range records {
		role := []string{"value", "key", "header"}[i%3]
		for _, cfg := range oracleConfigs {
			jobs = append(jobs, job{cfg, role, env})
			input.WriteString(configJSON(cfg, role) + "\t" + env + "\n")
		}
	}
	want := runOracle(t, cp, "ConverterOracle", input.Bytes())
	if len(want) != len(jobs) {
		t.Fatalf("oracle printed %d lines for %d records", len(want), len(jobs))
	}
	var diffs, failures int
	for i, j := range jobs {
		got := ferryLine(j.cfg, j.role, j.envelope)
		if strings.HasPrefix(want[i], "ERR ") {
			failures++
		}
		if !sameOutcome(got, want[i]) {
			diffs++
			if diffs <= 20 {
				t.Errorf("record %d %v role=%s\n  input  %s\n  ferry  %s\n  kafka  %s", i, j.cfg, j.role, j.envelope, show(got), show(want[i]))
			}
		}
	}
	t.Logf("JsonConverter oracle: %d records x %d configs = %d conversions compared, %d failing in both, %d differences",
		len(records), len(oracleConfigs), len(jobs), failures, diffs)
	fmt.Printf("JsonConverter oracle: %d records, %d conversions, %d differences\n", len(records), len(jobs), diffs)
}

// oracleRecords returns the hand-written envelopes and 320 generated ones
// (fixed seed), written by ferry's JsonConverter without null replacement so
// that nulls reach the readers.
func oracleRecords(t *testing.T) []string {
	env, err := json.New(map[string]string{"replace.null.with.default": "false"}, false)
	if err != nil {
		t.Fatal(err)
	}
	out := append([]string(nil), handWritten...)
	g := &recordGen{r: rand.New(rand.NewPCG(4, 2026))}
	for len(out) < len(handWritten)+320 {
		s := g.schema(0)
		v := g.value(s, true)
		b, err := env.FromConnect(context.Background(), "t", s, v)
		if err != nil {
			t.Fatalf("generating record %d: %v", len(out), err)
		}
		out = append(out, string(b))
	}
	return out
}

func configJSON(cfg map[string]string, role string) string {
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(`{"role":"` + role + `"`)
	for _, k := range keys {
		fmt.Fprintf(&b, `,%q:%q`, k, cfg[k])
	}
	return b.String() + "}"
}

// ferryLine converts one record as ConverterOracle does, in its output form.
func ferryLine(cfg map[string]string, role, envelope string) string {
	reader, err := json.New(map[string]string{"replace.null.with.default": cfg["replace.null.with.default"]}, false)
	if err != nil {
		return "ERR " + err.Error()
	}
	props := map[string]string{}
	for k, v := range cfg {
		props[k] = v
	}
	var w *json.Converter
	if role == "header" {
		w, err = json.NewHeader(props)
	} else {
		w, err = json.New(props, role == "key")
	}
	if err != nil {
		return "ERR " + err.Error()
	}
	s, v, err := reader.ToConnect(context.Background(), "topic", []byte(envelope))
	if err != nil {
		return "ERR " + err.Error()
	}
	var b []byte
	if role == "header" {
		b, err = w.FromConnectHeader(context.Background(), "topic", "h", s, v)
	} else {
		b, err = w.FromConnect(context.Background(), "topic", s, v)
	}
	switch {
	case err != nil:
		return "ERR " + err.Error()
	case b == nil:
		return "NULL"
	}
	return "OK " + base64.StdEncoding.EncodeToString(b)
}

// sameOutcome: identical bytes, or both failed with Kafka's message contained
// in ferry's error.
func sameOutcome(ferry, kafka string) bool {
	if !strings.HasPrefix(kafka, "ERR ") {
		return ferry == kafka
	}
	if !strings.HasPrefix(ferry, "ERR ") {
		return false
	}
	_, msg, _ := strings.Cut(kafka, ": ")
	return strings.Contains(ferry, msg)
}

func show(line string) string {
	if rest, ok := strings.CutPrefix(line, "OK "); ok {
		b, _ := base64.StdEncoding.DecodeString(rest)
		return string(b)
	}
	return line
}

// buildOracle fetches the jars of testdata/<dir>/pom.xml with Maven and
// compiles <dir>/<class>.java, cached by the content of both; it returns the
// class path.
func buildOracle(t *testing.T, dir, class string) string {
	src := filepath.Join("testdata", dir)
	pom, err := os.ReadFile(filepath.Join(src, "pom.xml"))
	if err != nil {
		t.Fatal(err)
	}
	java, err := os.ReadFile(filepath.Join(src, class+".java"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(append(pom, java...))
	cache := os.Getenv("FERRY_ORACLE_CACHE")
	if cache == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			t.Fatal(err)
		}
		cache = filepath.Join(base, "ferry-oracle")
	}
	out := filepath.Join(cache, dir+"-"+hex.EncodeToString(sum[:6]))
	cp := filepath.Join(out, "classes") + string(os.PathListSeparator) + filepath.Join(out, "jars", "*")
	if _, err := os.Stat(filepath.Join(out, "ok")); err == nil {
		return cp
	}
	jdk := oracleJDK(t)
	run(t, exec.Command("mvn", "-B", "-q", "-ntp", "-f", filepath.Join(src, "pom.xml"), "dependency:copy-dependencies",
		"-DincludeScope=runtime", "-DoutputDirectory="+filepath.Join(out, "jars")))
	run(t, exec.Command(filepath.Join(jdk, "bin", "javac"), "--release", "17", "-d", filepath.Join(out, "classes"),
		"-cp", filepath.Join(out, "jars", "*"), filepath.Join(src, class+".java")))
	if err := os.WriteFile(filepath.Join(out, "ok"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return cp
}

// oracleJDK picks the newest JDK under /usr/lib/jvm (FERRY_ORACLE_JAVA_HOME
// overrides): ferry formats doubles as JDK 19+ Double.toString does.
func oracleJDK(t *testing.T) string {
	if h := os.Getenv("FERRY_ORACLE_JAVA_HOME"); h != "" {
		return h
	}
	dirs, _ := filepath.Glob("/usr/lib/jvm/*")
	best, bestVer := "", 0
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "bin", "javac")); err != nil {
			continue
		}
		var v int
		for _, part := range strings.FieldsFunc(filepath.Base(d), func(r rune) bool { return r == '-' || r == '.' }) {
			if _, err := fmt.Sscanf(part, "%d", &v); err == nil && v >= 8 {
				break
			}
			v = 0
		}
		if v > bestVer {
			best, bestVer = d, v
		}
	}
	if best == "" {
		t.Fatal("no JDK with javac under /usr/lib/jvm; install openjdk-17-jdk-headless or set FERRY_ORACLE_JAVA_HOME")
	}
	if bestVer < 19 {
		t.Logf("JDK %d: Double.toString may print one more digit than ferry for some doubles", bestVer)
	}
	return best
}

func runOracle(t *testing.T, cp, class string, input []byte) []string {
	cmd := exec.Command(filepath.Join(oracleJDK(t), "bin", "java"), "-Xmx256m", "-XX:+UseSerialGC", "-cp", cp, class)
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle: %v\n%s", err, stderr.String())
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

func run(t *testing.T, cmd *exec.Cmd) {
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
}
