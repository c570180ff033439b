// Package infra holds ferry's deployment templates: infra/aws (CloudFormation:
// the Lambda function, its role, log group and secret, the scheduler on ECS
// Fargate) and infra/k8s (scheduler and worker Deployments, Service). Its
// integration test runs infra/check on them and on deliberately broken copies.
package infra
