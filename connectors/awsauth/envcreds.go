package awsauth

import (
	"context"
	"errors"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// envConfig is the region and the credentials of the environment
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN: on Lambda,
// the execution role's), with o's region. A profile or a role to assume is
// an *ErrNoChain. It is Load in a build without the standard chain.
func envConfig(o Options) (aws.Config, error) {
	if o.Profile != "" {
		return aws.Config{}, &ErrNoChain{Option: "awsProfileName", Value: o.Profile}
	}
	if o.RoleARN != "" {
		return aws.Config{}, &ErrNoChain{Option: "awsRoleArn", Value: o.RoleARN}
	}
	region := o.Region
	if region == "" {
		region = envRegion()
	}
	return aws.Config{Region: region, Credentials: envCredentials{}}, nil
}

// envCredentials reads the environment's credentials at each Retrieve
// (the SDK's environment provider reads them once, at load).
type envCredentials struct{}

// errNoEnvCredentials says what the environment lacks.
var errNoEnvCredentials = errors.New("no AWS credentials in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, set by Lambda from the execution role): " +
	"this build (-tags ferry_noawschain, the `make lambda` default) reads no other source; rebuild with `make lambda WITH=awschain` for profiles, SSO, web identity, ECS or EC2 roles")

// Retrieve returns the environment's credentials, AWS_ACCESS_KEY and
// AWS_SECRET_KEY as the SDK's alternatives.
func (envCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	id, secret := firstEnv("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY"), firstEnv("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY")
	if id == "" || secret == "" {
		return aws.Credentials{}, errNoEnvCredentials
	}
	return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: os.Getenv("AWS_SESSION_TOKEN"),
		Source: "EnvConfigCredentials", AccountID: os.Getenv("AWS_ACCOUNT_ID")}, nil
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}
