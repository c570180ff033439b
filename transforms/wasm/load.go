package wasm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/s3sink"
)

// maxModuleBytes bounds a module read from a file or S3.
const maxModuleBytes = 128 << 20

// s3Timeout bounds one module download.
const s3Timeout = 30 * time.Second

// source is a module's bytes and the name errors give it.
type source struct {
	name string // file base name or s3 URL, with the first 12 hex digits of its SHA-256
	sha  string
	code []byte
}

// downloads keeps the modules read from S3 for the life of the process (a
// worker, a Lambda container): the chain is built at every invocation, the
// module is fetched once. A new object under the same URL is picked up by
// new processes; pin it with module.sha256, or use a new key per version.
var downloads sync.Map // url -> *source

// load reads the module named by c.Module and checks module.sha256.
func load(ctx context.Context, c *Config) (*source, error) {
	var src *source
	var err error
	if strings.HasPrefix(c.Module, "s3://") {
		src, err = loadS3(ctx, c)
	} else {
		src, err = loadFile(c.Module)
	}
	if err != nil {
		return nil, &connectors.ConfigError{Key: "module", Value: c.Module, Reason: err.Error()}
	}
	if c.SHA256 != "" && !strings.EqualFold(c.SHA256, src.sha) {
		return nil, &connectors.ConfigError{Key: "module.sha256", Value: c.SHA256,
			Reason: fmt.Sprintf("The module %s has SHA-256 %s: pin that, or point module at the module you meant", c.Module, src.sha)}
	}
	return src, nil
}

func newSource(name string, code []byte) *source {
	sum := sha256.Sum256(code)
	sha := hex.EncodeToString(sum[:])
	return &source{name: name + " (sha256 " + sha[:12] + ")", sha: sha, code: code}
}

func loadFile(path string) (*source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the module: %w", err)
	}
	defer f.Close()
	code, err := io.ReadAll(io.LimitReader(f, maxModuleBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the module: %w", err)
	}
	if len(code) > maxModuleBytes {
		return nil, fmt.Errorf("the module is over %d MiB", maxModuleBytes>>20)
	}
	return newSource(filepath.Base(path), code), nil
}

func loadS3(ctx context.Context, c *Config) (*source, error) {
	if s, ok := downloads.Load(c.Module); ok {
		return s.(*source), nil
	}
	u, err := url.Parse(c.Module)
	if err != nil || u.Host == "" || strings.TrimPrefix(u.Path, "/") == "" {
		return nil, errors.New("an S3 module URL is s3://bucket/key")
	}
	ctx, cancel := context.WithTimeout(ctx, s3Timeout)
	defer cancel()
	out, err := s3sink.NewClient(c.Region, c.StoreURL, c.PathStyle, c.AccessKey, c.SecretKey).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(u.Host), Key: aws.String(strings.TrimPrefix(u.Path, "/"))})
	if err != nil {
		return nil, fmt.Errorf("cannot download the module (check the URL, s3.region, store.url and the credentials): %w", err)
	}
	defer out.Body.Close()
	code, err := io.ReadAll(io.LimitReader(out.Body, maxModuleBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot download the module: %w", err)
	}
	if len(code) > maxModuleBytes {
		return nil, fmt.Errorf("the module is over %d MiB", maxModuleBytes>>20)
	}
	s, _ := downloads.LoadOrStore(c.Module, newSource(c.Module, code))
	return s.(*source), nil
}
