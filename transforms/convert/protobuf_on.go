//go:build !ferry_noprotobuf

package convert

import "github.com/ferryhq/ferry/transforms/convert/protobuf"

// protobufDescriptor is Confluent's ProtobufConverter. Builds with the
// ferry_noprotobuf tag leave it out (protobuf_off.go): the protobuf runtime
// and the .proto compiler are a sixth of a Lambda function's binary, their
// descriptor registration most of its Go init time, and the runtime's
// reflect.Type.MethodByName calls together with hamba/avro's reflect2 make
// the linker keep every exported method of every type put in an interface.
var protobufDescriptor = Descriptor{
	Class: protobuf.Class, Config: protobuf.Config{},
	New: func(p map[string]string, k bool) (Converter, error) { return nilIfErr(protobuf.New(p, k)) },
}
