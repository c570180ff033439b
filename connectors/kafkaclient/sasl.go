package kafkaclient

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/ferryhq/ferry/connectors/awsauth"
	"github.com/twmb/franz-go/pkg/sasl"
	kaws "github.com/twmb/franz-go/pkg/sasl/aws"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// Login callback handler classes Kafka users name in sasl.login.callback.handler.class
// and sasl.client.callback.handler.class; ferry does their work itself.
var loginHandlers = map[string]string{
	"org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler":         "OAUTHBEARER",
	"org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerLoginCallbackHandler": "OAUTHBEARER",
	"software.amazon.msk.auth.iam.IAMClientCallbackHandler":                                "AWS_MSK_IAM",
}

// mechanismOf is the SASL mechanism: sasl.mechanism, or when it is not set the
// one the JAAS login module implies (Kafka's own default, GSSAPI, is Kerberos,
// which ferry does not speak).
func mechanismOf(k map[string]string, j JAAS) string {
	if m := strings.ToUpper(strings.TrimSpace(k["sasl.mechanism"])); m != "" {
		return m
	}
	switch j.Module {
	case PlainLoginModule:
		return "PLAIN"
	case OAuthBearerLoginModule:
		return "OAUTHBEARER"
	case IAMLoginModule:
		return "AWS_MSK_IAM"
	}
	return "GSSAPI"
}

// mechanism builds the SASL mechanism from sasl.mechanism and sasl.jaas.config.
func mechanism(k map[string]string) (sasl.Mechanism, error) {
	var j JAAS
	if s := k["sasl.jaas.config"]; s != "" {
		var err error
		if j, err = ParseJAAS(s); err != nil {
			return nil, &ConfigError{Key: "sasl.jaas.config", Msg: err.Error()}
		}
	}
	if err := checkHandlers(k); err != nil {
		return nil, err
	}
	switch m := mechanismOf(k, j); m {
	case "PLAIN":
		u, p, err := userPass(j, PlainLoginModule)
		return plain.Auth{User: u, Pass: p}.AsMechanism(), err
	case "SCRAM-SHA-256", "SCRAM-SHA-512":
		u, p, err := userPass(j, ScramLoginModule)
		a := scram.Auth{User: u, Pass: p, IsToken: j.Options["tokenauth"] == "true"}
		if m == "SCRAM-SHA-256" {
			return a.AsSha256Mechanism(), err
		}
		return a.AsSha512Mechanism(), err
	case "OAUTHBEARER":
		return oauthMechanism(k, j)
	case "AWS_MSK_IAM":
		return mskMechanism(j)
	case "GSSAPI":
		return nil, keyErr("sasl.mechanism", m, "(Kerberos, Kafka's default) is not supported by ferry: use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or AWS_MSK_IAM")
	default:
		return nil, keyErr("sasl.mechanism", m, "is not a SASL mechanism ferry knows: use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or AWS_MSK_IAM")
	}
}

func checkHandlers(k map[string]string) error {
	for _, key := range []string{"sasl.login.callback.handler.class", "sasl.client.callback.handler.class"} {
		if v := k[key]; v != "" {
			if _, ok := loginHandlers[v]; !ok {
				return keyErr(key, v, "is a Java class ferry cannot load; ferry implements OAuthBearerLoginCallbackHandler and IAMClientCallbackHandler itself")
			}
		}
	}
	if v := k["sasl.login.class"]; v != "" {
		return keyErr("sasl.login.class", v, "is a Java class ferry cannot load")
	}
	return nil
}

func userPass(j JAAS, module string) (string, string, error) {
	if j.Module == "" {
		return "", "", keyErr("sasl.jaas.config", "", fmt.Sprintf("is required: %s required username=\"...\" password=\"...\";", module))
	}
	if j.Module != module {
		return "", "", keyErr("sasl.jaas.config", "", fmt.Sprintf("names %s; this mechanism needs %s", j.Module, module))
	}
	u, p := j.Options["username"], j.Options["password"]
	if u == "" || p == "" {
		return "", "", keyErr("sasl.jaas.config", "", fmt.Sprintf("%s needs username and password options", module))
	}
	return u, p, nil
}

// mskMechanism signs AWS_MSK_IAM authentication with the default AWS
// credential chain (environment, profiles, web identity/IRSA, ECS and EC2
// roles, the Lambda execution role), optionally a named profile
// (awsProfileName) and an assumed role (awsRoleArn, awsRoleSessionName,
// awsStsRegion), as the IAMLoginModule options say.
func mskMechanism(j JAAS) (sasl.Mechanism, error) {
	if j.Module != "" && j.Module != IAMLoginModule {
		return nil, keyErr("sasl.jaas.config", "", fmt.Sprintf("names %s; AWS_MSK_IAM needs %s required;", j.Module, IAMLoginModule))
	}
	var (
		once  sync.Once
		creds aws.CredentialsProvider
		err   error
	)
	load := func(ctx context.Context) {
		var cfg aws.Config
		cfg, err = awsauth.Load(ctx, awsauth.Options{Profile: j.Options["awsProfileName"], RoleARN: j.Options["awsRoleArn"],
			RoleSessionName: j.Options["awsRoleSessionName"], STSRegion: j.Options["awsStsRegion"]})
		creds = cfg.Credentials
	}
	return kaws.ManagedStreamingIAM(func(ctx context.Context) (kaws.Auth, error) {
		once.Do(func() { load(context.WithoutCancel(ctx)) })
		if err != nil {
			return kaws.Auth{}, fmt.Errorf("AWS_MSK_IAM: loading the AWS configuration: %w", err)
		}
		if creds == nil {
			return kaws.Auth{}, fmt.Errorf("AWS_MSK_IAM: no AWS credentials found (environment, profile, web identity, ECS/EC2 or Lambda role)")
		}
		c, err := creds.Retrieve(ctx)
		if err != nil {
			return kaws.Auth{}, fmt.Errorf("AWS_MSK_IAM: retrieving AWS credentials: %w", err)
		}
		return kaws.Auth{AccessKey: c.AccessKeyID, SecretKey: c.SecretAccessKey, SessionToken: c.SessionToken,
			UserAgent: "ferry"}, nil
	}), nil
}
