package scheduler

import (
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/ferryhq/ferry/connectors"
)

// errNullValue is Kafka Connect's error for a key sent as JSON null.
const errNullValue = "Null value can not be supplied as the configuration value."

// component finds a converter, transformation or predicate by class, simple
// name or alias; an empty t matches any type.
func (s *Scheduler) component(name string, t connectors.PluginType) (connectors.Component, bool) {
	name = strings.TrimSpace(name)
	for _, p := range s.o.Catalogue.Components() {
		if t != "" && p.Type != t {
			continue
		}
		simple := p.Class[strings.LastIndexByte(p.Class, '.')+1:]
		if name == p.Class || name == simple || slices.Contains(p.Aliases, name) {
			return p, true
		}
	}
	return connectors.Component{}, false
}

// pluginConfig answers GET /connector-plugins/{plugin}/config: a connector's
// own keys, then the framework keys it does not redefine; a converter's,
// transformation's or predicate's keys.
func (s *Scheduler) pluginConfig(w http.ResponseWriter, r *http.Request) (int, any, error) {
	name := r.PathValue("plugin")
	if p, err := s.o.Catalogue.Connectors().Lookup(name); err == nil {
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
	p, ok := s.component(name, "")
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
	v, err := s.check(config)
	if err != nil {
		return 0, nil, err
	}
	errs := v.byKey()
	for k, val := range body {
		if val == nil {
			errs[k] = append([]string{errNullValue}, errs[k]...)
		}
	}
	out := configInfos{Name: class, Groups: []string{}, Configs: []configInfo{}}
	var all []connectors.ConfigKey
	for _, p := range v.parts {
		all = append(all, p.Keys()...)
	}
	defs := keyInfos(all)
	shown := map[string]bool{}
	for i, k := range all {
		if shown[k.Name] {
			continue
		}
		shown[k.Name] = true
		vi := valueInfo(k, body, errs[k.Name])
		out.ErrorCount += len(vi.Errors)
		out.Configs = append(out.Configs, configInfo{Definition: &defs[i], Value: vi})
	}
	for _, key := range slices.Sorted(maps.Keys(errs)) { // errors on keys no declaration shows
		if !shown[key] {
			shown[key] = true
			vi := &configValueInfo{Name: key, RecommendedValues: []string{}, Errors: errs[key], Visible: true}
			out.ErrorCount += len(vi.Errors)
			out.Configs = append(out.Configs, configInfo{Value: vi})
		}
	}
	for _, w := range v.warnings { // accepted, no effect: shown, not counted
		if !shown[w.key] {
			shown[w.key] = true
			val := config[w.key]
			out.Configs = append(out.Configs, configInfo{Value: &configValueInfo{Name: w.key, Value: &val,
				RecommendedValues: []string{}, Errors: []string{w.msg}, Visible: true}})
		}
	}
	for _, key := range v.unknown { // a warning, not counted: Kafka Connect accepts unknown keys
		if !shown[key] {
			val := config[key]
			out.Configs = append(out.Configs, configInfo{Value: &configValueInfo{Name: key, Value: &val,
				RecommendedValues: []string{}, Errors: []string{unknownWarning(key)}, Visible: true}})
		}
	}
	out.Groups = groupsOf(all)
	return http.StatusOK, out, nil
}
