//go:build !ferry_noawschain

package awsauth

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Load returns the region and credentials of the AWS SDK's standard chain
// with o's overrides, the credentials of the assumed role when o names one.
// Credentials are looked up when first retrieved.
func Load(ctx context.Context, o Options) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil || o.RoleARN == "" {
		return cfg, err
	}
	stsCfg := cfg.Copy()
	if o.STSRegion != "" {
		stsCfg.Region = o.STSRegion
	}
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(stsCfg), o.RoleARN, func(ao *stscreds.AssumeRoleOptions) {
		if o.RoleSessionName != "" {
			ao.RoleSessionName = o.RoleSessionName
		}
	}))
	return cfg, nil
}
