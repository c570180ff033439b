package console

import (
	"maps"
	"testing"
)

func TestLooksSecret(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"connection.password", true},
		{"ssl.key.password", true},
		{"aws.secret.access.key", true},
		{"aws.access.key.id", true},
		{"sasl.jaas.config", true},
		{"basic.auth.user.info", true},
		{"value.converter.basic.auth.user.info", true},
		{"bearer.auth.token", true},
		{"ssl.keystore.key", true},
		{"oauth2.client.secret", true},
		{"Connection.Password", true},
		{"key.converter", false},
		{"redis.key", false},
		{"topics", false},
		{"schema.keyfield", false},
		{"file", false},
		{"connection.user", false},
	}
	for _, tt := range tests {
		if got := LooksSecret(tt.key); got != tt.want {
			t.Errorf("LooksSecret(%q) = %v, want %v", tt.key, got, tt.want)
		}
	}
}

func TestMask(t *testing.T) {
	in := map[string]string{
		"connection.url":      "jdbc:postgresql://db/x",
		"connection.password": "hunter22",
		"db.secret.ref":       "${file:/etc/secrets.properties:pw}",
		"mixed.password":      "x${env:PW}",
		"api.token":           "",
		"custom.field":        "s3cr3t-but-declared",
	}
	want := map[string]string{
		"connection.url":      "jdbc:postgresql://db/x",
		"connection.password": "[hidden]",
		"db.secret.ref":       "${file:/etc/secrets.properties:pw}",
		"mixed.password":      "[hidden]",
		"api.token":           "",
		"custom.field":        "[hidden]",
	}
	got := Mask(in, map[string]bool{"custom.field": true})
	if !maps.Equal(got, want) {
		t.Errorf("Mask =\n%v\nwant\n%v", got, want)
	}
	if in["connection.password"] != "hunter22" {
		t.Error("Mask changed its input")
	}
}
