//go:build ferry_noavro

package convert

// avroDescriptor is empty in builds with the ferry_noavro tag (`make lambda
// WITHOUT_AVRO=1`): AvroConverter is unknown there, and a config naming it
// fails validation with the list of the converters the build has.
var avroDescriptor = Descriptor{}
