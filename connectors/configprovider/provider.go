// Package configprovider resolves Kafka Connect config-provider placeholders
// (${file:/path:key}, ${env:NAME}, ${directory:/dir:file}) in a task config.
// Providers are declared as Kafka Connect declares them, in the worker config
// or the connector config:
//
//	config.providers=file,env
//	config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
//	config.providers.file.param.allowed.paths=/etc/secrets
//
// Resolution happens only where a function runs a task: the scheduler stores
// and shows the placeholders, never the secrets.
package configprovider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/connectors/configprovider/awssecrets"
	pholder "github.com/ferryhq/ferry/connectors/placeholder"
)

// Provider returns the values of keys under path (a file, a directory; empty
// for env). A key it does not have is simply absent from the result.
type Provider interface {
	Get(ctx context.Context, path string, keys []string) (map[string]string, error)
}

// Factory builds a provider from its config.providers.<alias>.param.* settings.
type Factory func(params map[string]string) (Provider, error)

// Class names of the built-in providers, as in Kafka.
const (
	FileClass      = "org.apache.kafka.common.config.provider.FileConfigProvider"
	EnvClass       = "org.apache.kafka.common.config.provider.EnvVarConfigProvider"
	DirectoryClass = "org.apache.kafka.common.config.provider.DirectoryConfigProvider"
)

// Builtins is the one explicit list of provider classes ferry knows. Add a
// provider by adding its class here.
func Builtins() map[string]Factory {
	return map[string]Factory{
		FileClass:      NewFile,
		EnvClass:       NewEnv,
		DirectoryClass: NewDirectory,
		awssecrets.SecretsManagerClass: func(p map[string]string) (Provider, error) {
			return awssecrets.NewSecretsManager(p)
		},
		awssecrets.ParameterStoreClass: func(p map[string]string) (Provider, error) {
			return awssecrets.NewParameterStore(p)
		},
	}
}

// ErrUnresolved is wrapped by every resolution failure; the message names
// the placeholder, never a secret value.
var ErrUnresolved = errors.New("config provider reference could not be resolved")

// placeholder is Kafka's ConfigTransformer pattern: ${provider:[path:]key}.
var placeholder = pholder.Pattern

// ref is one placeholder found in a config.
type ref struct{ text, provider, path, key string }

// Resolve returns a copy of config with every placeholder of a declared
// provider replaced by its value. Providers are declared in worker; config
// may declare its own only as declarations allows (never wider than the
// worker's, ErrProviderPolicy); placeholders naming an undeclared
// provider are left as written, as Kafka Connect leaves them. A lookup that
// fails is an error wrapping ErrUnresolved.
func Resolve(ctx context.Context, config, worker map[string]string, registry map[string]Factory) (map[string]string, error) {
	refs := findRefs(config)
	if len(refs) == 0 {
		return config, nil
	}
	decl, err := declarations(config, worker)
	if err != nil {
		return nil, err
	}
	providers, err := build(decl, registry)
	if err != nil {
		return nil, err
	}
	values, err := lookup(ctx, refs, providers)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(config))
	for k, v := range config {
		out[k] = placeholder().ReplaceAllStringFunc(v, func(m string) string {
			if val, ok := values[m]; ok {
				return val
			}
			return m
		})
	}
	return out, nil
}

func findRefs(config map[string]string) []ref {
	var out []ref
	for _, v := range config {
		if !strings.Contains(v, "${") {
			continue // most values: no placeholder, and no regular expression compiled for none
		}
		for _, m := range placeholder().FindAllStringSubmatch(v, -1) {
			out = append(out, ref{text: m[0], provider: m[1], path: m[2], key: m[3]})
		}
	}
	return out
}

// build instantiates the providers listed in config.providers.
func build(decl map[string]string, registry map[string]Factory) (map[string]Provider, error) {
	out := map[string]Provider{}
	for _, alias := range strings.Split(decl["config.providers"], ",") {
		if alias = strings.TrimSpace(alias); alias == "" {
			continue
		}
		prefix := "config.providers." + alias
		class := strings.TrimSpace(decl[prefix+".class"])
		f, ok := registry[class]
		if !ok {
			return nil, fmt.Errorf("%w: config provider %q has class %q; set %s.class to one of %s",
				ErrUnresolved, alias, class, prefix, strings.Join(classNames(registry), ", "))
		}
		params := map[string]string{}
		for k, v := range decl {
			if rest, ok := strings.CutPrefix(k, prefix+".param."); ok {
				params[rest] = v
			}
		}
		p, err := f(params)
		if err != nil {
			return nil, fmt.Errorf("%w: config provider %q: %w", ErrUnresolved, alias, err)
		}
		out[alias] = p
	}
	return out, nil
}

func classNames(registry map[string]Factory) []string {
	out := make([]string, 0, len(registry))
	for c := range registry {
		out = append(out, c)
	}
	return sortStrings(out)
}

// lookup fetches every reference to a declared provider, one Get per
// (provider, path), and maps each placeholder text to its value.
func lookup(ctx context.Context, refs []ref, providers map[string]Provider) (map[string]string, error) {
	type group struct{ provider, path string }
	keys := map[group][]string{}
	for _, r := range refs {
		if _, ok := providers[r.provider]; ok {
			g := group{r.provider, r.path}
			keys[g] = append(keys[g], r.key)
		}
	}
	got := map[group]map[string]string{}
	for g, ks := range keys {
		vals, err := providers[g.provider].Get(ctx, g.path, ks)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrUnresolved, refText(refs, g.provider, g.path), err)
		}
		got[g] = vals
	}
	out := map[string]string{}
	for _, r := range refs {
		vals, ok := got[group{r.provider, r.path}]
		if !ok {
			continue
		}
		v, ok := vals[r.key]
		if !ok {
			return nil, fmt.Errorf("%w: %s: provider %q has no key %q at path %q", ErrUnresolved, r.text, r.provider, r.key, r.path)
		}
		out[r.text] = v
	}
	return out, nil
}

// refText names the first placeholder using provider and path.
func refText(refs []ref, provider, path string) string {
	for _, r := range refs {
		if r.provider == provider && r.path == path {
			return r.text
		}
	}
	return "${" + provider + ":" + path + "}"
}
