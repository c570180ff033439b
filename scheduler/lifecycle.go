package scheduler

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/state"
)

// validate checks a connector config the way Kafka Connect does on create and
// update, and returns the connector's plugin. Every problem found is reported
// in one 400, in Kafka Connect's words.
func (s *Scheduler) validate(config map[string]string) (*connectors.Plugin, error) {
	class, ok := config["connector.class"]
	if !ok {
		return nil, badRequest("Connector config %s contains no connector type", javaMap(config))
	}
	plugin, err := s.o.Plugins.Lookup(class)
	if err != nil {
		return nil, badRequest("Failed to find any class that implements Connector and which name matches %s, available connectors are: %s",
			class, strings.Join(s.o.Plugins.Classes(), ", "))
	}
	var msgs []string
	add := func(err error) {
		for _, m := range errorMessages(err) {
			if !slices.Contains(msgs, m) {
				msgs = append(msgs, m)
			}
		}
	}
	add(checkName(config["name"]))
	add(checkFramework(plugin.Type, config))
	add(checkPlugin(plugin, config))
	if s.o.Check != nil {
		add(s.o.Check(config))
	}
	if len(msgs) > 0 {
		return nil, badRequest("Connector configuration is invalid and contains the following %d error(s):\n%s\n"+
			"You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`",
			len(msgs), strings.Join(msgs, "\n"))
	}
	return plugin, nil
}

// checkFramework validates the keys every connector of this type has.
func checkFramework(t connectors.PluginType, config map[string]string) error {
	if t == connectors.TypeSink {
		var c connectors.SinkConnectorConfig
		if err := connectors.Declare(&c).Parse(config, &c); err != nil {
			return err
		}
		return c.Check()
	}
	var c connectors.SourceConnectorConfig
	return connectors.Declare(&c).Parse(config, &c)
}

// checkPlugin parses the connector's own keys and, when the config type has
// a Check method (cross-key rules), applies it.
func checkPlugin(p *connectors.Plugin, config map[string]string) error {
	if p.Config == nil {
		return nil
	}
	dst := newOf(p.Config)
	if err := connectors.Declare(p.Config).Parse(config, dst); err != nil {
		return err
	}
	if c, ok := dst.(interface{ Check() error }); ok {
		return c.Check()
	}
	return nil
}

// checkName applies Kafka's NonEmptyStringWithoutControlChars to a connector name.
func checkName(name string) error {
	if name == "" {
		return &connectors.ConfigError{Key: "name", Value: name, Reason: "String may not be empty"}
	}
	var bad []string
	for _, r := range name {
		if unicode.IsControl(r) {
			bad = append(bad, strconv.Itoa(int(r)))
		}
	}
	if len(bad) > 0 {
		return &connectors.ConfigError{Key: "name", Value: name,
			Reason: "String may not contain control sequences but had the following ASCII chars: " + strings.Join(bad, ", ")}
	}
	return nil
}

// errorMessages flattens ConfigErrors into one message per problem.
func errorMessages(err error) []string {
	if err == nil {
		return nil
	}
	var ces connectors.ConfigErrors
	if errors.As(err, &ces) {
		out := make([]string, len(ces))
		for i, e := range ces {
			out[i] = e.Error()
		}
		return out
	}
	return []string{err.Error()}
}

// newOf returns a pointer to a new zero value of sample's struct type.
func newOf(sample any) any {
	t := reflect.TypeOf(sample)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return reflect.New(t).Interface()
}

// javaMap renders a config as Java's Map.toString does ({k=v, k2=v2}), sorted.
func javaMap(m map[string]string) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// split asks the connector for its task configs, each overlaid on the
// connector config. A connector that panics fails like one that errs.
func split(p *connectors.Plugin, config map[string]string) (tasks []map[string]string, err error) {
	maxTasks := 1
	if v, ok := config["tasks.max"]; ok {
		if n, perr := strconv.Atoi(strings.TrimSpace(v)); perr == nil {
			maxTasks = n
		}
	}
	if p.NewConnector == nil {
		return []map[string]string{maps.Clone(config)}, nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("connector %s panicked while splitting tasks: %v", p.Class, r)
		}
	}()
	raw, err := p.NewConnector().TaskConfigs(maps.Clone(config), maxTasks)
	if err != nil {
		return nil, fmt.Errorf("connector %s could not split its work into tasks: %w", p.Class, err)
	}
	if len(raw) > maxTasks {
		return nil, fmt.Errorf("The connector %s has generated %d tasks, which is greater than %d, the maximum number of tasks it is configured to create. This behaviour should be considered a bug and is disallowed", config["name"], len(raw), maxTasks)
	}
	tasks = make([]map[string]string, len(raw))
	for i, t := range raw {
		tasks[i] = maps.Clone(config)
		maps.Copy(tasks[i], t)
	}
	return tasks, nil
}

// resplit recomputes rec's task configs. A split failure marks the connector
// FAILED (its trace is shown by /status) and leaves it without tasks.
// Generation increases whenever the task configs change, and on the first split.
func (s *Scheduler) resplit(rec *state.ConnectorRecord, p *connectors.Plugin) {
	tasks, err := split(p, rec.Config)
	s.metrics.ConnectorStartup(err == nil)
	if err != nil {
		s.log.Warn("task split failed", "connector", rec.Name, "err", err)
		s.setConnectorFailure(rec.Name, err.Error())
		tasks = nil
	} else {
		s.setConnectorFailure(rec.Name, "")
	}
	if rec.Generation == 0 || !slices.EqualFunc(rec.Tasks, tasks, maps.Equal) {
		rec.Tasks = tasks
		rec.Generation++
	}
}

// upsert stores a validated config with the given target, splitting tasks
// unless the connector is stopped. prev is the stored record, if any.
func (s *Scheduler) upsert(ctx context.Context, p *connectors.Plugin, name string, config map[string]string,
	target state.TargetState, prev *state.ConnectorRecord) (state.ConnectorRecord, error) {
	rec := state.ConnectorRecord{Name: name, Config: config, Target: target}
	if prev != nil {
		rec.Tasks, rec.Generation = prev.Tasks, prev.Generation
	}
	if target != state.TargetStopped {
		s.resplit(&rec, p)
	}
	if err := s.o.Store.PutConnector(ctx, rec); err != nil {
		return rec, fmt.Errorf("storing connector %s: %w", name, err)
	}
	s.poke()
	return rec, nil
}

// lookup reads a stored connector; a missing one becomes a 404 with msg.
func (s *Scheduler) lookup(ctx context.Context, name, msg string) (state.ConnectorRecord, error) {
	rec, err := s.o.Store.Connector(ctx, name)
	if errors.Is(err, state.ErrNotFound) {
		return rec, notFound("%s", msg)
	}
	if err != nil {
		return rec, fmt.Errorf("reading connector %s: %w", name, err)
	}
	return rec, nil
}

// connectorType is "source", "sink" or "unknown" for a stored config.
func (s *Scheduler) connectorType(config map[string]string) string {
	p, err := s.o.Plugins.Lookup(config["connector.class"])
	if err != nil || (p.Type != connectors.TypeSource && p.Type != connectors.TypeSink) {
		return "unknown"
	}
	return string(p.Type)
}
