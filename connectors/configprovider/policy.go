package configprovider

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ConnectorProvidersKey is the worker key that lets connector configs
// declare config providers of their own. Kafka Connect allows providers only
// in the worker config, so it is off by default.
const ConnectorProvidersKey = "ferry.connector.config.providers.enable"

// ErrProviderPolicy is wrapped when a connector config declares config
// providers the worker does not let it declare.
var ErrProviderPolicy = fmt.Errorf("%w: connector-level config provider refused", ErrUnresolved)

const providersKey = "config.providers"

// declarations returns the provider declarations that resolve config's
// placeholders: the worker's, plus what config declares beyond them. A
// connector's own declarations can never widen the worker's providers: they
// are refused unless the worker sets ConnectorProvidersKey=true, and then a
// connector may only name classes the worker declares, with the worker's
// parameters, narrowing allowed.paths at most.
func declarations(config, worker map[string]string) (map[string]string, error) {
	decl := maps.Clone(worker)
	if decl == nil {
		decl = map[string]string{}
	}
	own := map[string]string{}
	for k, v := range config {
		if strings.HasPrefix(k, providersKey) && worker[k] != v {
			own[k] = v
		}
	}
	if len(own) == 0 {
		return decl, nil
	}
	keys := slices.Sorted(maps.Keys(own))
	if !strings.EqualFold(strings.TrimSpace(worker[ConnectorProvidersKey]), "true") {
		return nil, fmt.Errorf("%w: the connector config sets %s, but config providers are declared in the worker config "+
			"(set %s=true in the worker to let connectors declare providers the worker already allows)",
			ErrProviderPolicy, strings.Join(keys, ", "), ConnectorProvidersKey)
	}
	for _, alias := range aliases(config[providersKey]) {
		if err := narrowing(alias, config, worker); err != nil {
			return nil, err
		}
		for k, v := range config {
			if strings.HasPrefix(k, providersKey+"."+alias+".") {
				decl[k] = v
			}
		}
	}
	for k := range own { // keys of aliases the connector does not list stay the worker's
		if k != providersKey && !slices.ContainsFunc(aliases(config[providersKey]), func(a string) bool {
			return strings.HasPrefix(k, providersKey+"."+a+".")
		}) {
			return nil, fmt.Errorf("%w: %s declares a provider config.providers does not list", ErrProviderPolicy, k)
		}
	}
	decl[providersKey] = strings.Join(union(aliases(worker[providersKey]), aliases(config[providersKey])), ",")
	return decl, nil
}

// narrowing checks that the connector's declaration of alias uses a class
// the worker declares, with that declaration's parameters, allowed.paths
// narrowed at most.
func narrowing(alias string, config, worker map[string]string) error {
	prefix := providersKey + "." + alias + "."
	class := strings.TrimSpace(config[prefix+"class"])
	base := ""
	for _, w := range aliases(worker[providersKey]) {
		if strings.TrimSpace(worker[providersKey+"."+w+".class"]) == class {
			base = w
			break
		}
	}
	if base == "" {
		return fmt.Errorf("%w: config provider %q has class %q, which the worker does not declare; a connector may only use the worker's provider classes",
			ErrProviderPolicy, alias, class)
	}
	wantParams, gotParams := params(worker, providersKey+"."+base+"."), params(config, prefix)
	for _, k := range slices.Sorted(maps.Keys(union2(wantParams, gotParams))) {
		if k == "allowed.paths" {
			if err := within(gotParams[k], wantParams[k], alias); err != nil {
				return err
			}
			continue
		}
		if gotParams[k] != wantParams[k] {
			return fmt.Errorf("%w: config provider %q sets %sparam.%s differently from the worker's %q provider; a connector may only narrow allowed.paths",
				ErrProviderPolicy, alias, prefix, k, base)
		}
	}
	return nil
}

// within checks that every path of got lies under a path of the worker's
// want (empty want: any path; empty got: every path, so only with empty want).
func within(got, want, alias string) error {
	allowed := allowedPaths(map[string]string{"allowed.paths": want})
	if len(allowed) == 0 {
		return nil
	}
	paths := allowedPaths(map[string]string{"allowed.paths": got})
	if len(paths) == 0 {
		return fmt.Errorf("%w: config provider %q allows every path, wider than the worker's allowed.paths (%s)",
			ErrProviderPolicy, alias, strings.Join(allowed, ","))
	}
	for _, p := range paths {
		if checkAllowed(p, allowed) != nil {
			return fmt.Errorf("%w: config provider %q allows %s, outside the worker's allowed.paths (%s)",
				ErrProviderPolicy, alias, p, strings.Join(allowed, ","))
		}
	}
	return nil
}

func params(m map[string]string, prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if rest, ok := strings.CutPrefix(k, prefix+"param."); ok {
			out[rest] = v
		}
	}
	return out
}

func aliases(list string) []string {
	var out []string
	for _, a := range strings.Split(list, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func union2(a, b map[string]string) map[string]string {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}
