package configprovider

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	props := filepath.Join(dir, "db.properties")
	writeFile(t, props, "# secrets\nuser=alice\npassword: s3cr=t\nurl jdbc:x \\\n  ;y\n")
	secrets := filepath.Join(dir, "secrets")
	if err := os.Mkdir(secrets, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(secrets, "token"), "tok-123")
	t.Setenv("FERRY_TEST_SECRET", "from-env")

	worker := map[string]string{
		"config.providers":                 "file,env,directory",
		"config.providers.file.class":      FileClass,
		"config.providers.env.class":       EnvClass,
		"config.providers.directory.class": DirectoryClass,
	}
	tests := []struct {
		name    string
		config  map[string]string
		worker  map[string]string
		want    map[string]string
		wantErr string // substring; the error must never contain a secret
	}{
		{name: "file keys", worker: worker,
			config: map[string]string{"connection.user": "${file:" + props + ":user}", "connection.password": "${file:" + props + ":password}"},
			want:   map[string]string{"connection.user": "alice", "connection.password": "s3cr=t"}},
		{name: "line continuation", worker: worker, config: map[string]string{"u": "${file:" + props + ":url}"},
			want: map[string]string{"u": "jdbc:x ;y"}},
		{name: "env", worker: worker, config: map[string]string{"k": "pre-${env:FERRY_TEST_SECRET}-post"},
			want: map[string]string{"k": "pre-from-env-post"}},
		{name: "directory", worker: worker, config: map[string]string{"k": "${directory:" + secrets + ":token}"},
			want: map[string]string{"k": "tok-123"}},
		{name: "undeclared provider left as written", worker: worker, config: map[string]string{"k": "${vault:a:b}"},
			want: map[string]string{"k": "${vault:a:b}"}},
		{name: "no placeholders, no providers needed", config: map[string]string{"k": "v"}, want: map[string]string{"k": "v"}},
		{name: "declared in the connector config: refused by default", config: map[string]string{
			"config.providers": "e", "config.providers.e.class": EnvClass, "k": "${e:FERRY_TEST_SECRET}"},
			wantErr: ConnectorProvidersKey + "=true"},
		{name: "missing key names the reference", worker: worker, config: map[string]string{"k": "${file:" + props + ":nope}"},
			wantErr: "${file:" + props + ":nope}"},
		{name: "missing file names the reference", worker: worker, config: map[string]string{"k": "${file:/nonexistent/x.properties:user}"},
			wantErr: "${file:/nonexistent/x.properties:user}"},
		{name: "unset env var", worker: worker, config: map[string]string{"k": "${env:FERRY_TEST_UNSET_VAR}"},
			wantErr: "${env:FERRY_TEST_UNSET_VAR}"},
		{name: "env with a path", worker: worker, config: map[string]string{"k": "${env:x:FERRY_TEST_SECRET}"},
			wantErr: "${env:x:FERRY_TEST_SECRET}"},
		{name: "unknown class", worker: map[string]string{"config.providers": "v", "config.providers.v.class": "com.acme.Vault"},
			config: map[string]string{"k": "${v:a:b}"}, wantErr: `set config.providers.v.class`},
		{name: "allowed.paths refuses other files", config: map[string]string{"k": "${file:" + props + ":user}"},
			worker: map[string]string{"config.providers": "file", "config.providers.file.class": FileClass,
				"config.providers.file.param.allowed.paths": "/etc/elsewhere"}, wantErr: "allowed.paths"},
		{name: "allowlist.pattern hides other variables", config: map[string]string{"k": "${env:FERRY_TEST_SECRET}"},
			worker: map[string]string{"config.providers": "env", "config.providers.env.class": EnvClass,
				"config.providers.env.param.allowlist.pattern": "PUBLIC_.*"}, wantErr: "${env:FERRY_TEST_SECRET}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Resolve(context.Background(), tt.config, tt.worker, Builtins())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrUnresolved) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				for _, secret := range []string{"alice", "s3cr=t", "from-env", "tok-123"} {
					if strings.Contains(err.Error(), secret) {
						t.Fatalf("error reveals a secret: %v", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Fatalf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func TestResolveLeavesInputAlone(t *testing.T) {
	t.Setenv("FERRY_TEST_SECRET", "x")
	in := map[string]string{"config.providers": "env", "config.providers.env.class": EnvClass, "k": "${env:FERRY_TEST_SECRET}"}
	if _, err := Resolve(context.Background(), in, in, Builtins()); err != nil {
		t.Fatal(err)
	}
	if in["k"] != "${env:FERRY_TEST_SECRET}" {
		t.Fatalf("input changed: %v", in)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
