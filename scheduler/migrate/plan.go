// Package migrate moves a Kafka Connect deployment to ferry. Build makes the
// report of `ferry migrate plan`: for each connector of a Kafka Connect
// cluster (read from its REST API or its internal topics, changing nothing),
// whether ferry has its class, which keys ferry would refuse or ignore, and
// the offsets it would resume from. Import puts a connect-standalone
// offsets file into a ferry store (`ferry migrate standalone`).
package migrate

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/scheduler"
)

// Offset is one committed partition and offset, as GET
// /connectors/{c}/offsets shows it (sinks: kafka_topic, kafka_partition and
// kafka_offset); a nil Offset is a reset partition.
type Offset struct {
	Partition map[string]any `json:"partition"`
	Offset    map[string]any `json:"offset"`
}

// Connector is one connector as the Kafka Connect cluster holds it.
type Connector struct {
	Name   string
	Config map[string]string
	// Target is the state asked for (RUNNING, PAUSED, STOPPED); Running is
	// the state its worker last reported ("" when unknown) and Worker where.
	Target, Running, Worker string
	Offsets                 []Offset
	// OffsetsErr says why the offsets could not be read.
	OffsetsErr error
}

// Source lists the connectors of a Kafka Connect cluster with their offsets.
type Source interface {
	Connectors(ctx context.Context) ([]Connector, error)
	// String names the source in the report.
	String() string
}

// Reviewer runs ferry's validation engine on a config: scheduler.ReviewConfig
// with ferry's catalogue.
type Reviewer func(config map[string]string) (scheduler.Review, error)

// Entry is what ferry would do with one connector.
type Entry struct {
	Connector
	// Class is the config's connector.class; Plugin is ferry's class for it
	// (nil when ferry lacks it).
	Class  string
	Plugin *connectors.Plugin
	Review scheduler.Review
}

// Plan is the report of `ferry migrate plan`.
type Plan struct {
	From       string
	Connectors []Entry
	// Worker are the worker keys ferry ignores, with why (set by the caller).
	Worker []scheduler.Finding
}

// Build reads src and reviews each connector; it changes nothing.
func Build(ctx context.Context, src Source, review Reviewer) (*Plan, error) {
	conns, err := src.Connectors(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the connectors of %s: %w", src, err)
	}
	sort.Slice(conns, func(i, j int) bool { return conns[i].Name < conns[j].Name })
	p := &Plan{From: src.String()}
	for _, c := range conns {
		e := Entry{Connector: c, Class: c.Config["connector.class"]}
		r, err := review(c.Config)
		switch {
		case err == nil:
			e.Review, e.Plugin = r, r.Plugin
		case errors.Is(err, connectors.ErrUnknownClass):
			// shown as FAILED naming the class after the take-over
		default:
			return nil, fmt.Errorf("reviewing connector %s: %w", c.Name, err)
		}
		p.Connectors = append(p.Connectors, e)
	}
	return p, nil
}

// Runnable counts the connectors whose class ferry has.
func (p *Plan) Runnable() int {
	n := 0
	for _, e := range p.Connectors {
		if e.Plugin != nil {
			n++
		}
	}
	return n
}
