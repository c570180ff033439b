package awssecrets

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// maxResponse bounds an AWS answer: a secret is at most 64 KB, ten
// parameters at most 80 KB.
const maxResponse = 1 << 20

// jsonAPI calls one operation of an AWS JSON 1.1 service (Secrets Manager,
// SSM), signed with Signature Version 4. The SDK's service clients do the
// same but carry every operation of the service: several MB of a Lambda
// binary and milliseconds of cold start for the one call each provider makes.
type jsonAPI struct {
	cfg      aws.Config
	service  string // the signing name and endpoint prefix: secretsmanager, ssm
	target   string // the X-Amz-Target prefix: secretsmanager, AmazonSSM
	endpoint string
	client   *http.Client
}

func newJSONAPI(cfg aws.Config, service, target, endpoint string) *jsonAPI {
	if endpoint == "" {
		domain := "amazonaws.com"
		if strings.HasPrefix(cfg.Region, "cn-") {
			domain = "amazonaws.com.cn"
		}
		endpoint = "https://" + service + "." + cfg.Region + "." + domain
	}
	return &jsonAPI{cfg: cfg, service: service, target: target, endpoint: strings.TrimSuffix(endpoint, "/"),
		client: &http.Client{Timeout: 30 * time.Second}}
}

// apiError is an AWS JSON error answer.
type apiError struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

// call sends op with in as its JSON body and decodes the answer into out.
func (a *jsonAPI) call(ctx context.Context, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("endpoint %q: %w", a.endpoint, err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", a.target+"."+op)
	if a.cfg.Credentials == nil {
		return errors.New("no AWS credentials: give the function a role, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	creds, err := a.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("AWS credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), a.service, a.cfg.Region, time.Now()); err != nil {
		return fmt.Errorf("signing %s: %w", op, err)
	}
	res, err := a.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", a.service, op, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", a.service, op, err)
	}
	if res.StatusCode != http.StatusOK {
		var e apiError
		_ = json.Unmarshal(raw, &e)
		kind := e.Type[strings.LastIndexByte(e.Type, '#')+1:]
		return fmt.Errorf("%s %s: HTTP %d %s: %s", a.service, op, res.StatusCode, kind, e.Message)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: malformed answer: %w", a.service, op, err)
	}
	return nil
}
