package s3sink

import (
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/storage"
)

// AllTypesParquet writes n rows of the every-type schema of parquet_test.go
// as one Parquet file (zstd), for the pyarrow check in the integration tests.
func AllTypesParquet(n int) ([]byte, error) {
	return storage.AllTypesParquet(n)
}

// PluginWithClock is the plugin with tasks reading the wall clock from now.
func PluginWithClock(now func() time.Time) connectors.Plugin {
	p := Plugin()
	p.NewSink = func() connectors.SinkTask { return &Task{now: now} }
	return p
}

// RequestKind names the S3 request the sink sends (requestKind), for the
// fault-injecting proxy of the integration tests.
var RequestKind = requestKind

// MaxSetsInFlight is how many finished file sets the sink sends at once:
// the client-alone baseline of BenchmarkS3SinkVsDirect puts as many.
const MaxSetsInFlight = maxSetsInFlight
