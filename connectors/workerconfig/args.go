package workerconfig

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// FileFlag names the worker .properties file (env FERRY_WORKER_CONFIG); a
// positional *.properties argument that is not a connector config does too.
const FileFlag = "worker-config"

// ErrHelp is returned by Parse for -h and --help (the same value as flag.ErrHelp).
var ErrHelp = flag.ErrHelp

// FlagName is the command-line flag of a declared key: the key without
// "ferry." (and without ".ms" for durations), dots as dashes, unless the
// declaration names another.
func FlagName(k connectors.ConfigKey) string {
	flagTags, msKeys := tags()
	if f := flagTags[k.Name]; f != "" {
		return f
	}
	name := strings.TrimPrefix(k.Name, "ferry.")
	if msKeys[k.Name] {
		name = strings.TrimSuffix(name, ".ms")
	}
	return strings.ReplaceAll(name, ".", "-")
}

// EnvName is the environment variable of a flag: FERRY_ and the flag in
// upper case with underscores (--nats-url is FERRY_NATS_URL).
func EnvName(flagName string) string {
	return "FERRY_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// args are the command line sorted into flags and positional arguments.
type args struct {
	values     map[string]string // declared key -> value
	file       string            // --worker-config
	positional []string
}

// parseArgs reads flags anywhere on the command line (--name value,
// --name=value, -name; a boolean flag alone means true); "--" ends flags.
func parseArgs(argv []string) (*args, error) {
	var byFlag map[string]connectors.ConfigKey // built at the first flag: a Lambda function has none
	a := &args{values: map[string]string{}}
	for i := 0; i < len(argv); i++ {
		arg := argv[i]
		if arg == "--" {
			a.positional = append(a.positional, argv[i+1:]...)
			break
		}
		if len(arg) < 2 || arg[0] != '-' {
			a.positional = append(a.positional, arg)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if name == "h" || name == "help" {
			return nil, ErrHelp
		}
		if byFlag == nil {
			byFlag = flagIndex()
		}
		k, known := byFlag[name]
		if !known && name != FileFlag {
			return nil, fmt.Errorf("unknown flag %s: run the command with --help for the flags", arg)
		}
		if !hasValue {
			if known && k.Type == connectors.ConfigBoolean {
				value = "true"
			} else if i+1 < len(argv) {
				i++
				value = argv[i]
			} else {
				return nil, fmt.Errorf("flag %s needs a value", arg)
			}
		}
		if name == FileFlag {
			a.file = value
			continue
		}
		v, err := flagValue(k, value)
		if err != nil {
			return nil, fmt.Errorf("flag --%s=%s: %w", name, value, err)
		}
		a.values[k.Name] = v
	}
	return a, nil
}

// flagValue turns a flag or environment value into the key's value: a
// duration key takes 10s, 1m or plain milliseconds.
func flagValue(k connectors.ConfigKey, v string) (string, error) {
	if _, msKeys := tags(); !msKeys[k.Name] {
		return v, nil
	}
	if _, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
		return strings.TrimSpace(v), nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil {
		return "", errors.New("want a duration such as 10s or a number of milliseconds")
	}
	return strconv.FormatInt(d.Milliseconds(), 10), nil
}

func flagIndex() map[string]connectors.ConfigKey {
	out := map[string]connectors.ConfigKey{}
	for _, k := range Definition().Keys {
		out[FlagName(k)] = k
	}
	return out
}

// commandGroups are the declaration's groups each command uses, for --help;
// every command accepts every key.
var commandGroups = map[string][]string{
	"standalone":    {"Kafka", "Converters", "REST", "NATS", "Runtime"},
	"scheduler":     {"Kafka", "Storage", "Converters", "REST", "NATS", "Runtime", "Lambda"},
	"worker":        {"Kafka", "Storage", "Converters", "NATS", "Runtime"},
	"lambda-bridge": {"NATS", "Runtime", "Lambda"},
}

// Usage writes the flags of the keys command uses (all keys for an unknown
// command), generated from the declaration.
func Usage(w io.Writer, command string) {
	groups, scoped := commandGroups[command]
	fmt.Fprintf(w, "  --%s FILE\n    \tworker .properties file, Kafka Connect's format (env %s)\n", FileFlag, EnvName(FileFlag))
	t := reflect.TypeOf(Config{})
	for i := 0; i < t.NumField(); i++ {
		g := t.Field(i)
		if scoped && !slices.Contains(groups, g.Name) {
			continue
		}
		for j := 0; j < g.Type.NumField(); j++ {
			k, _ := Definition().Key(g.Type.Field(j).Tag.Get("config"))
			def := ""
			if k.HasDefault && k.Default != "" {
				def = ", default " + k.Default
			}
			fmt.Fprintf(w, "  --%s\n    \t%s (key %s, env %s%s)\n", FlagName(k), k.Doc, k.Name, EnvName(FlagName(k)), def)
		}
	}
	if scoped {
		fmt.Fprintln(w, "\nEvery key of docs/configuration.md is accepted as a flag too.")
	}
}
