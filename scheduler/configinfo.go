package scheduler

import (
	"slices"

	"github.com/ferryhq/ferry/connectors"
)

// The bodies of GET /connector-plugins/{p}/config and
// PUT /connector-plugins/{p}/config/validate, field for field as Kafka
// Connect's ConfigInfos, ConfigKeyInfo and ConfigValueInfo.

type configInfos struct {
	Name       string       `json:"name"`
	ErrorCount int          `json:"error_count"`
	Groups     []string     `json:"groups"`
	Configs    []configInfo `json:"configs"`
}

type configInfo struct {
	Definition *configKeyInfo   `json:"definition"`
	Value      *configValueInfo `json:"value"`
}

type configKeyInfo struct {
	Name          string   `json:"name"`
	Type          string   `json:"type"`
	Required      bool     `json:"required"`
	DefaultValue  *string  `json:"default_value"`
	Importance    string   `json:"importance"`
	Documentation string   `json:"documentation"`
	Group         *string  `json:"group"`
	Width         string   `json:"width"`
	DisplayName   string   `json:"display_name"`
	Dependents    []string `json:"dependents"`
	Order         int      `json:"order"`
}

type configValueInfo struct {
	Name              string   `json:"name"`
	Value             *string  `json:"value"`
	RecommendedValues []string `json:"recommended_values"`
	Errors            []string `json:"errors"`
	Visible           bool     `json:"visible"`
}

// keyInfos renders keys as ConfigKeyInfos: order counts from 1 within each
// group (-1 without a group) as Kafka's ConfigDef does. Ferry declares no
// display width: every key shows NONE.
func keyInfos(keys []connectors.ConfigKey) []configKeyInfo {
	orders := map[string]int{}
	out := make([]configKeyInfo, len(keys))
	for i, k := range keys {
		info := configKeyInfo{Name: k.Name, Type: string(k.Type), Required: k.Required, Importance: k.Importance,
			Documentation: k.Doc, Width: "NONE", DisplayName: k.DisplayName, Dependents: []string{}, Order: -1}
		if k.HasDefault && !k.Required {
			d := k.Default
			info.DefaultValue = &d
		}
		if info.DisplayName == "" {
			info.DisplayName = k.Name
		}
		if k.Group != "" {
			g := k.Group
			info.Group = &g
			orders[g]++
			info.Order = orders[g]
		}
		out[i] = info
	}
	return out
}

// groupsOf lists the groups of keys in order of first appearance.
func groupsOf(keys []connectors.ConfigKey) []string {
	out := []string{}
	for _, k := range keys {
		if k.Group != "" && !slices.Contains(out, k.Group) {
			out = append(out, k.Group)
		}
	}
	return out
}

// valueInfo is the ConfigValueInfo of one key: the given value (PASSWORD
// values hidden), else its default, else null.
func valueInfo(k connectors.ConfigKey, config map[string]*string, errs []string) *configValueInfo {
	v := &configValueInfo{Name: k.Name, RecommendedValues: []string{}, Errors: errs, Visible: true}
	if v.Errors == nil {
		v.Errors = []string{}
	}
	raw, given := config[k.Name]
	switch {
	case given && raw != nil:
		s := *raw
		v.Value = &s
	case !given && k.HasDefault:
		d := k.Default
		v.Value = &d
	}
	if v.Value != nil && k.Type == connectors.ConfigPassword {
		hidden := "[hidden]"
		v.Value = &hidden
	}
	if len(k.Enum) > 0 {
		v.RecommendedValues = slices.Clone(k.Enum)
	}
	return v
}
