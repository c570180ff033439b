package awssecrets

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// standIn answers the Secrets Manager and SSM JSON APIs from fixed data. It
// stands in for AWS (no AWS-compatible secrets service runs on this machine)
// and checks that every request is signed (Signature Version 4) for its service.
func standIn(t *testing.T) string {
	t.Helper()
	secrets := map[string]string{"db": `{"user":"ferry","password":"s3cret","port":5432}`, "token": "plain-token"}
	params := map[string]string{"/ferry/prod/password": "p4ss", "/ferry/prod/user": "admin"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		_ = json.NewDecoder(r.Body).Decode(&in)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		target := r.Header.Get("X-Amz-Target")
		service := map[string]string{"secretsmanager.GetSecretValue": "secretsmanager", "AmazonSSM.GetParameters": "ssm"}[target]
		if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=test/") ||
			!strings.Contains(auth, "/"+service+"/aws4_request") || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
			t.Errorf("%s: Authorization %q, Content-Type %q: want a SigV4 signature for %s", target, auth, r.Header.Get("Content-Type"), service)
		}
		switch target {
		case "secretsmanager.GetSecretValue":
			v, ok := secrets[in["SecretId"].(string)]
			if !ok {
				w.WriteHeader(400)
				_, _ = w.Write([]byte(`{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}`))
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]string{"Name": in["SecretId"].(string), "SecretString": v})
		case "AmazonSSM.GetParameters":
			var found []map[string]string
			for _, n := range in["Names"].([]any) {
				if v, ok := params[n.(string)]; ok {
					found = append(found, map[string]string{"Name": n.(string), "Value": v})
				}
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"Parameters": found})
		default:
			t.Errorf("unexpected X-Amz-Target %q", target)
			w.WriteHeader(400)
		}
	}))
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	return srv.URL
}

func TestSecretsManager(t *testing.T) {
	sm, err := NewSecretsManager(map[string]string{"endpoint": standIn(t), "aws.region": "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path string
		keys       []string
		want       map[string]string
		wantErr    string
	}{
		{name: "json fields", path: "db", keys: []string{"user", "password", "port", "absent"},
			want: map[string]string{"user": "ferry", "password": "s3cret", "port": "5432"}},
		{name: "whole secrets", keys: []string{"token", "db"},
			want: map[string]string{"token": "plain-token", "db": `{"user":"ferry","password":"s3cret","port":5432}`}},
		{name: "key of a plain secret", path: "token", keys: []string{"x"}, wantErr: "not a JSON object"},
		{name: "missing secret", path: "nope", keys: []string{"x"}, wantErr: "ResourceNotFoundException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := sm.Get(context.Background(), tc.path, tc.keys)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !equal(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestParameterStore(t *testing.T) {
	ps, err := NewParameterStore(map[string]string{"endpoint": standIn(t)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ps.Get(context.Background(), "/ferry/prod/", []string{"password", "user", "absent"})
	if want := map[string]string{"password": "p4ss", "user": "admin"}; err != nil || !equal(got, want) {
		t.Fatalf("got %v, %v; want %v", got, err, want)
	}
	got, err = ps.Get(context.Background(), "", []string{"/ferry/prod/user"})
	if err != nil || got["/ferry/prod/user"] != "admin" {
		t.Fatalf("full name: got %v, %v", got, err)
	}
}

func equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
