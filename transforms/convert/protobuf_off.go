//go:build ferry_noprotobuf

package convert

// protobufDescriptor is empty in builds with the ferry_noprotobuf tag:
// ProtobufConverter is unknown there, and a config naming it fails
// validation with the list of the converters the build has.
var protobufDescriptor = Descriptor{}
