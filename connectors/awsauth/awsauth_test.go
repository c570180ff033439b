package awsauth

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// lambdaEnv is what AWS Lambda sets for a function's execution role.
func lambdaEnv(t *testing.T) {
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token",
		"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "", "AWS_ACCESS_KEY": "", "AWS_SECRET_KEY": "", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_ACCOUNT_ID": ""} {
		t.Setenv(k, v)
	}
}

// TestEnvConfig: the environment-only chain of `make lambda` builds
// (ferry_noawschain) reads Lambda's environment as the SDK's chain does,
// and refuses what needs the standard chain, naming the option and the fix.
func TestEnvConfig(t *testing.T) {
	for _, tc := range []struct {
		name   string
		env    map[string]string
		o      Options
		region string
		creds  string // access key id; "" with err: Retrieve fails
		err    string // from envConfig
		getErr string // from Retrieve
	}{
		{name: "lambda role", region: "eu-west-1", creds: "ASIAEXAMPLE"},
		{name: "region option", o: Options{Region: "us-west-2"}, region: "us-west-2", creds: "ASIAEXAMPLE"},
		{name: "default region", env: map[string]string{"AWS_REGION": "", "AWS_DEFAULT_REGION": "ap-south-1"}, region: "ap-south-1", creds: "ASIAEXAMPLE"},
		{name: "older key names", env: map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_ACCESS_KEY": "AKIAOLD", "AWS_SECRET_KEY": "s"},
			region: "eu-west-1", creds: "AKIAOLD"},
		{name: "no credentials", env: map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}, region: "eu-west-1",
			getErr: "no AWS credentials in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"},
		{name: "profile", o: Options{Profile: "prod"}, err: `awsProfileName="prod" needs the AWS SDK's standard credential chain`},
		{name: "role", o: Options{RoleARN: "arn:aws:iam::123:role/x"}, err: "make lambda WITH=awschain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lambdaEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			cfg, err := envConfig(tc.o)
			if tc.err != "" {
				var nc *ErrNoChain
				if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.As(err, &nc) {
					t.Fatalf("envConfig(%+v) = %v, want an *ErrNoChain containing %q", tc.o, err, tc.err)
				}
				return
			}
			if err != nil || cfg.Region != tc.region {
				t.Fatalf("envConfig(%+v) = region %q, %v; want %q", tc.o, cfg.Region, err, tc.region)
			}
			c, err := cfg.Credentials.Retrieve(context.Background())
			if tc.getErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.getErr) {
					t.Fatalf("Retrieve = %+v, %v; want an error containing %q", c, err, tc.getErr)
				}
				return
			}
			if err != nil || c.AccessKeyID != tc.creds {
				t.Fatalf("Retrieve = %+v, %v; want access key %s", c, err, tc.creds)
			}
		})
	}
}

// TestLoadOnLambda: on Lambda's environment the standard chain (this
// build's Load) and the environment-only one give the same region and
// credentials.
func TestLoadOnLambda(t *testing.T) {
	lambdaEnv(t)
	std, err := Load(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	env, _ := envConfig(Options{})
	a, err := std.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := env.Credentials.Retrieve(context.Background())
	if std.Region != env.Region || a.AccessKeyID != b.AccessKeyID || a.SecretAccessKey != b.SecretAccessKey || a.SessionToken != b.SessionToken {
		t.Fatalf("standard chain: %s %+v; environment only: %s %+v", std.Region, a, env.Region, b)
	}
}
