package s3sink

import (
	"bytes"
	"time"

	"github.com/ferryhq/ferry/connectors"
)

// AllTypesParquet writes n rows of the every-type schema of parquet_test.go
// as one Parquet file (zstd), for the pyarrow check in the integration tests.
func AllTypesParquet(n int) ([]byte, error) {
	s := complexSchema()
	f, err := newParquetFormat("zstd")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	w, err := f.open(&buf, &connectors.Record{ValueSchema: s})
	if err != nil {
		return nil, err
	}
	for i := 0; i < n; i++ {
		if err := w.write(&connectors.Record{ValueSchema: s, Value: complexValue(s, i)}); err != nil {
			return nil, err
		}
	}
	if err := w.close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// PluginWithClock is the plugin with tasks reading the wall clock from now.
func PluginWithClock(now func() time.Time) connectors.Plugin {
	p := Plugin()
	p.NewSink = func() connectors.SinkTask { return &Task{now: now} }
	return p
}
