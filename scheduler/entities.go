package scheduler

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// The REST bodies, field for field and in the order Kafka Connect serializes them.

type serverInfo struct {
	// Version is the Kafka Connect version whose REST API ferry implements:
	// kcctl and other tools parse major.minor from it to enable features.
	Version        string `json:"version"`
	Commit         string `json:"commit"`
	KafkaClusterID string `json:"kafka_cluster_id"`
	// FerryVersion is ferry's own version (Options.Version).
	FerryVersion string `json:"ferry_version"`
}

type connectorTaskID struct {
	Connector string `json:"connector"`
	Task      int    `json:"task"`
}

type connectorInfo struct {
	Name   string            `json:"name"`
	Config map[string]string `json:"config"`
	Tasks  []connectorTaskID `json:"tasks"`
	Type   string            `json:"type"`
}

type connectorState struct {
	State    string `json:"state"`
	WorkerID string `json:"worker_id"`
	Trace    string `json:"trace,omitempty"`
	// Version is the connector plugin's version (KIP-891, Kafka Connect 4.1).
	Version string `json:"version,omitempty"`
}

type taskState struct {
	ID       int    `json:"id"`
	State    string `json:"state"`
	WorkerID string `json:"worker_id"`
	Trace    string `json:"trace,omitempty"`
	Version  string `json:"version,omitempty"`
}

type connectorStateInfo struct {
	Name      string         `json:"name"`
	Connector connectorState `json:"connector"`
	Tasks     []taskState    `json:"tasks"`
	Type      string         `json:"type"`
}

type taskInfo struct {
	ID     connectorTaskID   `json:"id"`
	Config map[string]string `json:"config"`
}

// expanded is one value of GET /connectors?expand=...
type expanded struct {
	Status *connectorStateInfo `json:"status,omitempty"`
	Info   *connectorInfo      `json:"info,omitempty"`
}

// createRequest is the body of POST /connectors.
type createRequest struct {
	Name         *string   `json:"name"`
	Config       configMap `json:"config"`
	InitialState *string   `json:"initial_state"`
}

// configMap is a connector config as sent by clients. Like Kafka Connect
// (Jackson coerces scalars to String), it accepts numbers and booleans as
// values and keeps their JSON text, so {"tasks.max": 2} works; null, objects
// and arrays are refused naming the key.
type configMap map[string]string

// UnmarshalJSON implements json.Unmarshaler.
func (c *configMap) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw == nil {
		*c = nil
		return nil
	}
	out := make(configMap, len(raw))
	for k, v := range raw {
		s, err := scalarText(v)
		if err != nil {
			return fmt.Errorf("config value of %q %w", k, err)
		}
		out[k] = s
	}
	*c = out
	return nil
}

// DecodeConnectorFile reads a connector file as connect-standalone takes
// them: {"name": ..., "config": {...}} or a flat JSON object of the config,
// whose values may be strings, numbers or booleans as in the REST API.
func DecodeConnectorFile(b []byte) (map[string]string, error) {
	var wrapped createRequest
	if err := json.Unmarshal(b, &wrapped); err == nil && wrapped.Config != nil {
		cfg := map[string]string(wrapped.Config)
		if cfg["name"] == "" && wrapped.Name != nil {
			cfg["name"] = *wrapped.Name
		}
		return cfg, nil
	}
	var flat configMap
	if err := json.Unmarshal(b, &flat); err != nil {
		return nil, fmt.Errorf("want {\"name\":...,\"config\":{...}} or a flat JSON object of the config: %w", err)
	}
	return flat, nil
}

func scalarText(v json.RawMessage) (string, error) {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) == 0 || string(v) == "null":
		return "", errors.New("is null: Null value can not be supplied as the configuration value")
	case v[0] == '"':
		var s string
		err := json.Unmarshal(v, &s)
		return s, err
	case v[0] == '{' || v[0] == '[':
		return "", errors.New("must be a JSON string, number or boolean, not an object or array")
	}
	return string(v), nil
}
