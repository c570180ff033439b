package s3sink

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/awsauth"
)

// store is the bucket the sink writes to.
type store struct {
	client   *s3.Client
	bucket   string
	partSize int
	// flushSize is flush.size: how many records an object usually holds.
	flushSize int
	// checked is the bucket check Open started (bucketcheck.go).
	checked *bucketCheck
	// hashes: requests are signed with their body's SHA-256 (plain HTTP,
	// payloadhash.go).
	hashes bool
}

// newStore builds the store of cfg, with the client kept for its keys
// (clientCache).
func newStore(cfg *Config) *store {
	return &store{client: clients.get(cfg),
		bucket: cfg.Bucket, partSize: cfg.PartSize, flushSize: cfg.FlushSize, hashes: hashesBodies(cfg.StoreURL)}
}

// NewClient builds an S3 client from the S3 sink's keys: endpoint
// (store.url) when set, the static keys (aws.access.key.id,
// aws.secret.access.key) when given, or else the default AWS credential
// chain (environment, shared profiles, web identity/IRSA, ECS and EC2
// roles; on Lambda the execution role), looked up at the first request.
func NewClient(region, endpoint string, pathStyle bool, accessKey, secretKey string) *s3.Client {
	opts := s3.Options{
		Region:       region,
		UsePathStyle: pathStyle,
		// S3-compatible stores may not know the SDK's default CRC checksums.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	if endpoint != "" {
		opts.BaseEndpoint = aws.String(endpoint)
	}
	if accessKey != "" {
		opts.Credentials = credentials.NewStaticCredentialsProvider(accessKey, secretKey, "")
	} else if def, err := awsauth.Load(context.Background(), awsauth.Options{}); err == nil {
		opts.Credentials = def.Credentials
	}
	return s3.New(opts)
}

// check makes sure the bucket exists and the credentials may use it.
func (s *store) check(ctx context.Context) error {
	_, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &s.bucket})
	if err == nil {
		return nil
	}
	// A HEAD answer has no body, so no error code: some stores answer 404
	// for unknown credentials. A GET says which it is.
	var ae smithy.APIError
	_, lerr := s.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &s.bucket, MaxKeys: aws.Int32(1)})
	if lerr != nil && errors.As(lerr, &ae) && ae.ErrorCode() != "" {
		return s.fail(lerr, "checking bucket")
	}
	return s.fail(err, "checking bucket")
}

// fail classifies an S3 error: a missing bucket and refused credentials are
// permanent and say what to fix; anything else may pass on retry.
func (s *store) fail(err error, what string) error {
	if err == nil {
		return nil
	}
	var re interface{ HTTPStatusCode() int }
	status := 0
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	var ae smithy.APIError
	code := ""
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	refused := code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" || code == "AccessDenied" ||
		code == "XAdminUserNotFound" || (status == http.StatusForbidden && code != "NoSuchBucket")
	switch {
	case refused:
		return fmt.Errorf("%w: bucket %q refused the credentials: fix aws.access.key.id/aws.secret.access.key or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (%s: %w)", ErrCredentials, s.bucket, what, err)
	case code == "NoSuchBucket" || (status == http.StatusNotFound && what == "checking bucket"):
		return fmt.Errorf("%w: bucket %q does not exist: create it or fix s3.bucket.name (%s: %w)", ErrBucket, s.bucket, what, err)
	case status >= 400 && status < 500 && status != http.StatusTooManyRequests && status != http.StatusRequestTimeout:
		return fmt.Errorf("s3 sink: %s in bucket %q: %w", what, s.bucket, err)
	}
	return connectors.Retriable(fmt.Errorf("s3 sink: %s in bucket %q: %w", what, s.bucket, err))
}

// upload streams one object: bytes are buffered up to s3.part.size, then sent
// as parts of a multipart upload. Nothing is visible under key until commit;
// abort drops the parts. An object smaller than one part is sent with one PUT.
type upload struct {
	s   *store
	key string
	// buf is taken from buffers at the first Write, with room for sizeHint
	// bytes (when 0, for flush.size writes of the first one's size, at most
	// a part), and given back once the object is written.
	buf      *bytes.Buffer
	sizeHint int
	id       *string
	parts    []types.CompletedPart
	size     int64
	// sum hashes the bytes written while the object may still go in one
	// PutObject to a store that signs bodies (payloadhash.go); nil
	// otherwise, and once a part was sent (the SDK hashes each part).
	sum hash.Hash
}

// buffers holds the buffers of written objects for the next ones: a 10 MB
// object grown from nothing cost about 20 MB of allocation, clearing and
// copying (BenchmarkS3SinkVsDirect's profile).
var buffers sync.Pool

// newUpload starts the object key; sizeHint is the size the object will
// likely have (the partition's previous object's), 0 when unknown.
func (s *store) newUpload(key string, sizeHint int64) *upload {
	return &upload{s: s, key: key, sizeHint: int(min(sizeHint, int64(s.partSize)))}
}

// Write buffers p; it never fails and sends nothing (sendParts does), so
// a record is either wholly in the object or not at all.
func (u *upload) Write(p []byte) (int, error) {
	if u.buf == nil {
		u.buf = u.s.buffer(u.sizeHint, len(p))
		if u.s.hashes && u.id == nil {
			u.sum = sha256.New()
		}
	}
	u.buf.Write(p)
	if u.sum != nil {
		u.sum.Write(p)
	}
	u.size += int64(len(p))
	return len(p), nil
}

// buffer returns an empty buffer for an object of about sizeHint bytes (when
// 0: flush.size writes of first bytes), with an eighth more room, so that an
// object a little larger than the last one is not copied into a buffer
// twice its size; at most a part and an eighth. A pooled buffer too small
// is dropped rather than grown: growing would clear the new one and copy.
func (s *store) buffer(sizeHint, first int) *bytes.Buffer {
	want := int64(sizeHint)
	if want == 0 {
		want = int64(first) * int64(s.flushSize)
	}
	want = max(min(want, int64(s.partSize))*9/8, int64(first))
	if b, _ := buffers.Get().(*bytes.Buffer); b != nil && int64(b.Cap()) >= want {
		return b
	}
	return bytes.NewBuffer(make([]byte, 0, want))
}

// full reports whether a whole part is buffered.
func (u *upload) full() bool { return u.buf != nil && u.buf.Len() >= u.s.partSize }

// sendParts uploads every full part buffered. A part leaves the buffer only
// once S3 has it, so a failed part is sent again by the next call.
func (u *upload) sendParts(ctx context.Context) error {
	for u.full() {
		if err := u.sendFront(ctx, u.s.partSize); err != nil {
			return err
		}
	}
	return nil
}

// sendFront uploads the first n buffered bytes as the next part and drops
// them from the buffer once sent.
func (u *upload) sendFront(ctx context.Context, n int) error {
	if err := u.s.ready(ctx); err != nil {
		return err
	}
	if u.id == nil {
		u.sum = nil
		out, err := u.s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &u.s.bucket, Key: &u.key})
		if err != nil {
			return u.s.fail(err, "starting the multipart upload of "+u.key)
		}
		u.id = out.UploadId
	}
	part := u.buf.Bytes()[:n]
	num := int32(len(u.parts) + 1)
	out, err := u.s.client.UploadPart(ctx, &s3.UploadPartInput{Bucket: &u.s.bucket, Key: &u.key,
		UploadId: u.id, PartNumber: &num, Body: bytes.NewReader(part), ContentLength: aws.Int64(int64(n))})
	if err != nil {
		return u.s.fail(err, fmt.Sprintf("uploading part %d of %s", num, u.key))
	}
	u.parts = append(u.parts, types.CompletedPart{ETag: out.ETag, PartNumber: &num})
	u.buf.Next(n)
	return nil
}

// commit makes the object visible: the last part and CompleteMultipartUpload,
// or one PutObject when no part was sent yet. Once the object is written its
// buffer goes back to buffers. After a failure commit may be called again:
// it sends what S3 does not have yet, never a byte twice.
func (u *upload) commit(ctx context.Context) error {
	var body []byte
	if u.buf != nil {
		body = u.buf.Bytes()
	}
	if err := u.s.ready(ctx); err != nil {
		return err
	}
	if u.id == nil {
		_, err := u.s.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &u.s.bucket, Key: &u.key,
			Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body)))}, u.signing()...)
		return u.release(u.s.fail(err, "writing "+u.key))
	}
	if len(body) > 0 {
		if err := u.sendFront(ctx, len(body)); err != nil {
			return err
		}
	}
	_, err := u.s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &u.s.bucket,
		Key: &u.key, UploadId: u.id, MultipartUpload: &types.CompletedMultipartUpload{Parts: u.parts}})
	return u.release(u.s.fail(err, "completing the multipart upload of "+u.key))
}

// release gives the buffer back once the object is written (err nil) and
// returns err; a failed upload keeps its bytes.
func (u *upload) release(err error) error {
	if err == nil && u.buf != nil {
		u.buf.Reset()
		buffers.Put(u.buf)
		u.buf = nil
	}
	return err
}

// abort drops an unfinished upload; the object is never written.
func (u *upload) abort(ctx context.Context) error {
	if u.id == nil {
		return nil
	}
	_, err := u.s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &u.s.bucket, Key: &u.key, UploadId: u.id})
	u.id = nil
	return u.s.fail(err, "aborting the multipart upload of "+u.key)
}
