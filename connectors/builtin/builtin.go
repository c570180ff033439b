// Package builtin lists every connector plugin ferry ships, in one explicit
// slice: adding a connector means adding one line here, nothing registers
// itself at init time.
package builtin

import (
	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/datagen"
	"github.com/ferryhq/ferry/connectors/elasticsearch"
	"github.com/ferryhq/ferry/connectors/file"
	"github.com/ferryhq/ferry/connectors/hdfssink"
	"github.com/ferryhq/ferry/connectors/httpsink"
	"github.com/ferryhq/ferry/connectors/jdbc"
	"github.com/ferryhq/ferry/connectors/jdbcsink"
	"github.com/ferryhq/ferry/connectors/mysqlcdc"
	"github.com/ferryhq/ferry/connectors/nats"
	"github.com/ferryhq/ferry/connectors/postgrescdc"
	"github.com/ferryhq/ferry/connectors/redis"
	"github.com/ferryhq/ferry/connectors/s3sink"
)

// Release is ferry's release number, reported in plugin versions.
const Release = "0.1.0"

// Version is the version string of every built-in plugin, as
// GET /connector-plugins shows it.
const Version = "ferry-" + Release

// Plugins returns every built-in connector plugin, each stamped with Version.
func Plugins() []connectors.Plugin {
	plugins := []connectors.Plugin{
		file.Source(),
		file.Sink(),
		datagen.Plugin(),
		jdbc.Plugin(),
		postgrescdc.Plugin(),
		mysqlcdc.MySQL(), mysqlcdc.MariaDB(),
		s3sink.Plugin(),
		elasticsearch.Plugin(),
		jdbcsink.Plugin(),
		redis.Sink(),
		redis.StreamSource(),
		nats.Source(),
		nats.Sink(),
		httpsink.Plugin(),
		hdfssink.Plugin(),
	}
	for i := range plugins {
		plugins[i].Version = Version
	}
	return plugins
}

// Registry returns a registry of the built-in plugins, found by class name,
// simple name, simple name without "Connector", or alias.
func Registry() *connectors.Registry { return connectors.NewRegistry(Plugins()...) }
