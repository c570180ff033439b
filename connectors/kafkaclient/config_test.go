package kafkaclient

import (
	"crypto/tls"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
)

const (
	plainJAAS = `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";`
	scramJAAS = `org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";`
)

// TestClientOptions builds clients from Kafka keys and checks what franz-go
// was configured with.
func TestClientOptions(t *testing.T) {
	tests := []struct {
		name      string
		worker    map[string]string
		connector map[string]string
		role      Role
		err       string
		check     func(t *testing.T, cl *kgo.Client, c Client)
	}{
		{name: "plaintext default", worker: map[string]string{"bootstrap.servers": "a:9092, b:9092"}, role: Producer,
			check: func(t *testing.T, cl *kgo.Client, _ Client) {
				if v, _ := cl.OptValue(kgo.DialTLSConfig).(*tls.Config); v != nil {
					t.Fatalf("TLS set on PLAINTEXT: %v", v)
				}
				eq(t, cl.OptValue(kgo.SeedBrokers), []string{"a:9092", "b:9092"})
			}},
		{name: "ssl with PEM truststore", worker: map[string]string{"security.protocol": "SSL", "ssl.truststore.type": "PEM", "ssl.truststore.location": "testdata/ca.pem"}, role: Admin,
			check: tlsCheck(false)},
		{name: "ssl with keytool PKCS12 truststore", worker: map[string]string{"security.protocol": "SSL", "ssl.truststore.location": "testdata/truststore.p12", "ssl.truststore.password": "changeit", "ssl.truststore.type": "PKCS12"}, role: Admin,
			check: tlsCheck(false)},
		{name: "mtls with keytool PKCS12 keystore (PBES2/AES)", worker: map[string]string{"security.protocol": "SSL", "ssl.truststore.location": "testdata/ca.pem",
			"ssl.keystore.location": "testdata/client-keytool.p12", "ssl.keystore.password": "changeit", "ssl.key.password": "changeit"}, role: Producer,
			check: tlsCheck(true)},
		{name: "mtls with openssl PKCS12 keystore", worker: map[string]string{"security.protocol": "SSL", "ssl.truststore.location": "testdata/ca.pem",
			"ssl.keystore.type": "PKCS12", "ssl.keystore.location": "testdata/client.p12", "ssl.keystore.password": "changeit"}, role: Producer,
			check: tlsCheck(true)},
		{name: "mtls with inline PEM", worker: map[string]string{"security.protocol": "SSL", "ssl.truststore.certificates": read(t, "testdata/ca.pem"),
			"ssl.keystore.type": "PEM", "ssl.keystore.certificate.chain": read(t, "testdata/client.pem"), "ssl.keystore.key": read(t, "testdata/client.key")}, role: Consumer,
			check: tlsCheck(true)},
		{name: "wrong keystore password", worker: map[string]string{"security.protocol": "SSL", "ssl.keystore.location": "testdata/client-keytool.p12", "ssl.keystore.password": "nope"},
			role: Producer, err: "ssl.keystore.location"},
		{name: "JKS refused with the conversion command", worker: map[string]string{"security.protocol": "SSL", "ssl.truststore.location": "testdata/client.jks", "ssl.truststore.password": "changeit"},
			role: Producer, err: "keytool -importkeystore -srckeystore testdata/client.jks -srcstoretype JKS"},
		{name: "missing truststore file", worker: map[string]string{"security.protocol": "SSL", "ssl.truststore.location": "testdata/nope.pem"},
			role: Producer, err: "ssl.truststore.location"},
		{name: "endpoint identification off", worker: map[string]string{"security.protocol": "SSL", "ssl.endpoint.identification.algorithm": ""}, role: Producer,
			check: func(t *testing.T, cl *kgo.Client, _ Client) {
				c, _ := cl.OptValue(kgo.DialTLSConfig).(*tls.Config)
				if c == nil || !c.InsecureSkipVerify || c.VerifyConnection == nil {
					t.Fatalf("want the chain checked without the host name: %+v", c)
				}
			}},
		{name: "bad endpoint identification", worker: map[string]string{"security.protocol": "SSL", "ssl.endpoint.identification.algorithm": "dns"}, role: Producer, err: "ssl.endpoint.identification.algorithm"},
		{name: "unknown protocol", worker: map[string]string{"security.protocol": "TLS"}, role: Producer, err: "security.protocol"},
		{name: "sasl_ssl plain", worker: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN", "sasl.jaas.config": plainJAAS}, role: Producer,
			check: saslCheck("PLAIN")},
		{name: "plain inferred from the login module", worker: map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.jaas.config": plainJAAS}, role: Producer,
			check: saslCheck("PLAIN")},
		{name: "scram-sha-512", worker: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512", "sasl.jaas.config": scramJAAS}, role: Consumer,
			check: saslCheck("SCRAM-SHA-512")},
		{name: "scram-sha-256", worker: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-256", "sasl.jaas.config": scramJAAS}, role: Consumer,
			check: saslCheck("SCRAM-SHA-256")},
		{name: "oauthbearer client credentials", worker: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "OAUTHBEARER",
			"sasl.login.callback.handler.class":   "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler",
			"sasl.oauthbearer.token.endpoint.url": "https://idp.example/token",
			"sasl.jaas.config":                    `org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="c" clientSecret="s" scope="kafka";`}, role: Admin,
			check: saslCheck("OAUTHBEARER")},
		{name: "oauthbearer without endpoint or unsecured claims", worker: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "OAUTHBEARER",
			"sasl.jaas.config": `org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;`}, role: Admin, err: "sasl.oauthbearer.token.endpoint.url"},
		{name: "msk iam", worker: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "AWS_MSK_IAM",
			"sasl.jaas.config":                   `software.amazon.msk.auth.iam.IAMLoginModule required;`,
			"sasl.client.callback.handler.class": "software.amazon.msk.auth.iam.IAMClientCallbackHandler"}, role: Producer,
			check: saslCheck("AWS_MSK_IAM")},
		{name: "unknown mechanism", worker: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "DIGEST-MD5", "sasl.jaas.config": plainJAAS}, role: Producer, err: "sasl.mechanism"},
		{name: "kerberos default refused", worker: map[string]string{"security.protocol": "SASL_SSL"}, role: Producer, err: "GSSAPI"},
		{name: "plain without password", worker: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN",
			"sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required username="u";`}, role: Producer, err: "username and password"},
		{name: "unknown callback class", worker: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN", "sasl.jaas.config": plainJAAS,
			"sasl.login.callback.handler.class": "com.example.Handler"}, role: Producer, err: "sasl.login.callback.handler.class"},
		{name: "worker producer prefix", worker: map[string]string{"producer.acks": "1", "producer.linger.ms": "25", "producer.compression.type": "zstd",
			"producer.batch.size": "65536", "producer.client.id": "p1", "consumer.client.id": "c1"}, role: Producer,
			check: func(t *testing.T, cl *kgo.Client, _ Client) {
				eq(t, cl.OptValue(kgo.ProducerLinger), 25*time.Millisecond)
				eq(t, cl.OptValue(kgo.ProducerBatchMaxBytes), int32(65536))
				eq(t, cl.OptValue(kgo.ClientID), "p1")
				eq(t, cl.OptValue(kgo.DisableIdempotentWrite), true)
			}},
		{name: "connector override wins over the worker prefix", worker: map[string]string{"consumer.max.poll.records": "10", "consumer.fetch.max.bytes": "1000"},
			connector: map[string]string{"consumer.override.max.poll.records": "500", "consumer.override.isolation.level": "read_committed", "producer.override.linger.ms": "9"}, role: Consumer,
			check: func(t *testing.T, cl *kgo.Client, c Client) {
				eq(t, c.MaxPollRecords, 500)
				eq(t, cl.OptValue(kgo.FetchMaxBytes), int32(1000))
				eq(t, cl.OptValue(kgo.FetchIsolationLevel), int8(1))
			}},
		{name: "override policy None", worker: map[string]string{PolicyKey: "None"},
			connector: map[string]string{"producer.override.acks": "1"}, role: Producer, err: "producer.override.acks"},
		{name: "override policy Principal allows the principal", worker: map[string]string{PolicyKey: "Principal"},
			connector: map[string]string{"producer.override.security.protocol": "SASL_PLAINTEXT", "producer.override.sasl.jaas.config": plainJAAS}, role: Producer,
			check: saslCheck("PLAIN")},
		{name: "override policy Principal refuses the rest", worker: map[string]string{PolicyKey: "Principal"},
			connector: map[string]string{"producer.override.linger.ms": "5"}, role: Producer, err: "Principal"},
		{name: "bad value names the key", worker: map[string]string{"producer.acks": "most"}, role: Producer, err: "producer.acks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := New(tt.worker)
			var c Client
			if err == nil {
				c, err = cfg.Client(tt.role, tt.connector)
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cl, err := kgo.NewClient(c.Opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			tt.check(t, cl, c)
		})
	}
}

// TestProblems lists the overrides /config/validate reports.
func TestProblems(t *testing.T) {
	tests := []struct {
		name      string
		worker    map[string]string
		connector map[string]string
		want      []string
	}{
		{name: "honoured keys", connector: map[string]string{"producer.override.linger.ms": "5", "consumer.override.auto.offset.reset": "earliest", "consumer.override.group.id": "g"}},
		{name: "not honoured", connector: map[string]string{"producer.override.partitioner.class": "x", "consumer.override.frobnicate": "1"},
			want: []string{"consumer.override.frobnicate", "producer.override.partitioner.class"}},
		{name: "wrong role", connector: map[string]string{"consumer.override.acks": "all"}, want: []string{"consumer.override.acks"}},
		{name: "bad value", connector: map[string]string{"consumer.override.isolation.level": "dirty"}, want: []string{"consumer.override.isolation.level"}},
		{name: "bad security override", connector: map[string]string{"producer.override.security.protocol": "SASL_SSL", "producer.override.sasl.mechanism": "NOPE"},
			want: []string{"producer.override.sasl.mechanism"}},
		{name: "policy None", worker: map[string]string{PolicyKey: "None"}, connector: map[string]string{"admin.override.client.id": "x"}, want: []string{"admin.override.client.id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := New(tt.worker)
			if err != nil {
				t.Fatal(err)
			}
			got := sortedKeys(cfg.Problems(tt.connector))
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("problems on %v, want %v: %v", got, tt.want, cfg.Problems(tt.connector))
			}
		})
	}
}

func tlsCheck(clientCert bool) func(*testing.T, *kgo.Client, Client) {
	return func(t *testing.T, cl *kgo.Client, _ Client) {
		v := cl.OptValue(kgo.DialTLSConfig)
		if v == nil {
			t.Fatal("no TLS config")
		}
		c := v.(*tls.Config)
		if c.RootCAs == nil {
			t.Fatal("no trusted CAs")
		}
		if got := len(c.Certificates) > 0; got != clientCert {
			t.Fatalf("client certificate present = %v, want %v", got, clientCert)
		}
	}
}

func saslCheck(name string) func(*testing.T, *kgo.Client, Client) {
	return func(t *testing.T, cl *kgo.Client, _ Client) {
		v := cl.OptValue(kgo.SASL)
		ms, ok := v.([]sasl.Mechanism)
		if !ok || len(ms) != 1 || ms[0].Name() != name {
			t.Fatalf("SASL = %#v, want %s", v, name)
		}
	}
}

func eq(t *testing.T, got, want any) {
	t.Helper()
	if fmt.Sprintf("%T %v", got, got) != fmt.Sprintf("%T %v", want, want) {
		t.Fatalf("got %v (%T), want %v", got, got, want)
	}
}

func read(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
