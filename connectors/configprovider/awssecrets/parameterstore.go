package awssecrets

import (
	"context"
	"fmt"
	"strings"
)

// ParameterStore resolves ${alias:<path>:<name>} to the parameter
// <path>/<name>, and ${alias:<full name>}; SecureStrings are decrypted.
type ParameterStore struct{ api *jsonAPI }

// getParametersIn and getParametersOut are GetParameters' request and answer (the fields used).
type getParametersIn struct {
	Names          []string
	WithDecryption bool
}

type getParametersOut struct {
	Parameters []struct{ Name, Value string }
}

// NewParameterStore builds the provider from its params (aws.region, endpoint).
func NewParameterStore(p map[string]string) (*ParameterStore, error) {
	ps := params(p)
	cfg, err := awsConfig(ps)
	if err != nil {
		return nil, err
	}
	return &ParameterStore{api: newJSONAPI(cfg, "ssm", "AmazonSSM", ps.Endpoint)}, nil
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
		var res getParametersOut
		err := s.api.call(ctx, "GetParameters", getParametersIn{Names: batch[:n], WithDecryption: true}, &res)
		if err != nil {
			return nil, fmt.Errorf("reading SSM parameters %v (does the function's role allow ssm:GetParameters and kms:Decrypt?): %w", batch[:n], err)
		}
		for _, p := range res.Parameters {
			if k, ok := names[p.Name]; ok {
				out[k] = p.Value
			}
		}
		batch = batch[n:]
	}
	return out, nil
}
