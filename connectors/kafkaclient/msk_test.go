package kafkaclient

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// sigV4 signs stringToSign as AWS Signature Version 4 does.
func sigV4(secret, date, region, service, stringToSign string) string {
	mac := func(key []byte, s string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(s))
		return h.Sum(nil)
	}
	k := mac(mac(mac(mac([]byte("AWS4"+secret), date), region), service), "aws4_request")
	return hex.EncodeToString(mac(k, stringToSign))
}

func hexSHA(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// TestSigV4PublishedExample checks the verifier against the example AWS
// publishes in "Create a signed AWS API request" (IAM ListUsers,
// 20150830T123600Z, us-east-1), so the MSK checks below rest on AWS's own numbers.
func TestSigV4PublishedExample(t *testing.T) {
	canonical := "GET\n/\nAction=ListUsers&Version=2010-05-08\n" +
		"content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n" +
		"content-type;host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if got := hexSHA(canonical); got != "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59" {
		t.Fatalf("canonical request hash %s", got)
	}
	sts := "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\nf536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
	if got := sigV4("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam", sts); got != "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7" {
		t.Fatalf("signature %s, want AWS's published 5d672d79...", got)
	}
}

// TestMSKIAMSigning builds AWS_MSK_IAM from the IAMLoginModule JAAS line as the
// MSK docs give it, with credentials from the default AWS chain (here the
// environment), and verifies the signed challenge franz-go sends with the
// SigV4 verifier above. AWS cannot be reached from here: this checks the
// signature, not a live MSK cluster.
func TestMSKIAMSigning(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_CONFIG_FILE", "testdata/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "testdata/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	m, err := mechanism(map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "AWS_MSK_IAM",
		"sasl.jaas.config":                   "software.amazon.msk.auth.iam.IAMLoginModule required;",
		"sasl.client.callback.handler.class": "software.amazon.msk.auth.iam.IAMClientCallbackHandler"})
	if err != nil {
		t.Fatal(err)
	}
	host := "b-1.demo.abc123.c2.kafka.us-east-1.amazonaws.com"
	_, msg, err := m.Authenticate(context.Background(), host+":9098")
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]string
	if err := json.Unmarshal(msg, &c); err != nil {
		t.Fatal(err)
	}
	if c["version"] != "2020_10_22" || c["host"] != host || c["action"] != "kafka-cluster:Connect" {
		t.Fatalf("challenge %v", c)
	}
	cred := c["x-amz-credential"]
	if !strings.HasPrefix(cred, "AKIDEXAMPLE/") || !strings.HasSuffix(cred, "/us-east-1/kafka-cluster/aws4_request") {
		t.Fatalf("credential scope %q: want the environment's key and the broker's region", cred)
	}
	q := url.Values{"Action": {c["action"]}, "X-Amz-Algorithm": {c["x-amz-algorithm"]}, "X-Amz-Credential": {cred},
		"X-Amz-Date": {c["x-amz-date"]}, "X-Amz-Expires": {c["x-amz-expires"]}, "X-Amz-SignedHeaders": {c["x-amz-signedheaders"]}}
	canonical := "GET\n/\n" + strings.ReplaceAll(q.Encode(), "+", "%20") + "\nhost:" + host + "\n\nhost\n" + hexSHA("")
	date := c["x-amz-date"][:8]
	sts := "AWS4-HMAC-SHA256\n" + c["x-amz-date"] + "\n" + date + "/us-east-1/kafka-cluster/aws4_request\n" + hexSHA(canonical)
	if want := sigV4("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", date, "us-east-1", "kafka-cluster", sts); c["x-amz-signature"] != want {
		t.Fatalf("signature %s, want %s", c["x-amz-signature"], want)
	}
}
