package awssecrets

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// SecretsAPI is the part of *secretsmanager.Client the provider uses.
type SecretsAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// SecretsManager resolves ${alias:<secret id>:<json key>} and ${alias:<secret id>}.
type SecretsManager struct{ api SecretsAPI }

// NewSecretsManager builds the provider from its params (aws.region, endpoint).
func NewSecretsManager(p map[string]string) (*SecretsManager, error) {
	ps := params(p)
	cfg, err := awsConfig(ps)
	if err != nil {
		return nil, err
	}
	return &SecretsManager{api: secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) {
		if ps.Endpoint != "" {
			o.BaseEndpoint = aws.String(ps.Endpoint)
		}
	})}, nil
}

// Get reads secret path and returns its JSON fields keys; with an empty path
// each key is a secret id whose whole string is returned.
func (s *SecretsManager) Get(ctx context.Context, path string, keys []string) (map[string]string, error) {
	if path == "" {
		out := map[string]string{}
		for _, id := range keys {
			v, err := s.secret(ctx, id)
			if err != nil {
				return nil, err
			}
			out[id] = v
		}
		return out, nil
	}
	v, err := s.secret(ctx, path)
	if err != nil {
		return nil, err
	}
	return pick(v, keys)
}

func (s *SecretsManager) secret(ctx context.Context, id string) (string, error) {
	out, err := s.api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		return "", fmt.Errorf("reading secret %q from AWS Secrets Manager (does the function's role allow secretsmanager:GetSecretValue on it?): %w", id, err)
	}
	if out.SecretString != nil {
		return *out.SecretString, nil
	}
	return string(out.SecretBinary), nil
}
