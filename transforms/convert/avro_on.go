//go:build !ferry_noavro

package convert

import "github.com/ferryhq/ferry/transforms/convert/avro"

// avroDescriptor is Confluent's AvroConverter. Builds with the ferry_noavro tag
// leave it out (avro_off.go).
var avroDescriptor = Descriptor{
	Class: avro.Class, Config: avro.Config{},
	New: func(p map[string]string, k bool) (Converter, error) { return nilIfErr(avro.New(p, k)) },
}
