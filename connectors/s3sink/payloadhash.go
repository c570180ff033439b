package s3sink

import (
	"context"
	"encoding/hex"
	"strings"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
)

// A request to a store over plain HTTP is signed with its body's SHA-256
// (over HTTPS the SDK signs UNSIGNED-PAYLOAD and hashes nothing). The SDK
// computes it when the request is sent, reading the whole body once more:
// for the last object of an invocation, after its last record, while the
// invocation waits for the upload. An object the sink sends with one
// PutObject is instead hashed as its bytes are written (upload.sum), while
// they are in the cache, and the request is signed with that sum: the same
// work, done before the upload rather than in it.

// hashesBodies reports whether the SDK signs request bodies' SHA-256 for
// the store at endpoint (store.url): a plain HTTP endpoint. Without one the
// store is AWS S3, over HTTPS.
func hashesBodies(endpoint string) bool {
	return len(endpoint) >= len("http://") && strings.EqualFold(endpoint[:len("http://")], "http://")
}

// signedWith is a request option that signs the request with payloadHash
// (the hex SHA-256 of its body), which the SDK then does not compute.
func signedWith(payloadHash string) func(*s3.Options) {
	return func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Finalize.Add(middleware.FinalizeMiddlewareFunc("ferryPayloadHash",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
					return next.HandleFinalize(v4.SetPayloadHash(ctx, payloadHash), in)
				}), middleware.Before)
		})
	}
}

// signing is the PutObject options of u's object: signed with the sum of
// its bytes when they were hashed as written, none otherwise.
func (u *upload) signing() []func(*s3.Options) {
	if u.sum == nil {
		return nil
	}
	return []func(*s3.Options){signedWith(hex.EncodeToString(u.sum.Sum(nil)))}
}
