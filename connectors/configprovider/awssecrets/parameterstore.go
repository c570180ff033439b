package awssecrets

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// ParametersAPI is the part of *ssm.Client the provider uses.
type ParametersAPI interface {
	GetParameters(ctx context.Context, in *ssm.GetParametersInput, opts ...func(*ssm.Options)) (*ssm.GetParametersOutput, error)
}

// ParameterStore resolves ${alias:<path>:<name>} to the parameter
// <path>/<name>, and ${alias:<full name>}; SecureStrings are decrypted.
type ParameterStore struct{ api ParametersAPI }

// NewParameterStore builds the provider from its params (aws.region, endpoint).
func NewParameterStore(p map[string]string) (*ParameterStore, error) {
	ps := params(p)
	cfg, err := awsConfig(ps)
	if err != nil {
		return nil, err
	}
	return &ParameterStore{api: ssm.NewFromConfig(cfg, func(o *ssm.Options) {
		if ps.Endpoint != "" {
			o.BaseEndpoint = aws.String(ps.Endpoint)
		}
	})}, nil
}

// getParametersMax is how many names one GetParameters call takes.
const getParametersMax = 10

// Get reads the parameters path/key for every key, ten per call.
func (s *ParameterStore) Get(ctx context.Context, path string, keys []string) (map[string]string, error) {
	names := map[string]string{} // parameter name -> key
	var batch []string
	for _, k := range keys {
		name := k
		if path != "" {
			name = strings.TrimSuffix(path, "/") + "/" + k
		}
		names[name] = k
		batch = append(batch, name)
	}
	out := map[string]string{}
	for len(batch) > 0 {
		n := min(len(batch), getParametersMax)
		res, err := s.api.GetParameters(ctx, &ssm.GetParametersInput{Names: batch[:n], WithDecryption: aws.Bool(true)})
		if err != nil {
			return nil, fmt.Errorf("reading SSM parameters %v (does the function's role allow ssm:GetParameters and kms:Decrypt?): %w", batch[:n], err)
		}
		for _, p := range res.Parameters {
			if p.Name != nil && p.Value != nil {
				out[names[*p.Name]] = *p.Value
			}
		}
		batch = batch[n:]
	}
	return out, nil
}
