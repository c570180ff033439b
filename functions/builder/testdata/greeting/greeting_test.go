package greeting_test

import (
	"testing"

	"example.com/ferry-greeting"
	"github.com/ferryhq/ferry/connectors/conformance"
)

// TestConformance runs ferry's connector acceptance suite on the connector.
func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Fixture{
		Plugin:  greeting.Plugin(),
		Config:  map[string]string{"topic": "greetings", "count": "25", "batch.size": "7"},
		Records: 25,
		Invalid: []conformance.Invalid{{Config: map[string]string{"topic": "greetings", "count": "0"}, Key: "count"}},
	})
}
