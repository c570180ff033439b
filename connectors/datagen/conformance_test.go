package datagen_test

import (
	"testing"

	"github.com/ferryhq/ferry/connectors/conformance"
	"github.com/ferryhq/ferry/connectors/datagen"
)

// TestConformance runs the SDK's acceptance suite on the datagen source.
func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Fixture{
		Plugin:  datagen.Plugin(),
		Config:  map[string]string{"kafka.topic": "orders", "quickstart": "orders", "max.interval": "0", "iterations": "40", "random.seed": "7"},
		Records: 40,
		Invalid: []conformance.Invalid{
			{Config: map[string]string{"kafka.topic": "orders", "quickstart": "no-such"}, Key: "quickstart"},
			{Config: map[string]string{"kafka.topic": "orders", "quickstart": "orders", "schema.string": "{}"}, Key: "schema.string"},
		},
	})
}
