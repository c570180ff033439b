// Package awsauth loads the AWS region and credentials of ferry's AWS
// clients: the Kafka client's AWS_MSK_IAM, the S3 sink, and the Secrets
// Manager and Parameter Store config providers.
//
// By default it is the AWS SDK's standard chain (environment, shared
// profiles, SSO, web identity, ECS and EC2 roles), with assumed roles. The
// build tag ferry_noawschain, which `make lambda` sets by default, reads
// the environment only: on AWS Lambda the function's execution role is
// always there (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
// AWS_REGION), and the standard chain's SDK clients (STS, SSO, SSO OIDC,
// sign-in) cost the function 0.7 MB of its zip and 0.6 ms of init at every
// cold start (docs/lambda.md).
package awsauth

import (
	"fmt"
	"os"
)

// Options are what a caller asks of the chain beyond the defaults.
type Options struct {
	// Region overrides the environment's (AWS_REGION, AWS_DEFAULT_REGION).
	Region string
	// Profile is a shared configuration profile (AWS_MSK_IAM's
	// awsProfileName); empty: the default.
	Profile string
	// RoleARN is a role to assume with STS (awsRoleArn); RoleSessionName
	// (awsRoleSessionName) and STSRegion (awsStsRegion) go with it.
	RoleARN, RoleSessionName, STSRegion string
}

// ErrNoChain is the error of an option the build without the standard
// chain (ferry_noawschain) cannot honour.
type ErrNoChain struct{ Option, Value string }

// Error names the option and how to get the credential chain back.
func (e *ErrNoChain) Error() string {
	return fmt.Sprintf("%s=%q needs the AWS SDK's standard credential chain, which this build leaves out (-tags ferry_noawschain, the `make lambda` default): "+
		"use the function's execution role, or rebuild with `make lambda WITH=awschain`", e.Option, e.Value)
}

// envRegion is the region of the environment, as the SDK reads it.
func envRegion() string {
	if r := os.Getenv("AWS_REGION"); r != "" {
		return r
	}
	return os.Getenv("AWS_DEFAULT_REGION")
}
