// Package greeting is an example third-party source connector built into
// ferry by `ferry build --with example.com/ferry-greeting=DIR`: each task
// writes `count` records "<greeting> <n>" to `topic`, resuming after the
// last committed n.
package greeting

import (
	"context"
	"fmt"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/sdk"
)

// Class is the connector's class name; the registry also finds it as
// GreetingSourceConnector and GreetingSource.
const Class = "com.example.ferry.GreetingSourceConnector"

// Config declares the connector's own keys (the framework keys, tasks.max,
// transforms, converters, are the runtime's).
type Config struct {
	Topic    string `config:"topic" required:"true" importance:"high" doc:"Topic the greetings are written to."`
	Greeting string `config:"greeting" default:"hello" importance:"medium" doc:"Text of every record, followed by its number."`
	Count    int    `config:"count" default:"10" min:"1" max:"1000000" importance:"medium" doc:"How many records each task writes."`
	Batch    int    `config:"batch.size" default:"100" min:"1" max:"10000" importance:"low" doc:"Most records one Poll returns."`
}

// Plugin describes the connector.
func Plugin() connectors.Plugin {
	return connectors.Plugin{
		Class:        Class,
		Type:         connectors.TypeSource,
		Config:       Config{},
		NewConnector: func() connectors.Connector { return Connector{} },
		NewSource:    func() connectors.SourceTask { return &Task{} },
	}
}

// Plugins is what ferry build adds to a custom ferry.
func Plugins() sdk.Bundle {
	return sdk.Bundle{Connectors: []connectors.Plugin{Plugin()}}
}

// Connector splits the work: one task, whatever tasks.max says.
type Connector struct{}

// TaskConfigs checks the config and returns one task config.
func (Connector) TaskConfigs(_ context.Context, props map[string]string, _ int) ([]map[string]string, error) {
	var cfg Config
	if err := connectors.ParseChecked("greeting source", props, &cfg); err != nil {
		return nil, err
	}
	return connectors.SameTaskConfigs(props, 1), nil
}

// partition is the task's one source partition.
var partition = map[string]any{"greeting": "task-0"}

// Task writes the greetings.
type Task struct {
	cfg  Config
	next int
}

// Open parses the config and resumes after the committed offset {"n": n}.
func (t *Task) Open(_ context.Context, props map[string]string, offsets connectors.OffsetReader) error {
	if err := connectors.ParseChecked("greeting source", props, &t.cfg); err != nil {
		return err
	}
	if off := offsets.Offset(partition); off != nil {
		n, ok := off["n"].(float64) // offsets come back from JSON
		if !ok {
			return fmt.Errorf("greeting source: committed offset %v has no number n: reset the connector's offsets", off)
		}
		t.next = int(n) + 1
	}
	return nil
}

// Poll returns up to batch.size records; none once count are written.
func (t *Task) Poll(context.Context) ([]*connectors.Record, error) {
	var out []*connectors.Record
	for ; t.next < t.cfg.Count && len(out) < t.cfg.Batch; t.next++ {
		value := fmt.Sprintf("%s %d", t.cfg.Greeting, t.next)
		out = append(out, connectors.NewSourceRecord(partition, map[string]any{"n": t.next}, t.cfg.Topic, connectors.StringSchema, value))
	}
	return out, nil
}
