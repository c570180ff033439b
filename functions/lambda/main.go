// Command lambda is ferry's trimmed AWS Lambda function, the `bootstrap` that
// `make lambda` packages: the function runtime (functions/lambdarun) with the
// built-in connectors, and none of the scheduler, the REST API, the embedded
// NATS server or the development broker. `make lambda CONNECTORS=datagen,s3sink`
// builds a function with fewer connectors from a main that functions/lambda/gen
// generates, selecting from the one list in connectors/builtin.
package main

import (
	"github.com/ferryhq/ferry/connectors/builtin"
	"github.com/ferryhq/ferry/functions/lambdarun"
)

func main() { lambdarun.Main(lambdarun.Plugins{Connectors: builtin.Registry()}) }
