//go:build ferry_noawschain

package awsauth

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Load is envConfig: this build has no standard chain.
func Load(_ context.Context, o Options) (aws.Config, error) { return envConfig(o) }
