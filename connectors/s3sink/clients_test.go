package s3sink

import (
	"fmt"
	"testing"
	"time"
)

// TestClientKept: a task's S3 client is kept across invocations for the
// same keys (before, every invocation built one: the credential chain
// loaded again and new connections, the last client's left open), and
// built again when a key, the AWS environment of the default chain or the
// client's age says it may differ.
func TestClientKept(t *testing.T) {
	static := Config{Region: "us-east-1", StoreURL: "http://127.0.0.1:1", PathStyle: true, AccessKey: "AKID", SecretKey: "s"}
	with := func(f func(c *Config)) Config { c := static; f(&c); return c }
	chain := with(func(c *Config) { c.AccessKey, c.SecretKey = "", "" })
	tests := []struct {
		name   string
		second Config
		env    string        // AWS_ACCESS_KEY_ID before the second get
		later  time.Duration // the second get this much after the first
		same   bool
	}{
		{name: "same keys", second: static, same: true},
		{name: "same keys, a minute later", second: static, later: time.Minute, same: true},
		{name: "older than clientMaxAge", second: static, later: clientMaxAge, same: false},
		{name: "another secret", second: with(func(c *Config) { c.SecretKey = "t" }), same: false},
		{name: "another endpoint", second: with(func(c *Config) { c.StoreURL = "http://127.0.0.1:2" }), same: false},
		{name: "another region", second: with(func(c *Config) { c.Region = "eu-west-1" }), same: false},
		{name: "virtual-hosted style", second: with(func(c *Config) { c.PathStyle = false }), same: false},
		{name: "default chain, same environment", second: chain, env: "AKIDENV", same: true},
		{name: "default chain, environment changed", second: chain, env: "AKIDOTHER", same: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
			now := time.Date(2026, 12, 6, 6, 0, 0, 0, time.UTC)
			c := &clientCache{now: func() time.Time { return now }}
			first := static
			if tt.env != "" {
				first = chain
			}
			a := c.get(&first)
			if tt.env != "" {
				t.Setenv("AWS_ACCESS_KEY_ID", tt.env)
			}
			now = now.Add(tt.later)
			if b := c.get(&tt.second); (a == b) != tt.same {
				t.Fatalf("same client = %v, want %v", a == b, tt.same)
			}
		})
	}
}

// TestClientsBounded: at most maxClients clients are kept; the oldest goes.
func TestClientsBounded(t *testing.T) {
	c := &clientCache{}
	cfg := func(i int) *Config {
		return &Config{Region: "us-east-1", AccessKey: fmt.Sprint("AKID", i), SecretKey: "s"}
	}
	first := c.get(cfg(0))
	for i := 1; i <= maxClients; i++ {
		c.get(cfg(i))
	}
	if len(c.byKey) != maxClients || len(c.order) != maxClients {
		t.Fatalf("%d clients kept (%d in order), want %d", len(c.byKey), len(c.order), maxClients)
	}
	if c.get(cfg(0)) == first {
		t.Fatal("the oldest client was kept past maxClients")
	}
	if c.get(cfg(maxClients)) != c.get(cfg(maxClients)) {
		t.Fatal("the newest client was not kept")
	}
}
