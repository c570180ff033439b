package workerconfig

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/connectors"
)

func noEnv(string) (string, bool) { return "", false }

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func write(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Kafka Connect's connect-distributed.properties loads unchanged: honoured
// keys applied, keys that do not apply listed with reasons, client keys kept.
func TestConnectDistributedProperties(t *testing.T) {
	w, err := Load(context.Background(), []string{"testdata/connect-distributed.properties"}, noEnv, "")
	if err != nil {
		t.Fatal(err)
	}
	if w.GroupID != "connect-cluster" || w.OffsetsTopic != "connect-offsets" || !reflect.DeepEqual(w.BootstrapServers, []string{"localhost:9092"}) ||
		!reflect.DeepEqual(w.Listeners, []string{"HTTP://:8083"}) || w.Props["value.converter.schemas.enable"] != "true" {
		t.Errorf("applied = %+v", w.Config)
	}
	var ignoredKeys []string
	for _, n := range w.Ignored {
		if n.Reason == "" {
			t.Errorf("%s ignored without a reason", n.Key)
		}
		ignoredKeys = append(ignoredKeys, n.Key)
	}
	want := []string{"offset.flush.interval.ms", "plugin.path", "rest.advertised.port"}
	if !reflect.DeepEqual(ignoredKeys, want) {
		t.Errorf("ignored = %v, want %v", ignoredKeys, want)
	}
	if len(w.Unknown) != 0 {
		t.Errorf("unknown = %v", w.Unknown)
	}
	if w.Props["security.protocol"] != "SASL_SSL" || w.Props["producer.security.protocol"] != "SASL_SSL" ||
		!strings.HasSuffix(w.Props["sasl.jaas.config"], `username="API_KEY" password="API_SECRET";`) {
		t.Errorf("kafka client keys = %v", w.Props)
	}
	var logs bytes.Buffer
	w.LogNotices(slog.New(slog.NewTextHandler(&logs, nil)))
	if !strings.Contains(logs.String(), "key=plugin.path") || !strings.Contains(logs.String(), "built into the binary") {
		t.Errorf("logs = %s", logs.String())
	}
}

func TestPrecedenceAndFlagsAnywhere(t *testing.T) {
	file := write(t, "worker.properties", "bootstrap.servers=file:9092\ngroup.id=from-file\nferry.concurrency=2\nferry.nats.url=nats://file:4222\n")
	env := envOf(map[string]string{"FERRY_GROUP_ID": "from-env", "FERRY_CONCURRENCY": "3", "FERRY_INVOCATION_TIMEOUT": "5s"})
	w, err := Load(context.Background(), []string{file, "conn.json", "--concurrency", "4", "--bootstrap-servers=flag:9092", "--lambda-margin=1s"}, env, "")
	if err != nil {
		t.Fatal(err)
	}
	if w.File != file || !reflect.DeepEqual(w.Args, []string{"conn.json"}) {
		t.Errorf("file %q args %v", w.File, w.Args)
	}
	if w.Concurrency != 4 || w.BootstrapServers[0] != "flag:9092" || w.GroupID != "from-env" || w.NATSURL != "nats://file:4222" ||
		w.InvocationTimeout != 5000 || w.LambdaMargin != 1000 {
		t.Errorf("config = %+v", w.Config)
	}
}

func TestBadValuesNameKeyValueAndLine(t *testing.T) {
	tests := []struct {
		name, file string
		args       []string
		env        map[string]string
		want, line string
	}{
		{name: "file", file: "# worker\ngroup.id=g\nferry.concurrency=lots\n",
			want: "Invalid value lots for configuration ferry.concurrency: Not a number of type INT (/", line: "worker.properties line 3)"},
		{name: "boolean", file: "topic.tracking.enable=yes\n", want: "Invalid value yes for configuration topic.tracking.enable: Expected value to be either true or false (/", line: "worker.properties line 1)"},
		{name: "flag", args: []string{"--max-records", "-5"}, want: "ferry.max.records: Value must be at least 1 (flag --max-records)"},
		{name: "env", env: map[string]string{"FERRY_LOG_LEVEL": "loud"}, want: "Invalid value loud for configuration ferry.log.level: String must be one of: debug, info, warn, error (environment FERRY_LOG_LEVEL)"},
		{name: "unknown flag", args: []string{"--nats-ur", "x"}, want: "unknown flag --nats-ur"},
		{name: "duration", args: []string{"--invocation-timeout", "soon"}, want: "flag --invocation-timeout=soon: want a duration"},
		{name: "flag without value", args: []string{"--state"}, want: "flag --state needs a value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if tt.file != "" {
				args = append([]string{write(t, "worker.properties", tt.file)}, args...)
			}
			_, err := Load(context.Background(), args, envOf(tt.env), "")
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.line) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	_, err := Load(context.Background(), []string{"--concurrency=x"}, noEnv, "")
	if !errors.Is(err, connectors.ErrConfig) {
		t.Errorf("err = %v, want ErrConfig", err)
	}
	if _, err := Load(context.Background(), []string{"--help"}, noEnv, ""); !errors.Is(err, ErrHelp) {
		t.Errorf("--help: %v", err)
	}
}

// ${file:...} placeholders in the worker config resolve with the worker's providers.
func TestPlaceholdersResolved(t *testing.T) {
	secrets := write(t, "secrets.properties", "user=registry:s3cret\n")
	file := write(t, "worker.properties", "config.providers=file\n"+
		"config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider\n"+
		"value.converter.basic.auth.user.info=${file:"+secrets+":user}\nferry.nats.password=${file:"+secrets+":user}\n")
	w, err := Load(context.Background(), []string{"--worker-config", file}, noEnv, "")
	if err != nil {
		t.Fatal(err)
	}
	if w.Props["value.converter.basic.auth.user.info"] != "registry:s3cret" || w.NATSPassword != "registry:s3cret" {
		t.Errorf("not resolved: %v %q", w.Props, w.NATSPassword)
	}
}

func TestWorkerFileChoice(t *testing.T) {
	conn := write(t, "conn.properties", "name=a\nconnector.class=FileStreamSource\n")
	worker := write(t, "w.properties", "group.id=x\n")
	w, err := Load(context.Background(), []string{conn, worker}, noEnv, "")
	if err != nil || w.File != worker || !reflect.DeepEqual(w.Args, []string{conn}) {
		t.Errorf("file %q args %v err %v", w.File, w.Args, err)
	}
	w, err = Load(context.Background(), nil, envOf(map[string]string{"FERRY_WORKER_CONFIG": worker}), "")
	if err != nil || w.GroupID != "x" {
		t.Errorf("FERRY_WORKER_CONFIG: %+v %v", w, err)
	}
	w, err = Load(context.Background(), nil, noEnv, worker)
	if err != nil || w.GroupID != "x" {
		t.Errorf("fallback file: %+v %v", w, err)
	}
	if w, err = Load(context.Background(), nil, noEnv, filepath.Join(t.TempDir(), "none.properties")); err != nil || w.File != "" {
		t.Errorf("missing fallback file: %+v %v", w, err)
	}
}

func TestUnknownAndRESTFallback(t *testing.T) {
	file := write(t, "w.properties", "grop.id=typo\nssl.keystore.location=/ks.p12\nssl.keystore.password=pw\nlisteners.https.ssl.key.password=kp\n")
	w, err := Load(context.Background(), []string{file}, noEnv, "")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(w.Unknown, []string{"grop.id"}) {
		t.Errorf("unknown = %v", w.Unknown)
	}
	if w.KeystoreLocation != "/ks.p12" || w.KeystorePassword != "pw" || w.KeyPassword != "kp" {
		t.Errorf("rest = %+v", w.REST)
	}
}

func TestUsageListsEveryKey(t *testing.T) {
	var b bytes.Buffer
	Usage(&b, "")
	for _, k := range Definition().Keys {
		if !strings.Contains(b.String(), "--"+FlagName(k)+"\n") || k.Doc == "" {
			t.Errorf("usage lacks %s or it has no doc", k.Name)
		}
	}
	b.Reset()
	Usage(&b, "worker")
	if !strings.Contains(b.String(), "--nats-url\n") || strings.Contains(b.String(), "--listeners\n") {
		t.Errorf("worker usage:\n%s", b.String())
	}
	for flag, want := range map[string]string{"nats-url": "ferry.nats.url", "invocation-timeout": "ferry.invocation.timeout.ms",
		"state": "ferry.state", "bootstrap-servers": "bootstrap.servers", "rest-basic-auth-file": "rest.basic.auth.credentials.file"} {
		if k, ok := flagIndex()[flag]; !ok || k.Name != want {
			t.Errorf("flag --%s is %q, want %s", flag, k.Name, want)
		}
	}
}
