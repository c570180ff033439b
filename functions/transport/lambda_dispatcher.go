package transport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	awsmw "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/functions/wire"
)

// LambdaAPI is the part of *lambda.Client the Lambda dispatcher uses.
type LambdaAPI interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, opts ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// ErrThrottled is wrapped by the error returned when Lambda kept throttling
// an invocation after every retry: raise the function's reserved concurrency
// or the account limit, or lower --lambda-concurrency.
var ErrThrottled = errors.New("AWS Lambda throttled the invocation (TooManyRequestsException) after every retry")

// ErrFunction is wrapped when the function itself failed (crashed, timed out,
// or answered something that is not a ferry Result): its log has the cause.
var ErrFunction = errors.New("the Lambda function failed")

// LambdaOptions configures a Lambda dispatcher.
type LambdaOptions struct {
	// Function is the function name or ARN (the runtime interface emulator
	// serves exactly one, named "function").
	Function string
	// Concurrency bounds the invocations in flight per connector (default 10).
	Concurrency int
	// MaxInFlight bounds the invocations in flight in total, like the
	// function's reserved concurrency (0 = no bound; 1 for the emulator).
	MaxInFlight int
	// Retries is how many times a throttled invocation is retried (default 6).
	Retries int
	// Backoff is the first retry's delay, doubled each time up to 10 s (default 200 ms).
	Backoff time.Duration
	// Grace is added to the invocation's deadline before the call is abandoned (default 10 s).
	Grace time.Duration
}

// Lambda sends invocations to one Lambda function with the Invoke API
// (aws-sdk-go-v2): the scheduler uses it as its Dispatcher (`ferry scheduler
// --dispatch lambda`) and `ferry lambda-bridge` hosts it behind a NATS Worker
// to forward invocations taken from NATS. It bounds the invocations in flight
// per connector and retries throttling with exponential backoff.
type Lambda struct {
	client LambdaAPI
	signer *Signer
	o      LambdaOptions
	mu     sync.Mutex
	slots  map[string]chan struct{} // per connector: a semaphore of Concurrency
	total  chan struct{}            // all connectors: a semaphore of MaxInFlight, or nil
	sleep  func(context.Context, time.Duration) error
}

// NewLambda returns a Lambda dispatcher calling client and signing every
// invocation with signer; see LambdaOptions for the defaults.
func NewLambda(client LambdaAPI, signer *Signer, o LambdaOptions) *Lambda {
	if o.Concurrency <= 0 {
		o.Concurrency = 10
	}
	if o.Retries < 0 {
		o.Retries = 0
	} else if o.Retries == 0 {
		o.Retries = 6
	}
	if o.Backoff <= 0 {
		o.Backoff = 200 * time.Millisecond
	}
	if o.Grace <= 0 {
		o.Grace = 10 * time.Second
	}
	l := &Lambda{client: client, signer: signer, o: o, slots: map[string]chan struct{}{}, sleep: sleepCtx}
	if o.MaxInFlight > 0 {
		l.total = make(chan struct{}, o.MaxInFlight)
	}
	return l
}

// Dispatch invokes the function synchronously with inv and returns its
// Result. Every failure to get a Result is a *connectors.RetriableError naming its cause.
func (l *Lambda) Dispatch(ctx context.Context, inv wire.Invocation) (wire.Result, error) {
	release, err := l.acquire(ctx, inv.Connector)
	if err != nil {
		return wire.Result{}, err
	}
	defer release()
	body, err := l.signer.Sign(ctx, inv)
	if err != nil {
		return wire.Result{}, err
	}
	wait := l.o.Grace
	if !inv.Deadline.IsZero() {
		wait += time.Until(inv.Deadline)
	}
	cctx, cancel := context.WithTimeout(ctx, max(wait, l.o.Grace))
	defer cancel()
	out, err := l.invoke(cctx, inv.ID, body)
	if err != nil {
		return wire.Result{}, err
	}
	return decode(inv.ID, out)
}

// Handle is Dispatch for the NATS bridge (an Invoker): a failure to
// get a Result becomes a RETRYING Result carrying the cause, so the
// scheduler shows it in status and retries with backoff.
func (l *Lambda) Handle(ctx context.Context, inv wire.Invocation) (wire.Result, error) {
	res, err := l.Dispatch(ctx, inv)
	if err != nil {
		res = wire.Result{ID: inv.ID, Connector: inv.Connector, Task: inv.Task, Epoch: inv.Epoch,
			State: wire.StateRetrying, Trace: err.Error()}
	}
	return res, err
}

// invoke calls Invoke, retrying throttling with exponential backoff and jitter.
func (l *Lambda) invoke(ctx context.Context, id string, body []byte) (*lambda.InvokeOutput, error) {
	in := &lambda.InvokeInput{FunctionName: &l.o.Function, Payload: body, InvocationType: types.InvocationTypeRequestResponse}
	delay := l.o.Backoff
	for attempt := 0; ; attempt++ {
		out, err := l.client.Invoke(ctx, in)
		if err == nil {
			return out, nil
		}
		if !throttled(err) {
			return nil, &connectors.RetriableError{Err: fmt.Errorf("invoking Lambda function %s for invocation %s: %w", l.o.Function, id, err)}
		}
		if attempt == l.o.Retries {
			return nil, &connectors.RetriableError{Err: fmt.Errorf("invocation %s, %d attempts: %w: %w", id, attempt+1, ErrThrottled, err)}
		}
		if err := l.sleep(ctx, jitter(delay)); err != nil {
			return nil, &connectors.RetriableError{Err: fmt.Errorf("invocation %s throttled, gave up waiting: %w", id, err)}
		}
		delay = min(2*delay, 10*time.Second)
	}
}

// decode turns the function's answer into a Result. A function error or a
// payload that is not a Result is a *connectors.RetriableError wrapping ErrFunction.
func decode(id string, out *lambda.InvokeOutput) (wire.Result, error) {
	if out.FunctionError != nil {
		return wire.Result{}, &connectors.RetriableError{Err: fmt.Errorf("invocation %s: %w (%s): %.500s", id, ErrFunction, *out.FunctionError, out.Payload)}
	}
	var res wire.Result
	if err := json.Unmarshal(out.Payload, &res); err != nil || res.State == "" {
		return wire.Result{}, &connectors.RetriableError{Err: fmt.Errorf("invocation %s: %w: it answered something that is not a ferry Result: %.500q", id, ErrFunction, out.Payload)}
	}
	if res.InstanceID == "" {
		res.InstanceID, _ = awsmw.GetRequestIDMetadata(out.ResultMetadata)
	}
	return res, nil
}

// acquire takes one of the connector's slots, then one of the total slots,
// waiting while all are busy.
func (l *Lambda) acquire(ctx context.Context, connector string) (func(), error) {
	l.mu.Lock()
	sem, ok := l.slots[connector]
	if !ok {
		sem = make(chan struct{}, l.o.Concurrency)
		l.slots[connector] = sem
	}
	l.mu.Unlock()
	if err := take(ctx, sem, connector); err != nil {
		return nil, err
	}
	if l.total == nil {
		return func() { <-sem }, nil
	}
	if err := take(ctx, l.total, connector); err != nil {
		<-sem
		return nil, err
	}
	return func() { <-l.total; <-sem }, nil
}

func take(ctx context.Context, sem chan struct{}, connector string) error {
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return &connectors.RetriableError{Err: fmt.Errorf("waiting for a Lambda slot for connector %s: %w", connector, ctx.Err())}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// jitter spreads d over [d/2, d).
func jitter(d time.Duration) time.Duration {
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// throttleCodes are the Lambda error codes that mean "slow down, then retry".
var throttleCodes = map[string]bool{
	"TooManyRequestsException": true, "ThrottlingException": true,
	"EC2ThrottledException": true, "ENILimitReachedException": true,
}

// throttled reports whether err is Lambda throttling the call (its error code
// or HTTP status 429).
func throttled(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) && throttleCodes[api.ErrorCode()] {
		return true
	}
	var status interface{ HTTPStatusCode() int }
	return errors.As(err, &status) && status.HTTPStatusCode() == 429
}
