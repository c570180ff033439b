package kafkaclient

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseJAAS(t *testing.T) {
	tests := []struct {
		name, in string
		want     JAAS
		err      string
	}{
		{name: "plain", in: `org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cr=t;x";`,
			want: JAAS{Module: PlainLoginModule, Flag: "required", Options: map[string]string{"username": "alice", "password": "s3cr=t;x"}}},
		{name: "scram escapes and newlines", in: "org.apache.kafka.common.security.scram.ScramLoginModule required\n  username=\"bob\"\n  password=\"a\\\"b\\\\c\"\n  tokenauth=true;",
			want: JAAS{Module: ScramLoginModule, Flag: "required", Options: map[string]string{"username": "bob", "password": `a"b\c`, "tokenauth": "true"}}},
		{name: "oauth client credentials", in: `org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId='x' clientSecret="y" scope="kafka" extension_logicalCluster="lkc-1";`,
			want: JAAS{Module: OAuthBearerLoginModule, Flag: "required", Options: map[string]string{"clientId": "x", "clientSecret": "y", "scope": "kafka", "extension_logicalCluster": "lkc-1"}}},
		{name: "msk iam as the MSK docs give it", in: `software.amazon.msk.auth.iam.IAMLoginModule required;`,
			want: JAAS{Module: IAMLoginModule, Flag: "required", Options: map[string]string{}}},
		{name: "msk iam with profile", in: `software.amazon.msk.auth.iam.IAMLoginModule required awsProfileName="prod" awsRoleArn="arn:aws:iam::123:role/x";`,
			want: JAAS{Module: IAMLoginModule, Flag: "required", Options: map[string]string{"awsProfileName": "prod", "awsRoleArn": "arn:aws:iam::123:role/x"}}},
		{name: "placeholder value", in: `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="${file:/s.properties:pw}";`,
			want: JAAS{Module: PlainLoginModule, Flag: "required", Options: map[string]string{"username": "u", "password": "${file:/s.properties:pw}"}}},
		{name: "no semicolon", in: `org.apache.kafka.common.security.plain.PlainLoginModule required username="u"`, err: "want `LoginModuleClass"},
		{name: "bad flag", in: `org.apache.kafka.common.security.plain.PlainLoginModule mandatory username="u";`, err: "control flag"},
		{name: "unclosed quote", in: `x required username="u;`, err: "not closed"},
		{name: "two modules", in: `a required; b required;`, err: "only one login module"},
		{name: "bare key", in: `a required username;`, err: "key=value"},
		{name: "too long", in: strings.Repeat("x", maxJAAS+1), err: "more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseJAAS(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				if strings.Contains(err.Error(), "s3cr") {
					t.Fatalf("error leaks a secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
