package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/placeholder"
	"github.com/ferryhq/ferry/state"
)

// validate checks a connector config on create, update and patch with the
// validation engine and returns the connector's plugin; every problem found
// is reported in one 400, in Kafka Connect's words. Keys no declaration
// knows are accepted, as Kafka Connect accepts them, and logged once here.
func (s *Scheduler) validate(config map[string]string) (*connectors.Plugin, error) {
	if n := configBytes(config); n > MaxConfigBytes {
		return nil, badRequest("Connector config is %d bytes as JSON, more than the %d bytes (MaxConfigBytes) a task invocation "+
			"can carry: every invocation sends the task's config over NATS, whose default maximum payload is 1 MiB. "+
			"Move large values into files read by the connector or a config provider (${file:...})", n, MaxConfigBytes)
	}
	v, err := s.check(config)
	if err != nil {
		return nil, err
	}
	if err := v.refusal(); err != nil {
		return nil, err
	}
	for _, w := range v.warnings {
		s.log.Warn("connector config has a key ferry accepts but cannot honour", "connector", config["name"], "key", w.key, "why", w.msg)
	}
	if len(v.unknown) > 0 {
		s.log.Warn("connector config has keys no declaration knows; they are ignored", "connector", config["name"], "keys", v.unknown)
	}
	return v.plugin, nil
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

// MaxConfigBytes bounds a connector config (and each task config), encoded
// as JSON: an invocation carries its task config with the worker's settings
// and its own fields in one NATS message (1 MiB by default) or Lambda
// payload, so a config accepted by the REST API always fits.
const MaxConfigBytes = 512 << 10

// configBytes is the size of config encoded as a JSON object.
func configBytes(config map[string]string) int {
	b, _ := json.Marshal(config)
	return len(b)
}

// split asks the connector for its task configs, each overlaid on the
// connector config. The connector sees the config with its placeholders
// resolved by the worker's providers (a JDBC split connects to the
// database), but the task configs keep the placeholders: no resolved value
// is stored or returned. A connector that panics fails like one that errs.
func (s *Scheduler) split(ctx context.Context, p *connectors.Plugin, config map[string]string) (tasks []map[string]string, err error) {
	maxTasks := connectors.Framework(config).TasksMax
	if p.NewConnector == nil {
		return []map[string]string{maps.Clone(config)}, nil
	}
	resolved := maps.Clone(config)
	if s.o.Resolve != nil {
		if resolved, err = s.o.Resolve(ctx, maps.Clone(config)); err != nil {
			return nil, fmt.Errorf("connector %s: resolving its config placeholders for the task split: %w", p.Class, err)
		}
	}
	// The split's error becomes the connector's status trace: a resolved
	// secret in it (a JDBC URL with its password) is hidden.
	mask := placeholder.MaskOf(config, resolved)
	defer func() {
		if r := recover(); r != nil {
			err = mask.Error(fmt.Errorf("connector %s panicked while splitting tasks: %v", p.Class, r))
		}
	}()
	raw, err := p.NewConnector().TaskConfigs(ctx, resolved, maxTasks)
	if err != nil {
		return nil, mask.Error(fmt.Errorf("connector %s could not split its work into tasks: %w", p.Class, err))
	}
	if err := unresolve(raw, config, resolved); err != nil {
		return nil, fmt.Errorf("connector %s: %w", p.Class, err)
	}
	if len(raw) > maxTasks {
		return nil, fmt.Errorf("The connector %s has generated %d tasks, which is greater than %d, the maximum number of tasks it is configured to create. This behaviour should be considered a bug and is disallowed", config["name"], len(raw), maxTasks)
	}
	tasks = make([]map[string]string, len(raw))
	for i, t := range raw {
		tasks[i] = maps.Clone(config)
		maps.Copy(tasks[i], t)
		if n := configBytes(tasks[i]); n > MaxConfigBytes {
			return nil, fmt.Errorf("the connector %s gave task %d a config of %d bytes as JSON, more than the %d bytes (MaxConfigBytes) "+
				"an invocation can carry; raise tasks.max to spread its work, or shorten the config", config["name"], i, n, MaxConfigBytes)
		}
	}
	return tasks, nil
}

// unresolve puts the placeholders back into the task configs a connector
// returned: a value equal to a resolved one becomes the config's placeholder
// text again. A task config that still holds a resolved secret inside a
// longer value is refused, so none is ever stored.
func unresolve(tasks []map[string]string, config, resolved map[string]string) error {
	secrets := map[string]string{} // resolved value -> the key it came from
	for k, v := range resolved {
		if config[k] != v && len(v) >= minSecretLen {
			secrets[v] = k
		}
	}
	for i, t := range tasks {
		for k, v := range t {
			if resolved[k] == v && config[k] != v {
				t[k] = config[k]
				continue
			}
			for secret, from := range secrets {
				if strings.Contains(v, secret) {
					return fmt.Errorf("task %d's config key %s holds the resolved value of %s; a connector must copy placeholders into task configs, not resolve them", i, k, from)
				}
			}
		}
	}
	return nil
}

// minSecretLen is the shortest resolved value looked for inside task config values.
const minSecretLen = 4

// resplit recomputes rec's task configs. A split failure marks the connector
// FAILED (its trace is shown by /status) and leaves it without tasks.
// Generation increases whenever the task configs change, and on the first split.
func (s *Scheduler) resplit(ctx context.Context, rec *state.ConnectorRecord, p *connectors.Plugin) {
	tasks, err := s.split(ctx, p, rec.Config)
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
		s.resplit(ctx, &rec, p)
	}
	if err := s.o.Store.PutConnector(ctx, rec); err != nil {
		return rec, fmt.Errorf("storing connector %s: %w", name, err)
	}
	s.changed(name)
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
	p, err := s.o.Catalogue.Connectors().Lookup(config["connector.class"])
	if err != nil || (p.Type != connectors.TypeSource && p.Type != connectors.TypeSink) {
		return "unknown"
	}
	return string(p.Type)
}
