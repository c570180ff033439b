// Package wasm runs transformations and predicates written as WebAssembly
// modules (io.ferry.transforms.Wasm, io.ferry.transforms.predicates.WasmPredicate)
// with wazero, a pure-Go runtime: no cgo, so it runs in a Lambda function as
// on a worker. The module comes from a file or an s3:// URL; each record
// crosses the ABI of docs/wasm-abi.md as one record line of `ferry
// transforms apply`, under a per-record time limit and a memory limit, and
// whatever the module does wrong fails that record only, as a value that
// errors.tolerance and the dead-letter queue handle.
package wasm

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// Class names of the WebAssembly transformation and predicate.
const (
	TransformClass = "io.ferry.transforms.Wasm"
	PredicateClass = "io.ferry.transforms.predicates.WasmPredicate"
)

// ModuleConfigPrefix is the prefix of the keys handed to the module: its
// own configuration, e.g. transforms.mask.config.fields=email.
const ModuleConfigPrefix = "config."

// Config is the WebAssembly transformation's and predicate's configuration.
// Keys under config. are not declared here: they go to the module as they are.
type Config struct {
	Module     string `config:"module" required:"true" importance:"high" doc:"The WebAssembly module (.wasm) to run: a file path, or an s3://bucket/key URL. Keys under 'config.' are passed to the module's ferry_configure as a JSON object (config.fields=email becomes {\"fields\":\"email\"})."`
	SHA256     string `config:"module.sha256" default:"" importance:"medium" doc:"The module's expected SHA-256 (hex); when set, a module with other bytes is refused. Pins the code an s3:// URL serves."`
	TimeoutMs  int    `config:"timeout.ms" default:"100" min:"1" max:"60000" importance:"medium" doc:"Time limit of one record in the module, in milliseconds; a record that runs longer fails (a loop that never ends)."`
	MemoryMB   int    `config:"memory.max.mb" default:"64" min:"1" max:"4096" importance:"medium" doc:"The module's linear memory limit, in MiB; a record whose processing needs more fails."`
	OutputMax  int    `config:"output.max.bytes" default:"1048576" min:"16" max:"67108864" importance:"low" doc:"The largest output the module may return for one record, in bytes."`
	Region     string `config:"s3.region" default:"us-east-1" importance:"low" group:"S3" doc:"The AWS region of an s3:// module URL."`
	StoreURL   string `config:"store.url" default:"" importance:"low" group:"S3" doc:"The endpoint of an S3-compatible store serving an s3:// module URL; empty for AWS S3."`
	PathStyle  bool   `config:"s3.path.style.access.enabled" default:"true" importance:"low" group:"S3" doc:"Path-style requests for an s3:// module URL."`
	AccessKey  string `config:"aws.access.key.id" default:"" importance:"low" group:"S3" doc:"The AWS access key ID for an s3:// module URL; empty uses the default credentials chain (AWS_ACCESS_KEY_ID, ..., the Lambda execution role)."`
	SecretKey  string `config:"aws.secret.access.key" default:"" type:"PASSWORD" importance:"low" group:"S3" doc:"The secret access key for an s3:// module URL."`
	moduleConf []byte
}

var hexSHA = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-fA-F]{64}$`) })

// parse reads and checks props; every problem names its key.
func parse(props map[string]string) (*Config, error) {
	var c Config
	if err := connectors.Declare(&c).Parse(props, &c); err != nil {
		return nil, err
	}
	if strings.TrimSpace(c.Module) == "" {
		return nil, &connectors.ConfigError{Key: "module", Value: c.Module, Reason: "Give a .wasm file path or an s3://bucket/key URL"}
	}
	if c.SHA256 != "" && !hexSHA().MatchString(c.SHA256) {
		return nil, &connectors.ConfigError{Key: "module.sha256", Value: c.SHA256, Reason: "Must be 64 hexadecimal digits"}
	}
	own := map[string]string{}
	for k, v := range props {
		if name, ok := strings.CutPrefix(k, ModuleConfigPrefix); ok {
			own[name] = v
		}
	}
	c.moduleConf = moduleJSON(own)
	return &c, nil
}

// moduleJSON is the module's configuration as a JSON object, keys sorted,
// so equal configurations share pooled instances.
func moduleJSON(own map[string]string) []byte {
	keys := make([]string, 0, len(own))
	for k := range own {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b := []byte{'{'}
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(own[k])
		b = append(append(append(b, kb...), ':'), vb...)
	}
	return append(b, '}')
}

// timeout is the per-record time limit.
func (c *Config) timeout() time.Duration { return time.Duration(c.TimeoutMs) * time.Millisecond }

// pages is the memory limit in 64 KiB WebAssembly pages.
func (c *Config) pages() uint32 { return uint32(c.MemoryMB) * 16 }

// limits describes the limits for error messages.
func (c *Config) limits() string {
	return fmt.Sprintf("timeout.ms=%d, memory.max.mb=%d", c.TimeoutMs, c.MemoryMB)
}
