package awssecrets

import (
	"context"
	"fmt"
)

// SecretsManager resolves ${alias:<secret id>:<json key>} and ${alias:<secret id>}.
type SecretsManager struct{ api *jsonAPI }

// secretValue is GetSecretValue's answer (the fields used).
type secretValue struct {
	SecretString *string
	SecretBinary []byte // base64 in the JSON
}

// NewSecretsManager builds the provider from its params (aws.region, endpoint).
func NewSecretsManager(p map[string]string) (*SecretsManager, error) {
	ps := params(p)
	cfg, err := awsConfig(ps)
	if err != nil {
		return nil, err
	}
	return &SecretsManager{api: newJSONAPI(cfg, "secretsmanager", "secretsmanager", ps.Endpoint)}, nil
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
	var out secretValue
	if err := s.api.call(ctx, "GetSecretValue", map[string]string{"SecretId": id}, &out); err != nil {
		return "", fmt.Errorf("reading secret %q from AWS Secrets Manager (does the function's role allow secretsmanager:GetSecretValue on it?): %w", id, err)
	}
	if out.SecretString != nil {
		return *out.SecretString, nil
	}
	return string(out.SecretBinary), nil
}
