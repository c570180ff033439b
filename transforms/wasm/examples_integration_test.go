//go:build integration

package wasm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/ferryhq/ferry/transforms/apply"
	"github.com/ferryhq/ferry/transforms/wasm/wasmtest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// exampleConfig reads examples/<name>.config.json with each bin/wasm/<m>.wasm
// module replaced by the module built for this test, and writes it to a
// temporary file for `ferry transforms apply --config`.
func exampleConfig(t *testing.T, name string, modules map[string]string) string {
	raw, err := os.ReadFile(filepath.Join("examples", name+".config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]string
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	for k, v := range cfg {
		if strings.HasSuffix(k, ".module") {
			built, ok := modules[v]
			if !ok {
				t.Fatalf("%s: %s=%s is not an example module", name, k, v)
			}
			cfg[k] = built
		}
	}
	out, _ := json.Marshal(cfg)
	path := filepath.Join(t.TempDir(), name+".config.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestExamplesApplyOffline: the example modules, built from source, run
// under `ferry transforms apply` with no service: the Go and the Rust
// masking transformations give the same lines, and the Go content filter
// drops the EU records after the Rust mask.
func TestExamplesApplyOffline(t *testing.T) {
	modules := map[string]string{
		"bin/wasm/go-mask.wasm":   wasmtest.GoModule(t, "mask"),
		"bin/wasm/go-filter.wasm": wasmtest.GoModule(t, "filter"),
		"bin/wasm/rust-mask.wasm": wasmtest.RustMask(t),
	}
	in, err := os.ReadFile(filepath.Join("examples", "pii.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ config, golden string }{
		{"go-mask", "masked"},
		{"rust-mask", "masked"},
		{"mask-filter", "masked-filtered"},
	} {
		t.Run(c.config, func(t *testing.T) {
			var out bytes.Buffer
			err := apply.Main(context.Background(), []string{"apply", "--config", exampleConfig(t, c.config, modules)}, bytes.NewReader(in), &out)
			if err != nil {
				t.Fatalf("%v\n%s", err, out.Bytes())
			}
			golden := filepath.Join("testdata", "pii."+c.golden+".golden.jsonl")
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -tags integration -update)", err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("output differs from %s:\n got: %s\nwant: %s", golden, out.Bytes(), want)
			}
		})
	}
}

// TestModuleFromS3: a module at an s3:// URL on the stack's S3 server runs
// as a file's does; a missing object fails the configuration naming the URL.
func TestModuleFromS3(t *testing.T) {
	env := map[string]string{}
	for _, k := range []string{"S3_ENDPOINT", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		if env[k] = os.Getenv(k); env[k] == "" {
			t.Fatalf("%s is not set: eval \"$(localstack/up s3)\" first", k)
		}
	}
	code, err := os.ReadFile(wasmtest.RustMask(t))
	if err != nil {
		t.Fatal(err)
	}
	client := s3.New(s3.Options{Region: env["AWS_REGION"], BaseEndpoint: aws.String(env["S3_ENDPOINT"]), UsePathStyle: true,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: env["AWS_ACCESS_KEY_ID"], SecretAccessKey: env["AWS_SECRET_ACCESS_KEY"]}, nil
		})})
	bucket := "ferry-wasm-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	ctx := t.Context()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil && !strings.Contains(err.Error(), "BucketAlready") {
		t.Fatal(err)
	}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("modules/mask-v1.wasm"), Body: bytes.NewReader(code)}); err != nil {
		t.Fatal(err)
	}
	base := map[string]string{"transforms": "mask", "transforms.mask.type": "io.ferry.transforms.Wasm",
		"transforms.mask.store.url": env["S3_ENDPOINT"], "transforms.mask.s3.region": env["AWS_REGION"],
		"transforms.mask.config.fields": "email"}
	cfg := func(url string) map[string]string {
		c := map[string]string{"transforms.mask.module": url}
		for k, v := range base {
			c[k] = v
		}
		return c
	}
	r, err := apply.New(cfg("s3://"+bucket+"/modules/mask-v1.wasm"), false, false)
	if err != nil {
		t.Fatal(err)
	}
	out, ok := r.Line(ctx, []byte(`{"topic":"t","value":{"email":"ann@example.com"}}`))
	if !ok || !bytes.Contains(out, []byte(`"email":"****@example.com"`)) {
		t.Fatalf("masked line: %s", out)
	}
	_, err = apply.New(cfg("s3://"+bucket+"/modules/gone.wasm"), false, false)
	if err == nil || !strings.Contains(err.Error(), "transforms.mask.module") || !strings.Contains(err.Error(), "cannot download the module") {
		t.Fatalf("a missing object: %v", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("a missing object should fail at once, not time out")
	}
}
