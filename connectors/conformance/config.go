package conformance

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"

	"github.com/ferryhq/ferry/connectors"
)

// checkDeclaration: the plugin names its class and type, has the
// constructors of its type, and declares its keys once, each documented.
func checkDeclaration(_ context.Context, f Fixture) (_ string, err error) {
	p := f.Plugin
	switch {
	case p.Class == "":
		return "", errors.New("Plugin.Class is empty: give the full class name configs use in connector.class")
	case p.NewConnector == nil:
		return "", errors.New("Plugin.NewConnector is nil: the scheduler needs it to split tasks")
	case p.Type == connectors.TypeSource && p.NewSource == nil:
		return "", errors.New("a source Plugin without NewSource")
	case p.Type == connectors.TypeSink && p.NewSink == nil:
		return "", errors.New("a sink Plugin without NewSink")
	case p.Config == nil:
		return "", fmt.Errorf("%w: Plugin.Config is nil; set it to a zero value of the config struct (connectors.Declare)", ErrNoDeclaration)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("connectors.Declare(%T) panicked: %v", p.Config, r)
		}
	}()
	seen := map[string]bool{}
	for _, k := range connectors.Declare(p.Config).Keys {
		if seen[k.Name] {
			return "", fmt.Errorf("key %q is declared twice in %T", k.Name, p.Config)
		}
		seen[k.Name] = true
		if strings.TrimSpace(k.Doc) == "" {
			return "", fmt.Errorf("key %q of %T has no doc tag: /config/validate and the generated docs show it", k.Name, p.Config)
		}
	}
	return "", nil
}

// checkValidation: the fixture's config passes; removing a required key,
// or each Invalid config, fails naming the key.
func checkValidation(_ context.Context, f Fixture) (string, error) {
	props := f.props(1)
	if err := connectors.CheckConfig(f.Plugin.Config, props); err != nil {
		return "", fmt.Errorf("the fixture's Config does not validate: %w", err)
	}
	cases := append([]Invalid(nil), f.Invalid...)
	for _, k := range connectors.Declare(f.Plugin.Config).Keys {
		if k.Required && !k.HasDefault {
			c := maps.Clone(f.Config)
			delete(c, k.Name)
			cases = append(cases, Invalid{Config: c, Key: k.Name})
		}
	}
	for _, c := range cases {
		err := connectors.CheckConfig(f.Plugin.Config, framework(f.Plugin, c.Config, 1))
		if !namesKey(err, c.Key) {
			return "", fmt.Errorf("config %v: want an error naming key %q (a *connectors.ConfigError), got %v", c.Config, c.Key, err)
		}
	}
	return "", nil
}

// namesKey reports whether err holds a *connectors.ConfigError for key.
func namesKey(err error, key string) bool {
	var ces connectors.ConfigErrors
	if errors.As(err, &ces) {
		for _, e := range ces {
			if e.Key == key && !e.Warning {
				return true
			}
		}
	}
	var ce *connectors.ConfigError
	return errors.As(err, &ce) && ce.Key == key && !ce.Warning
}

// checkSplit: at least one and at most tasks.max task configs, each valid,
// and the same split for the same config (the scheduler restarts tasks
// whose configs change).
func checkSplit(ctx context.Context, f Fixture) (string, error) {
	for _, n := range []int{1, f.MaxTasks} {
		split, err := f.taskConfigs(ctx, n)
		if err != nil {
			return "", err
		}
		if len(split) < 1 || len(split) > n {
			return "", fmt.Errorf("TaskConfigs(tasks.max=%d) returned %d task configs: want 1 to %d", n, len(split), n)
		}
		for i, tc := range split {
			if err := connectors.CheckConfig(f.Plugin.Config, tc); err != nil {
				return "", fmt.Errorf("task config %d of %d does not validate: %w", i, len(split), err)
			}
		}
		again, err := f.taskConfigs(ctx, n)
		if err != nil {
			return "", err
		}
		if !reflect.DeepEqual(split, again) {
			return "", fmt.Errorf("TaskConfigs(tasks.max=%d) split the same config two ways: %v, then %v", n, split, again)
		}
	}
	return "", nil
}
