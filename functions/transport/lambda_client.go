package transport

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// NewLambdaClient builds a Lambda API client from the standard AWS settings
// (AWS_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID, an instance or task role).
// A non-empty endpoint replaces the regional one (a runtime interface
// emulator, LocalStack); with an endpoint and no credentials in the
// environment, requests go unsigned and the region defaults to us-east-1.
// The SDK's own retries are off: Lambda retries throttling itself with
// backoff it can report.
func NewLambdaClient(ctx context.Context, endpoint string) (*lambda.Client, error) {
	opts := []func(*config.LoadOptions) error{config.WithRetryMaxAttempts(1)}
	if endpoint != "" {
		if os.Getenv("AWS_REGION") == "" && os.Getenv("AWS_DEFAULT_REGION") == "" {
			opts = append(opts, config.WithRegion("us-east-1"))
		}
		if os.Getenv("AWS_ACCESS_KEY_ID") == "" && os.Getenv("AWS_PROFILE") == "" {
			opts = append(opts, config.WithCredentialsProvider(aws.AnonymousCredentials{}))
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS settings for the Lambda client (set AWS_REGION and credentials): %w", err)
	}
	return lambda.NewFromConfig(cfg, func(o *lambda.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	}), nil
}
