package functions

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/functions/transport"
	"github.com/ferryhq/ferry/functions/wire"
	"github.com/ferryhq/ferry/state"
	"github.com/ferryhq/ferry/state/file"
	"github.com/ferryhq/ferry/transforms/convert/schemaregistry"
)

// unreachableRegistry returns what the Schema Registry client reports when
// the registry does not answer: a closed loopback port.
func unreachableRegistry(t *testing.T) error {
	t.Helper()
	reg, err := schemaregistry.New(schemaregistry.Config{URL: "http://127.0.0.1:1", BasicAuthSource: "URL"}, sr.TypeAvro)
	if err != nil {
		t.Fatal(err)
	}
	_, err = reg.SchemaByID(t.Context(), 1)
	if err == nil {
		t.Fatal("a registry on a closed port answered")
	}
	return schemaregistry.Wrap("Converting byte[] to Kafka Connect data failed due to serialization error of topic t", err)
}

// downLambda is a Lambda API that cannot be reached.
type downLambda struct{}

func (downLambda) Invoke(context.Context, *lambda.InvokeInput, ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	return nil, errors.New("dial tcp 127.0.0.1:9001: connect: connection refused")
}

// Every package's "try again later" error is one notion (connectors.RetriableError)
// and classify makes each a RETRYING result: a Schema Registry outage is not bad data.
func TestClassifyRetriableFromEveryPackage(t *testing.T) {
	_, lambdaErr := transport.NewLambda(downLambda{}, transport.NewSigner(signingStore(t), 0), transport.LambdaOptions{Function: "f", Retries: -1}).
		Dispatch(t.Context(), wire.Invocation{ID: "c-0-1", Connector: "c"})
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"connectors: a task's RetriableError", &RecordError{Stage: StageTaskPut, Err: connectors.Retriable(errors.New("db down"))}, StateRetrying},
		{"state: store unavailable", fmt.Errorf("reading offsets: %w", state.Retriable(errors.New("redis down"))), StateRetrying},
		{"functions: Kafka unreachable", retriable("kafka consumer: %w", errors.New("broker gone")), StateRetrying},
		{"schemaregistry: registry unreachable", &RecordError{Stage: StageValueConverter, Err: unreachableRegistry(t)}, StateRetrying},
		{"transport: Lambda unreachable", lambdaErr, StateRetrying},
		{"data error stays FAILED", &RecordError{Stage: StageValueConverter, Err: connectors.DataError("bad")}, StateFailed},
		{"fenced", fmt.Errorf("commit: %w", state.ErrFenced), StateFenced},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got, trace := classify(tc.err); got != tc.want {
				t.Errorf("classify(%s) = %s, want %s", trace, got, tc.want)
			}
		})
	}
}

// signingStore is a file state store in a temporary directory, holding the
// key a dispatcher signs with.
func signingStore(t *testing.T) *file.Store {
	t.Helper()
	s, err := file.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
