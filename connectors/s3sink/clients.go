package s3sink

import (
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// maxClients bounds the S3 clients kept across invocations (clientCache).
const maxClients = 16

// clientMaxAge is how long a kept client is used: then it is built again,
// so a rotated shared credentials file or a role's new settings are read
// again at most this late (the AWS SDK for Java re-reads a profile file
// every five minutes too).
const clientMaxAge = 5 * time.Minute

// clientKey is what an S3 client is built from: the sink's S3 keys and,
// for the default credential chain, the AWS_* environment it read.
type clientKey struct {
	region, endpoint     string
	pathStyle            bool
	accessKey, secretKey string
	env                  string
}

// clientCache keeps the S3 clients of the sink's tasks across invocations.
// Kafka Connect builds a task's client once at task start; a ferry task
// starts with every invocation, and a client built for each paid, every
// time, for the credential chain (with AWS_CA_BUNDLE set, parsing its
// certificates: about 12,000 allocations) and for new connections (against
// S3 a TLS handshake each). A client is safe for concurrent use, so tasks
// with the same keys share one. At most maxClients are kept; the oldest is
// dropped (its idle connections then close after the transport's idle
// timeout, as every client's did).
type clientCache struct {
	mu    sync.Mutex
	byKey map[clientKey]keptClient
	order []clientKey // oldest first
	now   func() time.Time
}

// keptClient is a client and when it was built.
type keptClient struct {
	cl    *s3.Client
	built time.Time
}

// clients is the process's S3 clients of the sink.
var clients clientCache

// get returns the client for cfg's S3 keys, built by NewClient the first time.
func (c *clientCache) get(cfg *Config) *s3.Client {
	k := clientKey{region: cfg.Region, endpoint: cfg.StoreURL, pathStyle: cfg.PathStyle, accessKey: cfg.AccessKey, secretKey: cfg.SecretKey}
	if k.accessKey == "" {
		k.env = awsEnv()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if c.now != nil {
		now = c.now()
	}
	if kept, ok := c.byKey[k]; ok && now.Sub(kept.built) < clientMaxAge {
		return kept.cl
	}
	cl := NewClient(cfg.Region, cfg.StoreURL, cfg.PathStyle, cfg.AccessKey, cfg.SecretKey)
	if k.accessKey == "" && cl.Options().Credentials == nil {
		return cl // the chain failed to load: try again next time
	}
	if c.byKey == nil {
		c.byKey = map[clientKey]keptClient{}
	}
	if i := slices.Index(c.order, k); i >= 0 {
		c.order = slices.Delete(c.order, i, i+1)
	} else if len(c.order) == maxClients {
		delete(c.byKey, c.order[0])
		c.order = slices.Delete(c.order, 0, 1)
	}
	c.byKey[k] = keptClient{cl: cl, built: now}
	c.order = append(c.order, k)
	return cl
}

// awsEnv is the process's AWS_* environment, which the default credential
// chain reads: a client built from another environment is not reused.
func awsEnv() string {
	var b strings.Builder
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") {
			b.WriteString(kv)
			b.WriteByte(0)
		}
	}
	return b.String()
}
