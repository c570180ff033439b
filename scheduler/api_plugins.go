package scheduler

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/ferryhq/ferry/connectors"
)

// errNullValue is Kafka Connect's error for a key sent as JSON null.
const errNullValue = "Null value can not be supplied as the configuration value."

// findExtra finds a non-connector plugin by class, simple name or alias;
// an empty t matches any type.
func (s *Scheduler) findExtra(name string, t connectors.PluginType) (PluginInfo, bool) {
	name = strings.TrimSpace(name)
	for _, p := range s.o.ExtraPlugins {
		if t != "" && p.Type != t {
			continue
		}
		simple := p.Class[strings.LastIndexByte(p.Class, '.')+1:]
		if name == p.Class || name == simple || slices.Contains(p.Aliases, name) {
			return p, true
		}
	}
	return PluginInfo{}, false
}

// frameworkConfig is the zero framework config of a connector type.
func frameworkConfig(t connectors.PluginType) any {
	if t == connectors.TypeSink {
		return connectors.SinkConnectorConfig{}
	}
	return connectors.SourceConnectorConfig{}
}

// pluginConfig answers GET /connector-plugins/{plugin}/config: a connector's
// own keys, then the framework keys it does not redefine; a converter's,
// transformation's or predicate's keys.
func (s *Scheduler) pluginConfig(w http.ResponseWriter, r *http.Request) (int, any, error) {
	name := r.PathValue("plugin")
	if p, err := s.o.Plugins.Lookup(name); err == nil {
		var keys []connectors.ConfigKey
		if p.Config != nil {
			keys = append(keys, connectors.Declare(p.Config).Keys...)
		}
		for _, k := range connectors.Declare(frameworkConfig(p.Type)).Keys {
			if !slices.ContainsFunc(keys, func(o connectors.ConfigKey) bool { return o.Name == k.Name }) {
				keys = append(keys, k)
			}
		}
		return http.StatusOK, keyInfos(keys), nil
	}
	p, ok := s.findExtra(name, "")
	if !ok {
		return 0, nil, notFound("Unknown plugin %s.", name)
	}
	out := []configKeyInfo{}
	if p.Config != nil {
		out = keyInfos(connectors.Declare(p.Config).Keys)
	}
	return http.StatusOK, out, nil
}

// nullableConfig is a validate body: a JSON null value is kept as nil so it
// can be reported against its key.
type nullableConfig = patchMap

// validateConfig answers PUT /connector-plugins/{plugin}/config/validate with
// ConfigInfos built from the declarations of the connector, the framework,
// the transformations, predicates and converters it names. An invalid
// config is still a 200: clients read error_count.
func (s *Scheduler) validateConfig(w http.ResponseWriter, r *http.Request) (int, any, error) {
	pluginName := r.PathValue("plugin")
	var body nullableConfig
	if err := decodeBody(w, r, &body); err != nil {
		return 0, nil, err
	}
	config := map[string]string{}
	for k, v := range body {
		if v != nil {
			config[k] = *v
		}
	}
	class, ok := config["connector.class"]
	if !ok {
		return 0, nil, badRequest("Connector config %s contains no connector type", javaMap(config))
	}
	if !strings.HasSuffix(strings.TrimSuffix(class, "Connector"), strings.TrimSuffix(pluginName, "Connector")) {
		return 0, nil, badRequest("Included connector type %s does not match request type %s", class, pluginName)
	}
	plugin, err := s.o.Plugins.Lookup(class)
	if err != nil {
		return 0, nil, badRequest("Failed to find any class that implements Connector and which name matches %s, available connectors are: %s",
			class, strings.Join(s.o.Plugins.Classes(), ", "))
	}
	secs := s.sections(plugin, config)
	errs := s.validationErrors(plugin, secs, config, body)
	out := configInfos{Name: class, Groups: []string{}, Configs: []configInfo{}}
	var all []connectors.ConfigKey
	for _, sec := range secs {
		all = append(all, sec.keys()...)
	}
	defs := keyInfos(all)
	shown := map[string]bool{}
	for i, k := range all {
		if shown[k.Name] {
			continue
		}
		shown[k.Name] = true
		v := valueInfo(k, body, errs[k.Name])
		out.ErrorCount += len(v.Errors)
		out.Configs = append(out.Configs, configInfo{Definition: &defs[i], Value: v})
	}
	for _, key := range slices.Sorted(maps.Keys(errs)) { // errors on keys no declaration shows
		if !shown[key] {
			v := &configValueInfo{Name: key, RecommendedValues: []string{}, Errors: errs[key], Visible: true}
			out.ErrorCount += len(v.Errors)
			out.Configs = append(out.Configs, configInfo{Value: v})
		}
	}
	out.Groups = groupsOf(all)
	return http.StatusOK, out, nil
}

// sections lists the declarations that apply to a connector config, in the
// order Kafka Connect shows them: framework, transformations, predicates,
// converters, then the connector's own keys.
func (s *Scheduler) sections(p *connectors.Plugin, config map[string]string) []section {
	fw := frameworkConfig(p.Type)
	secs := []section{{def: connectors.Declare(fw), sample: fw}}
	for _, kind := range []struct {
		list, group string
		t           connectors.PluginType
		extra       []connectors.ConfigKey
	}{
		{"transforms", "Transforms", connectors.TypeTransformation, []connectors.ConfigKey{
			{Name: "type", Type: connectors.ConfigClass, Required: true, Importance: "HIGH", Doc: "Class for the 'ALIAS' transformation."},
			{Name: "predicate", Type: connectors.ConfigString, Importance: "MEDIUM", Doc: "The alias of a predicate used to determine whether to apply this transformation."},
			{Name: "negate", Type: connectors.ConfigBoolean, Default: "false", HasDefault: true, Importance: "MEDIUM", Doc: "Whether the configured predicate should be negated."}}},
		{"predicates", "Predicates", connectors.TypePredicate, []connectors.ConfigKey{
			{Name: "type", Type: connectors.ConfigClass, Required: true, Importance: "HIGH", Doc: "Class for the 'ALIAS' predicate."}}},
	} {
		for _, alias := range connectors.SplitList(config[kind.list]) {
			prefix, group := kind.list+"."+alias+".", kind.group+": "+alias
			sec := section{prefix: prefix, group: group}
			for _, k := range kind.extra {
				k.Group, k.Doc = group, strings.ReplaceAll(k.Doc, "ALIAS", alias)
				sec.extra = append(sec.extra, k)
			}
			if ep, ok := s.findExtra(config[prefix+"type"], kind.t); ok && ep.Config != nil {
				sec.def, sec.sample = connectors.Declare(ep.Config), ep.Config
			}
			secs = append(secs, sec)
		}
	}
	for _, key := range []string{"key.converter", "value.converter", "header.converter"} {
		if ep, ok := s.findExtra(config[key], ""); ok && ep.Config != nil {
			secs = append(secs, section{def: connectors.Declare(ep.Config), sample: ep.Config, prefix: key + "."})
		}
	}
	if p.Config != nil {
		secs = append(secs, section{def: connectors.Declare(p.Config), sample: p.Config})
	}
	return secs
}

// validationErrors collects every problem by key: null values, each
// section's parse and cross-key rules, the name rules, unknown transformation
// classes and the caller's Check.
func (s *Scheduler) validationErrors(p *connectors.Plugin, secs []section, config map[string]string, body nullableConfig) map[string][]string {
	errs := map[string][]string{}
	add := func(key, msg string) {
		if !slices.Contains(errs[key], msg) {
			errs[key] = append(errs[key], msg)
		}
	}
	var addErr func(prefix string, err error)
	addErr = func(prefix string, err error) {
		var ces connectors.ConfigErrors
		var ce *connectors.ConfigError
		joined, isJoined := err.(interface{ Unwrap() []error })
		_, isCES := err.(connectors.ConfigErrors)
		switch {
		case err == nil:
		case isJoined && !isCES:
			for _, e := range joined.Unwrap() {
				addErr(prefix, e)
			}
		case errors.As(err, &ces):
			for _, e := range ces {
				add(prefix+e.Key, e.Error())
			}
		case errors.As(err, &ce):
			add(prefix+ce.Key, ce.Error())
		default:
			for _, line := range strings.Split(err.Error(), "\n") {
				add("connector.class", line)
			}
		}
	}
	for k, v := range body {
		if v == nil {
			add(k, errNullValue)
		}
	}
	for _, sec := range secs {
		sub := config
		if sec.prefix != "" {
			sub = subConfig(config, sec.prefix)
		}
		for _, k := range sec.extra {
			addErr(sec.prefix, extraKeyError(k, sub, sec.def != nil))
		}
		if sec.def == nil {
			continue
		}
		addErr(sec.prefix, checkSection(sec, sub))
	}
	if _, ok := config["name"]; ok {
		addErr("", checkName(config["name"]))
	}
	if s.o.Check != nil { // the caller's checks repeat the declarations' own: keep them only for keys without errors
		declared := errs
		errs = map[string][]string{}
		addErr("", s.o.Check(config))
		for k, v := range errs {
			if len(declared[k]) == 0 {
				declared[k] = v
			}
		}
		errs = declared
	}
	return errs
}

// checkSection parses sub with the section's declaration and applies its
// cross-key rules; keys that fail to parse fall back to their defaults for
// those rules, so every problem is reported at once.
func checkSection(sec section, sub map[string]string) error {
	dst := newOf(sec.sample)
	err := sec.def.Parse(sub, dst)
	var ces connectors.ConfigErrors
	if errors.As(err, &ces) {
		rest := maps.Clone(sub)
		for _, e := range ces {
			delete(rest, e.Key)
		}
		dst = newOf(sec.sample)
		if sec.def.Parse(rest, dst) != nil {
			return err
		}
	}
	if c, ok := dst.(interface{ Check() error }); ok {
		err = errors.Join(err, c.Check())
	}
	return err
}

// extraKeyError checks the implicit transforms.a.type/predicate/negate keys.
func extraKeyError(k connectors.ConfigKey, sub map[string]string, classFound bool) error {
	raw, given := sub[k.Name]
	switch {
	case k.Name == "type" && !given:
		return &connectors.ConfigError{Key: k.Name, Missing: true}
	case k.Name == "type" && !classFound:
		return &connectors.ConfigError{Key: k.Name, Value: raw, Reason: fmt.Sprintf("Class %s could not be found.", raw)}
	case given:
		return k.Check(raw)
	}
	return nil
}

// subConfig returns the keys under prefix with the prefix removed.
func subConfig(config map[string]string, prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range config {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			out[rest] = v
		}
	}
	return out
}
