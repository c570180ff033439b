// Command hellolambda is the cold-start baseline of the trimmed Lambda
// builds: a hello-world Go function on the same runtime library
// (aws-lambda-go), built the same way as ferry's bootstrap.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, json.RawMessage) (string, error) { return "hello", nil })
}
