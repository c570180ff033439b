//go:build !ferry_noavro

package convert

import "github.com/ferryhq/ferry/transforms/convert/avro"

// avroDescriptor is Confluent's AvroConverter. Builds with the ferry_noavro tag
// leave it out (avro_off.go): hamba/avro reaches modern-go/reflect2, whose
// dynamic MethodByName makes the linker keep every exported method of every
// type the program puts in an interface, a third of a Lambda function's binary.
var avroDescriptor = Descriptor{
	Class: avro.Class, Config: avro.Config{},
	New: func(p map[string]string, k bool) (Converter, error) { return nilIfErr(avro.New(p, k)) },
}
