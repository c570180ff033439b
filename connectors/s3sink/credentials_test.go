//go:build !ferry_noawschain

package s3sink

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestDefaultCredentialChain: with no aws.access.key.id the store uses the
// default AWS credential chain, here a shared credentials profile (on Lambda
// the execution role, on EKS the web identity): before, only the
// AWS_ACCESS_KEY_ID environment variables were read.
func TestDefaultCredentialChain(t *testing.T) {
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(creds, []byte("[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"default chain", Config{Region: "us-east-1", Bucket: "b"}, "AKIDPROFILE"},
		{"configured keys win", Config{Region: "us-east-1", Bucket: "b", AccessKey: "AKIDCONFIG", SecretKey: "s"}, "AKIDCONFIG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := newStore(&tt.cfg).client.Options().Credentials.Retrieve(context.Background())
			if err != nil || c.AccessKeyID != tt.want {
				t.Fatalf("credentials %q err %v, want %q", c.AccessKeyID, err, tt.want)
			}
		})
	}
}
