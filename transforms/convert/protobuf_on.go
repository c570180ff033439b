//go:build !ferry_noprotobuf

package convert

import "github.com/ferryhq/ferry/transforms/convert/protobuf"

// protobufDescriptor is Confluent's ProtobufConverter. Builds with the
// ferry_noprotobuf tag leave it out (protobuf_off.go): the .proto compiler
// and the protobuf runtime's JSON and text encodings are 0.6 MB of a Lambda
// function's zip, and their descriptor registration part of its Go init.
var protobufDescriptor = Descriptor{
	Class: protobuf.Class, Config: protobuf.Config{},
	New: func(p map[string]string, k bool) (Converter, error) { return nilIfErr(protobuf.New(p, k)) },
}
