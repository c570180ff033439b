//go:build integration

package functions_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors/builtin"
	"github.com/ferryhq/ferry/connectors/kafkaclient"
	"github.com/ferryhq/ferry/connectors/kafkaclient/tlstest"
	"github.com/ferryhq/ferry/functions"
	"github.com/ferryhq/ferry/state/file"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// securedRecords is how many records each listener's pipeline moves.
const securedRecords = 100000

// stackEnv reads a variable printed by `localstack/up kafka`; tests fail
// without it.
func stackEnv(t *testing.T, key string) string {
	t.Helper()
	v := os.Getenv(key)
	if v == "" {
		t.Fatalf("%s must be set: run `eval \"$(localstack/up kafka)\"`", key)
	}
	return v
}

const (
	plainJAAS = `org.apache.kafka.common.security.plain.PlainLoginModule required username="%s" password="%s";`
	scramJAAS = `org.apache.kafka.common.security.scram.ScramLoginModule required username="%s" password="%s";`
	unsecJAAS = `org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="ferry";`
	ccJAAS    = `org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="ferry" clientSecret="s3cret" scope="kafka";`
)

// listeners are the worker Kafka keys of each listener of the local broker.
func listeners(t *testing.T) map[string]map[string]string {
	user, pw := stackEnv(t, "KAFKA_SASL_USERNAME"), stackEnv(t, "KAFKA_SASL_PASSWORD")
	ca, dir := stackEnv(t, "KAFKA_CA_FILE"), stackEnv(t, "KAFKA_TLS_DIR")
	saslSSL := stackEnv(t, "KAFKA_SASL_SSL_BOOTSTRAP_SERVERS")
	return map[string]map[string]string{
		"PLAINTEXT": {"bootstrap.servers": stackEnv(t, "KAFKA_BOOTSTRAP_SERVERS")},
		"SSL": {"bootstrap.servers": stackEnv(t, "KAFKA_SSL_BOOTSTRAP_SERVERS"), "security.protocol": "SSL",
			"ssl.truststore.type": "PEM", "ssl.truststore.location": ca},
		"SSL mTLS keytool PKCS12": {"bootstrap.servers": stackEnv(t, "KAFKA_MTLS_BOOTSTRAP_SERVERS"), "security.protocol": "SSL",
			"ssl.truststore.location": filepath.Join(dir, "truststore.p12"), "ssl.truststore.type": "PKCS12", "ssl.truststore.password": stackEnv(t, "KAFKA_STORE_PASSWORD"),
			"ssl.keystore.location": filepath.Join(dir, "client-keytool.p12"), "ssl.keystore.type": "PKCS12",
			"ssl.keystore.password": stackEnv(t, "KAFKA_STORE_PASSWORD"), "ssl.key.password": stackEnv(t, "KAFKA_STORE_PASSWORD")},
		"SASL_SSL PLAIN": {"bootstrap.servers": saslSSL, "security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN",
			"ssl.truststore.location": ca, "sasl.jaas.config": fmt.Sprintf(plainJAAS, user, pw)},
		"SASL_SSL SCRAM-SHA-512": {"bootstrap.servers": saslSSL, "security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512",
			"ssl.truststore.location": ca, "sasl.jaas.config": fmt.Sprintf(scramJAAS, user, pw)},
		"SASL_PLAINTEXT OAUTHBEARER unsecured": {"bootstrap.servers": stackEnv(t, "KAFKA_SASL_PLAINTEXT_BOOTSTRAP_SERVERS"),
			"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "OAUTHBEARER", "sasl.jaas.config": unsecJAAS},
		"SASL_SSL OAUTHBEARER client credentials": {"bootstrap.servers": saslSSL, "security.protocol": "SASL_SSL", "sasl.mechanism": "OAUTHBEARER",
			"ssl.truststore.location": ca, "sasl.jaas.config": ccJAAS,
			"sasl.login.callback.handler.class":   "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler",
			"sasl.oauthbearer.token.endpoint.url": tokenEndpoint(t)},
	}
}

// tokenEndpoint is an OAuth token endpoint for the client-credentials grant
// that issues the unsigned tokens the test broker's unsecured validator accepts.
func tokenEndpoint(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, _ := r.BasicAuth()
		if r.FormValue("grant_type") != "client_credentials" || id != "ferry" || secret != "s3cret" || r.FormValue("scope") != "kafka" {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		now := time.Now().Unix()
		tok := b64(`{"alg":"none"}`) + "." + b64(fmt.Sprintf(`{"sub":"ferry","iat":%d,"exp":%d,"scope":"kafka"}`, now, now+600)) + "."
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"bearer","expires_in":600}`, tok)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/token"
}

func securedHandler(t *testing.T, kafka map[string]string) (*functions.Handler, *file.Store) {
	t.Helper()
	st, err := file.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h, err := functions.NewHandler(functions.Options{Plugins: builtin.Registry(), Store: st,
		Seeds: strings.Split(kafka["bootstrap.servers"], ","), InstanceID: "secured", Kafka: kafka, OffsetsTopics: kafkaOffsets})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h, st
}

// runUntilDone invokes a task until it reports no more work.
func runUntilDone(t *testing.T, h *functions.Handler, st *file.Store, inv functions.Invocation) (read, written int64) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < 200; i++ {
		epoch, err := st.NextEpoch(ctx, inv.Connector, inv.Task)
		if err != nil {
			t.Fatal(err)
		}
		inv.ID, inv.Epoch, inv.Deadline = fmt.Sprintf("%s-%d", inv.Connector, epoch), epoch, time.Now().Add(20*time.Second)
		res, err := h.Handle(ctx, inv)
		if err != nil {
			t.Fatalf("%s invocation %d: %s: %v", inv.Connector, i, res.State, err)
		}
		read, written = read+res.Read, written+res.Written
		if !res.More {
			return read, written
		}
	}
	t.Fatalf("%s: still more after 200 invocations", inv.Connector)
	return
}

// TestSecuredListenersDatagenToFile moves securedRecords records
// datagen -> Kafka -> file over every listener of the local broker, with the
// worker's Kafka keys, and counts them exactly.
func TestSecuredListenersDatagenToFile(t *testing.T) {
	for name, kafka := range listeners(t) {
		t.Run(name, func(t *testing.T) {
			h, st := securedHandler(t, kafka)
			topic := fmt.Sprintf("secured-%s-%d", strings.NewReplacer(" ", "-", "_", "-").Replace(strings.ToLower(name)), time.Now().UnixNano()%1e9)
			start := time.Now()
			src := functions.Invocation{Connector: topic + "-src", Class: "DatagenConnector", MaxRecords: securedRecords,
				Config: map[string]string{"name": topic + "-src", "connector.class": "DatagenConnector", "kafka.topic": topic,
					"quickstart": "orders", "iterations": fmt.Sprint(securedRecords), "max.interval": "0", "task.id": "0", "tasks.max": "1",
					"topic.creation.default.partitions": "2", "topic.creation.default.replication.factor": "1"}}
			if _, written := runUntilDone(t, h, st, src); written != securedRecords {
				t.Fatalf("source wrote %d records, want %d", written, securedRecords)
			}
			out := filepath.Join(t.TempDir(), "out.txt")
			sink := functions.Invocation{Connector: topic + "-sink", Class: "FileStreamSink", MaxRecords: securedRecords,
				Config: map[string]string{"name": topic + "-sink", "connector.class": "FileStreamSink", "topics": topic, "file": out, "tasks.max": "1"}}
			runUntilDone(t, h, st, sink)
			if n := lines(t, out); n != securedRecords {
				t.Fatalf("file has %d lines, want %d", n, securedRecords)
			}
			t.Logf("%s: %d records datagen -> Kafka -> file in %v", name, securedRecords, time.Since(start).Round(time.Millisecond))
		})
	}
}

// TestSecuredExactlyOnceSASLSSL runs an exactly-once source over SASL_SSL
// SCRAM-SHA-512: a read_committed consumer sees every record once.
func TestSecuredExactlyOnceSASLSSL(t *testing.T) {
	kafka := listeners(t)["SASL_SSL SCRAM-SHA-512"]
	h, st := securedHandler(t, kafka)
	topic := fmt.Sprintf("secured-eos-%d", time.Now().UnixNano()%1e9)
	const n = 20000
	src := functions.Invocation{Connector: topic, Class: "DatagenConnector", MaxRecords: n,
		Config: map[string]string{"name": topic, "connector.class": "DatagenConnector", "kafka.topic": topic,
			"quickstart": "orders", "iterations": fmt.Sprint(n), "max.interval": "0", "task.id": "0", "tasks.max": "1",
			"exactly.once.support": "required", "offsets.storage.topic": topic + "-offsets"}}
	if _, written := runUntilDone(t, h, st, src); written != n {
		t.Fatalf("exactly-once source wrote %d, want %d", written, n)
	}
	cfg, err := kafkaclient.New(kafka)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cfg.Client(kafkaclient.Consumer, map[string]string{"consumer.override.isolation.level": "read_committed"})
	if err != nil {
		t.Fatal(err)
	}
	if got := countTopic(t, c.Opts, topic); got != n {
		t.Fatalf("read_committed consumer saw %d records, want %d", got, n)
	}
}

// TestSecuredBadInput: each bad credential or certificate ends the
// invocation quickly with a state and trace that say what is wrong.
func TestSecuredBadInput(t *testing.T) {
	base := listeners(t)
	with := func(name string, kv ...string) map[string]string { return tlstest.With(base[name], kv...) }
	user := stackEnv(t, "KAFKA_SASL_USERNAME")
	tests := []struct {
		name, state, trace string
		kafka              map[string]string
	}{
		{"wrong PLAIN password", functions.StateFailed, "SASL", with("SASL_SSL PLAIN", "sasl.jaas.config", fmt.Sprintf(plainJAAS, user, "wrong"))},
		{"wrong SCRAM password", functions.StateFailed, "SASL", with("SASL_SSL SCRAM-SHA-512", "sasl.jaas.config", fmt.Sprintf(scramJAAS, user, "wrong"))},
		{"untrusted broker certificate", functions.StateFailed, "certificate", with("SSL", "ssl.truststore.location", filepath.Join(stackEnv(t, "KAFKA_TLS_DIR"), "other-ca.pem"))},
		{"mTLS without a client certificate", functions.StateFailed, "", with("SSL", "bootstrap.servers", stackEnv(t, "KAFKA_MTLS_BOOTSTRAP_SERVERS"))},
		{"unreachable token endpoint", functions.StateRetrying, "sasl.oauthbearer.token.endpoint.url", with("SASL_SSL OAUTHBEARER client credentials",
			"sasl.oauthbearer.token.endpoint.url", "http://127.0.0.1:1/token")},
		{"refused client credentials", functions.StateFailed, "refused the client credentials", with("SASL_SSL OAUTHBEARER client credentials",
			"sasl.jaas.config", strings.Replace(ccJAAS, "s3cret", "wrong", 1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := file.Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			h, err := functions.NewHandler(functions.Options{Plugins: builtin.Registry(), Store: st,
				Seeds: strings.Split(tt.kafka["bootstrap.servers"], ","), InstanceID: "bad", Kafka: tt.kafka})
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			topic := fmt.Sprintf("secured-bad-%d", time.Now().UnixNano()%1e9)
			epoch, _ := st.NextEpoch(context.Background(), topic, 0)
			start := time.Now()
			res, err := h.Handle(context.Background(), functions.Invocation{ID: topic, Connector: topic, Class: "DatagenConnector", Epoch: epoch,
				Deadline: time.Now().Add(30 * time.Second), MaxRecords: 10,
				Config: map[string]string{"name": topic, "connector.class": "DatagenConnector", "kafka.topic": topic,
					"quickstart": "orders", "iterations": "10", "max.interval": "0", "task.id": "0", "tasks.max": "1"}})
			took := time.Since(start)
			t.Logf("%s after %v: %s", res.State, took.Round(time.Millisecond), res.Trace)
			if err == nil || res.State != tt.state || !strings.Contains(res.Trace, tt.trace) {
				t.Fatalf("state %s trace %q err %v, want %s with %q", res.State, res.Trace, err, tt.state, tt.trace)
			}
			if took > 15*time.Second {
				t.Fatalf("took %v: a bad credential must not wait for the deadline", took)
			}
		})
	}
}

// TestTopicCreationGroups: a source with topic.creation.* creates its topics
// with the matching group's partitions and configs before producing.
func TestTopicCreationGroups(t *testing.T) {
	kafka := listeners(t)["SASL_SSL SCRAM-SHA-512"]
	h, st := securedHandler(t, kafka)
	base := fmt.Sprintf("tc-%d", time.Now().UnixNano()%1e9)
	for _, tt := range []struct {
		topic      string
		partitions int
		configs    map[string]string
	}{
		{base + "-compacted", 3, map[string]string{"cleanup.policy": "compact"}},
		{base + "-plain", 2, map[string]string{"retention.ms": "3600000"}},
	} {
		src := functions.Invocation{Connector: tt.topic, Class: "DatagenConnector", MaxRecords: 100,
			Config: map[string]string{"name": tt.topic, "connector.class": "DatagenConnector", "kafka.topic": tt.topic,
				"quickstart": "orders", "iterations": "100", "max.interval": "0", "task.id": "0", "tasks.max": "1",
				"topic.creation.groups": "compacted", "topic.creation.compacted.include": ".*-compacted", "topic.creation.compacted.partitions": "3",
				"topic.creation.compacted.cleanup.policy": "compact",
				"topic.creation.default.partitions":       "2", "topic.creation.default.replication.factor": "1", "topic.creation.default.retention.ms": "3600000"}}
		runUntilDone(t, h, st, src)
		adm := admin(t, kafka)
		td, err := adm.ListTopics(context.Background(), tt.topic)
		if err != nil || len(td[tt.topic].Partitions) != tt.partitions {
			t.Fatalf("%s: %d partitions (err %v), want %d", tt.topic, len(td[tt.topic].Partitions), err, tt.partitions)
		}
		rc, err := adm.DescribeTopicConfigs(context.Background(), tt.topic)
		if err != nil {
			t.Fatal(err)
		}
		for k, want := range tt.configs {
			c, _ := rc.On(tt.topic, nil)
			got := ""
			for _, e := range c.Configs {
				if e.Key == k {
					got = e.MaybeValue()
				}
			}
			if got != want {
				t.Fatalf("%s: %s=%q, want %q", tt.topic, k, got, want)
			}
		}
	}
}

func admin(t *testing.T, kafka map[string]string) *kadm.Client {
	cfg, err := kafkaclient.New(kafka)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cfg.Client(kafkaclient.Admin, nil)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(c.Opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return kadm.NewClient(cl)
}

// countTopic reads topic from the start to its end offsets and counts records.
func countTopic(t *testing.T, opts []kgo.Opt, topic string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl, err := kgo.NewClient(append(opts, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.KeepControlRecords())...) // markers show where each partition ends
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	left := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) { left[o.Partition] = o.Offset })
	n := 0
	for len(left) > 0 {
		f := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("counting %s: %v after %d records", topic, err, n)
		}
		f.EachRecord(func(r *kgo.Record) {
			if !r.Attrs.IsControl() {
				n++
			}
			if r.Offset+1 >= left[r.Partition] {
				delete(left, r.Partition)
			}
		})
		for p, e := range left {
			if e == 0 {
				delete(left, p)
			}
		}
	}
	return n
}

func lines(t *testing.T, path string) int {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
	}
	return n
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
