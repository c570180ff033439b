// Package conformance is the acceptance suite a connector runs from its own
// module's tests, whether it ships with ferry or not: given the plugin and a
// fixture (a valid config, and what the connector needs to be exercised), Run
// checks what the runtime relies on — the config declaration, validation,
// the task split, source offsets that survive the JSON round trip of the
// offset store, a restart from committed offsets, tombstones, retriable
// errors, and Close.
//
//	func TestConformance(t *testing.T) {
//		conformance.Run(t, conformance.Fixture{
//			Plugin: mysink.Plugin(),
//			Config: map[string]string{"topics": "orders", "directory": t.TempDir()},
//		})
//	}
//
// The suite needs no Kafka and no ferry runtime: it drives the connector and
// its tasks the way the scheduler and the function handler do. It is part of
// ferry's stable SDK (docs/sdk.md); new checks may be added in minor
// releases, each one a rule the runtime already relies on.
package conformance

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// Fixture is what the suite needs to exercise one connector.
type Fixture struct {
	// Plugin is the connector under test, as its package exports it.
	Plugin connectors.Plugin
	// Config is a valid connector config without the framework keys the
	// suite adds (name, connector.class, tasks.max); a sink's config names
	// its topics.
	Config map[string]string
	// Invalid are configs the connector must refuse, each with the key its
	// error must name. Every required key is checked without a fixture:
	// the suite removes it from Config.
	Invalid []Invalid
	// MaxTasks is the tasks.max the split is asked for (default 3).
	MaxTasks int
	// Records is how many records a source must produce from Config, or
	// how many a sink is given (default 10).
	Records int
	// Sink only: Written reads back what the sink made durable, as one
	// string per record value, in any order; nil skips the read-back.
	Written func() ([]string, error)
	// Unavailable makes the connector's external system unreachable (stops
	// a container, closes a listener) and returns what restores it. While
	// it is unavailable, Poll (source) or Put and Flush (sink) must return
	// an error connectors.IsRetriable reports true for. Nil when the
	// connector has no external system that can be away (a file, a
	// generator): the check then passes with a note in the test log.
	Unavailable func() (restore func(), err error)
	// Timeout bounds each check (default 30s).
	Timeout time.Duration
}

// Invalid is a config the connector must refuse, and the key to blame.
type Invalid struct {
	Config map[string]string
	Key    string
}

// Run runs every check as a subtest of t.
func Run(t *testing.T, f Fixture) {
	t.Helper()
	f = f.withDefaults()
	for _, c := range Checks(f.Plugin.Type) {
		t.Run(c.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), f.Timeout)
			defer cancel()
			note, err := c.Run(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if note != "" {
				t.Log(note)
			}
		})
	}
}

// Check is one rule of the suite. Run returns a note for the test log when
// the rule does not apply to the fixture, and an error when it is broken.
type Check struct {
	Name string
	Run  func(ctx context.Context, f Fixture) (note string, err error)
}

// Checks lists the suite's rules for a plugin type, in the order Run runs them.
func Checks(t connectors.PluginType) []Check {
	common := []Check{
		{"ConfigDeclaration", checkDeclaration},
		{"Validation", checkValidation},
		{"TaskSplit", checkSplit},
	}
	switch t {
	case connectors.TypeSource:
		return append(common, Check{"SourceOffsetsRoundTrip", checkSourceOffsets}, Check{"SourceRestartFromOffsets", checkSourceRestart},
			Check{"SourceRetriable", checkSourceRetriable}, Check{"SourceClose", checkSourceClose})
	case connectors.TypeSink:
		return append(common, Check{"SinkPutFlush", checkSinkPut}, Check{"SinkRestart", checkSinkRestart},
			Check{"SinkTombstones", checkSinkTombstone}, Check{"SinkRetriable", checkSinkRetriable}, Check{"SinkClose", checkSinkClose})
	}
	return append(common, Check{"PluginType", func(context.Context, Fixture) (string, error) {
		return "", fmt.Errorf("plugin type %q: a connector is %q or %q", t, connectors.TypeSource, connectors.TypeSink)
	}})
}

func (f Fixture) withDefaults() Fixture {
	if f.MaxTasks < 1 {
		f.MaxTasks = 3
	}
	if f.Records < 1 {
		f.Records = 10
	}
	if f.Timeout <= 0 {
		f.Timeout = 30 * time.Second
	}
	return f
}

// props is the fixture's config with the framework keys the runtime adds.
func (f Fixture) props(tasks int) map[string]string { return framework(f.Plugin, f.Config, tasks) }

// framework is config with name, connector.class and tasks.max added.
func framework(p connectors.Plugin, config map[string]string, tasks int) map[string]string {
	out := maps.Clone(config)
	if out == nil {
		out = map[string]string{}
	}
	out["name"] = "conformance"
	out["connector.class"] = p.Class
	out["tasks.max"] = fmt.Sprint(tasks)
	return out
}

// taskConfigs is the split of Config into at most tasks task configs, each
// merged over the connector config as the scheduler merges it.
func (f Fixture) taskConfigs(ctx context.Context, tasks int) ([]map[string]string, error) {
	props := f.props(tasks)
	split, err := f.Plugin.NewConnector().TaskConfigs(ctx, maps.Clone(props), tasks)
	if err != nil {
		return nil, fmt.Errorf("TaskConfigs(tasks.max=%d) of the fixture's valid config: %w", tasks, err)
	}
	out := make([]map[string]string, len(split))
	for i, tc := range split {
		out[i] = maps.Clone(props)
		maps.Copy(out[i], tc)
	}
	return out, nil
}

// closeTask closes a task that implements io.Closer.
func closeTask(task any) error {
	if c, ok := task.(interface{ Close() error }); ok {
		return c.Close()
	}
	return nil
}

// errNotRetriable names an error that should have been retriable.
func errNotRetriable(op string, err error) error {
	if err == nil {
		return fmt.Errorf("%s succeeded while the fixture's Unavailable had made the external system unreachable: want an error wrapped by connectors.Retriable", op)
	}
	return fmt.Errorf("%s failed while the external system was unreachable with %q, which is not retriable: wrap it with connectors.Retriable so the runtime retries it (errors.retry.timeout)", op, err)
}

// unavailable runs op while the fixture's system is away.
func unavailable(f Fixture, op func() error) (string, error) {
	if f.Unavailable == nil {
		return "not checked: the fixture has no Unavailable (the connector has no external system that can be away)", nil
	}
	restore, err := f.Unavailable()
	if err != nil {
		return "", fmt.Errorf("the fixture's Unavailable: %w", err)
	}
	defer restore()
	return "", op()
}

// ErrNoDeclaration is returned when a plugin declares no config struct.
var ErrNoDeclaration = errors.New("no config declaration")
