package workerconfig

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"reflect"
	"strings"
	"sync"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/configprovider"
	"github.com/ferryhq/ferry/connectors/internal/structtag"
	"github.com/ferryhq/ferry/connectors/properties"
)

// tags returns the declaration's flag and unit:"ms" tags, read on first use
// (not at init).
var tags = sync.OnceValues(readTags)

func readTags() (map[string]string, map[string]bool) {
	flags, ms := map[string]string{}, map[string]bool{}
	var buf [16]structtag.Pair
	// Only the keys with a flag or unit tag: FlagName's lookups find the rest absent.
	for _, f := range structtag.VisibleFields(reflect.TypeOf(Config{})) {
		tag := structtag.Parse(f.Tag, buf[:0])
		name, ok := tag.Lookup("config")
		if f.Anonymous || !ok {
			continue
		}
		if flag := tag.Get("flag"); flag != "" {
			flags[name] = flag
		}
		if tag.Get("unit") == "ms" {
			ms[name] = true
		}
	}
	return flags, ms
}

// Definition is the declared worker configuration.
func Definition() *connectors.ConfigDef { return connectors.Declare(Config{}) }

// Worker is a loaded worker configuration.
type Worker struct {
	Config
	// Props are all the worker's keys (file, environment and flags merged,
	// placeholders resolved): what the functions of this process use as
	// worker defaults, and the keys connectors/kafkaclient builds every Kafka
	// client from (bootstrap.servers, security.protocol, ssl.*, sasl.*,
	// producer./consumer./admin.). They stay in this process.
	Props map[string]string
	// Ignored are Kafka Connect keys that do not apply to ferry, with why;
	// Unknown are keys nobody declares.
	Ignored []Notice
	Unknown []string
	// File is the worker .properties file read, "" if none.
	File string
	// Args are the positional arguments other than the worker file.
	Args []string
}

// Load reads the worker configuration of a command: the worker file (the
// --worker-config flag, FERRY_WORKER_CONFIG, else the first positional
// *.properties argument that is not a connector config, else fallbackFile
// when it exists), then FERRY_* variables from env, then flags. A value of
// the wrong type fails naming the key, the value and where it was set.
func Load(ctx context.Context, argv []string, env func(string) (string, bool), fallbackFile string) (*Worker, error) {
	a, err := parseArgs(argv)
	if err != nil {
		return nil, err
	}
	w := &Worker{}
	w.File, w.Args = pickFile(a, env, fallbackFile)
	merged, origin := map[string]string{}, map[string]string{}
	if w.File != "" {
		f, err := properties.Read(w.File)
		if err != nil {
			return nil, fmt.Errorf("worker config: %w", err)
		}
		for _, e := range f.Entries {
			merged[e.Key], origin[e.Key] = e.Value, fmt.Sprintf("%s line %d", w.File, e.Line)
		}
	}
	if err := fromEnv(env, merged, origin); err != nil {
		return nil, err
	}
	for k, v := range a.values {
		merged[k], origin[k] = v, "flag --"+FlagName(mustKey(k))
	}
	resolved, err := configprovider.Resolve(ctx, merged, merged, configprovider.Builtins())
	if err != nil {
		return nil, fmt.Errorf("worker config: %w", err)
	}
	d := Definition()
	if err := d.Parse(resolved, &w.Config); err != nil {
		return nil, located(err, merged, origin)
	}
	w.restFallback(resolved)
	w.Props = maps.Clone(resolved)
	w.Ignored, w.Unknown = classify(resolved, func(k string) bool { _, ok := d.Key(k); return ok })
	return w, nil
}

func mustKey(name string) connectors.ConfigKey {
	k, _ := Definition().Key(name)
	return k
}

// pickFile finds the worker file and returns the other positional arguments.
func pickFile(a *args, env func(string) (string, bool), fallback string) (string, []string) {
	if a.file != "" {
		return a.file, a.positional
	}
	if f, ok := env(EnvName(FileFlag)); ok && f != "" {
		return f, a.positional
	}
	for i, p := range a.positional {
		if strings.HasSuffix(p, ".properties") && !IsConnectorFile(p) {
			return p, append(a.positional[:i:i], a.positional[i+1:]...)
		}
	}
	if fallback != "" {
		if _, err := os.Stat(fallback); err == nil {
			return fallback, a.positional
		}
	}
	return "", a.positional
}

// IsConnectorFile reports whether a .properties file is a connector config
// (it sets connector.class), as connect-standalone's arguments are.
func IsConnectorFile(path string) bool {
	f, err := properties.Read(path)
	return err == nil && f.Map()["connector.class"] != ""
}

// fromEnv applies the FERRY_* variable of every declared key that is set.
func fromEnv(env func(string) (string, bool), merged, origin map[string]string) error {
	for _, k := range Definition().Keys {
		name := EnvName(FlagName(k))
		raw, ok := env(name)
		if !ok {
			continue
		}
		v, err := flagValue(k, raw)
		if err != nil {
			return fmt.Errorf("environment %s=%s: %w", name, raw, err)
		}
		merged[k.Name], origin[k.Name] = v, "environment "+name
	}
	return nil
}

// located adds where each bad key was set to the declaration's errors.
func located(err error, merged, origin map[string]string) error {
	var ces connectors.ConfigErrors
	if !errors.As(err, &ces) {
		return fmt.Errorf("worker config: %w", err)
	}
	msgs := make([]string, len(ces))
	for i, ce := range ces {
		where := origin[ce.Key]
		if where == "" {
			where = "default"
		}
		if _, given := merged[ce.Key]; !given {
			where = "not set"
		}
		msgs[i] = fmt.Sprintf("%s (%s)", ce.Error(), where)
	}
	return fmt.Errorf("worker config: %s: %w", strings.Join(msgs, "; "), connectors.ErrConfig)
}

// restFallback uses the top-level ssl.keystore.* keys for the https listener
// when its listeners.https.ssl.* keys are not set, as Kafka Connect does.
func (w *Worker) restFallback(props map[string]string) {
	for dst, key := range map[*string]string{&w.KeystoreLocation: "ssl.keystore.location", &w.KeystoreType: "ssl.keystore.type",
		&w.KeystorePassword: "ssl.keystore.password", &w.KeyPassword: "ssl.key.password"} {
		if *dst == "" {
			*dst = strings.TrimSpace(props[key])
		}
	}
}

// LogNotices logs, once, each key ferry ignores (with the reason) and each
// key nobody declares.
func (w *Worker) LogNotices(log *slog.Logger) {
	for _, n := range w.Ignored {
		log.Info("worker key does not apply to ferry: ignored", "key", n.Key, "reason", n.Reason)
	}
	for _, k := range w.Unknown {
		log.Warn("unknown worker key: ignored; check its spelling against docs/configuration.md", "key", k)
	}
}
