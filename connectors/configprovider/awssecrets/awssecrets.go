// Package awssecrets holds config providers backed by AWS (aws-sdk-go-v2):
// Secrets Manager and SSM Parameter Store. Declare them as Kafka Connect
// declares any provider, in the worker or connector config:
//
//	config.providers=aws-secretsmanager,ssm
//	config.providers.aws-secretsmanager.class=io.confluent.csid.config.provider.aws.SecretsManagerConfigProvider
//	config.providers.ssm.class=ferry.config.provider.aws.ParameterStoreConfigProvider
//
// then write ${aws-secretsmanager:<secret id>:<json key>} (a field of a JSON
// secret), ${aws-secretsmanager:<secret id>} (the whole secret string), or
// ${ssm:<path>:<name>} (the SecureString or String parameter <path>/<name>).
// Credentials and region come from the function's environment (its Lambda
// role), never from the invocation.
package awssecrets

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/ferryhq/ferry/connectors/awsauth"
)

// Class names under which configprovider.Builtins lists the providers. The
// Secrets Manager one is Confluent's AWS secrets provider class, so
// worker configs written for it keep working.
const (
	SecretsManagerClass = "io.confluent.csid.config.provider.aws.SecretsManagerConfigProvider"
	ParameterStoreClass = "ferry.config.provider.aws.ParameterStoreConfigProvider"
)

// Params are the config.providers.<alias>.param.* settings both providers take.
type Params struct {
	// Region is aws.region (default: AWS_REGION of the function).
	Region string
	// Endpoint is endpoint, a ferry extension for emulators (default: AWS).
	Endpoint string
}

func params(p map[string]string) Params {
	return Params{Region: strings.TrimSpace(p["aws.region"]), Endpoint: strings.TrimSpace(p["endpoint"])}
}

// awsConfig loads the standard AWS settings, with the region and endpoint of p.
func awsConfig(p Params) (aws.Config, error) {
	region := p.Region
	if region == "" && os.Getenv("AWS_REGION") == "" && os.Getenv("AWS_DEFAULT_REGION") == "" && p.Endpoint != "" {
		region = "us-east-1"
	}
	cfg, err := awsauth.Load(context.Background(), awsauth.Options{Region: region})
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading AWS settings (set aws.region or AWS_REGION, and credentials): %w", err)
	}
	return cfg, nil
}

// pick returns the requested keys of a secret string: with no keys path
// was the whole reference, so the whole string is returned under key;
// otherwise the secret must be a JSON object and keys are its fields.
func pick(secret string, keys []string) (map[string]string, error) {
	var obj map[string]any
	if err := json.Unmarshal([]byte(secret), &obj); err != nil {
		return nil, fmt.Errorf("the secret is not a JSON object, so it has no keys: write the reference without a key to read it whole")
	}
	out := map[string]string{}
	for _, k := range keys {
		switch v := obj[k].(type) {
		case nil:
		case string:
			out[k] = v
		default:
			b, _ := json.Marshal(v)
			out[k] = string(b)
		}
	}
	return out, nil
}
