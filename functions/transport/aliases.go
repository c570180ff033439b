package transport

import (
	"github.com/ferryhq/ferry/functions/transport/lambdaentry"
	"github.com/ferryhq/ferry/functions/transport/signing"
)

// The invocation signatures live in functions/transport/signing and the
// Lambda function's entry in functions/transport/lambdaentry, so the Lambda
// function links neither the Lambda nor the NATS client; these names keep
// their callers in this package unchanged.
type (
	// Signer is signing.Signer.
	Signer = signing.Signer
	// Verifier is signing.Verifier.
	Verifier = signing.Verifier
	// KeyStore is signing.KeyStore.
	KeyStore = signing.KeyStore
	// VerifyStore is signing.VerifyStore.
	VerifyStore = signing.VerifyStore
	// LambdaEntry is lambdaentry.LambdaEntry.
	LambdaEntry = lambdaentry.LambdaEntry
	// EMF is lambdaentry.EMF.
	EMF = lambdaentry.EMF
)

// Defaults of the moved names.
const (
	DefaultKeyTTL       = signing.DefaultKeyTTL
	DefaultLambdaMargin = lambdaentry.DefaultLambdaMargin
	DefaultEMFNamespace = lambdaentry.DefaultEMFNamespace
)

// Constructors of the moved names.
var (
	NewSigner      = signing.NewSigner
	NewVerifier    = signing.NewVerifier
	NewLambdaEntry = lambdaentry.NewLambdaEntry
	ServeLambda    = lambdaentry.ServeLambda
	NewEMF         = lambdaentry.NewEMF
)
