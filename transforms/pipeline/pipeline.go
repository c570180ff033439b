// Package pipeline builds what a connector's records pass through, once per
// invocation: the transform chain, the key, value and header converters with
// the classes they resolved to, and the framework config (the keys every
// connector has, plus the source- or sink-only ones). The function's handler,
// config validation and `ferry transforms apply` all build it here, so the
// precedence rules (connector, then worker, then default) and the framework
// config parse exist once.
package pipeline

import (
	"errors"
	"fmt"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms"
	"github.com/ferryhq/ferry/transforms/convert"
)

// Spec says what to build.
type Spec struct {
	// Kind is the connector's type: TypeSource or TypeSink parse the framework
	// config of that kind; empty parses none (`ferry transforms apply`, whose
	// configs are transform snippets without name or connector.class).
	Kind connectors.PluginType
	// Config is the connector config, placeholders already resolved.
	Config map[string]string
	// Worker holds the worker-level converter defaults.
	Worker map[string]string
	// NoConverters skips the converters (records in, records out).
	NoConverters bool
	// Transforms finds the classes transforms= and predicates= name; nil
	// is the built-in registry.
	Transforms *transforms.Registry
}

// Pipeline is one connector's chain, converters and framework config.
type Pipeline struct {
	Chain      *transforms.Chain
	Converters convert.Set // zero when Spec.NoConverters
	// Framework is the keys every connector has (errors.*, tasks.max, ...);
	// nil when Spec.Kind is empty.
	Framework *connectors.ConnectorConfig
	// Source is set for a source connector, Sink for a sink connector.
	Source *connectors.SourceConnectorConfig
	Sink   *connectors.SinkConnectorConfig
	// DeadLetter is the dead-letter queue config (the sink's keys; ferry
	// reads the same keys for sources as an extension).
	DeadLetter DeadLetter
}

// DeadLetter is the errors.deadletterqueue.* config; Topic is empty when the
// connector has no dead-letter queue.
type DeadLetter struct {
	Topic       string `config:"errors.deadletterqueue.topic.name" default:"" doc:"The name of the topic to be used as the dead letter queue (DLQ)."`
	Replication int16  `config:"errors.deadletterqueue.topic.replication.factor" default:"3" doc:"Replication factor used to create the dead letter queue topic."`
	Headers     bool   `config:"errors.deadletterqueue.context.headers.enable" default:"false" doc:"If true, add headers containing error context to the messages written to the dead letter queue."`
}

// sourceConfig is the one declaration a source invocation parses: the source
// framework keys and the dead-letter keys.
type sourceConfig struct {
	connectors.SourceConnectorConfig
	DeadLetter
}

// Build builds the pipeline of spec; every bad key is reported, joined, with
// the key and the value (connectors.ConfigErrors, convert.ErrUnknownConverter, ...).
func Build(spec Spec) (*Pipeline, error) {
	p := &Pipeline{}
	var errs []error
	var err error
	if p.Chain, err = spec.Transforms.NewChain(spec.Config); err != nil {
		errs = append(errs, err)
	}
	if !spec.NoConverters {
		if p.Converters, err = convert.ForConnector(spec.Config, spec.Worker); err != nil {
			errs = append(errs, err)
		}
	}
	if err := p.parseFramework(spec); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return p, nil
}

// Check builds the chain and converters of a connector config the way a
// function will, so a bad key is refused when the config is submitted; tr
// holds the transformation and predicate classes (nil: the built-in ones).
func Check(config, worker map[string]string, tr *transforms.Registry) error {
	_, err := Build(Spec{Config: config, Worker: worker, Transforms: tr})
	return err
}

func (p *Pipeline) parseFramework(spec Spec) error {
	switch spec.Kind {
	case "":
		return nil
	case connectors.TypeSource:
		var c sourceConfig
		if err := connectors.Declare(c).Parse(spec.Config, &c); err != nil {
			return err
		}
		p.Source, p.Framework, p.DeadLetter = &c.SourceConnectorConfig, &c.ConnectorConfig, c.DeadLetter
	case connectors.TypeSink:
		var c connectors.SinkConnectorConfig
		if err := connectors.Declare(c).Parse(spec.Config, &c); err != nil {
			return err
		}
		if err := c.Check(); err != nil {
			return err
		}
		p.Sink, p.Framework = &c, &c.ConnectorConfig
		p.DeadLetter = DeadLetter{Topic: c.DLQTopic, Replication: c.DLQReplication, Headers: c.DLQHeaders}
	default:
		return fmt.Errorf("%s is a %s plugin, not a connector", spec.Config["connector.class"], spec.Kind)
	}
	return nil
}
