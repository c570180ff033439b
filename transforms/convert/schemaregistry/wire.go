package schemaregistry

import (
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/sr"
)

// ErrWireFormat is returned for bytes that are not in the Confluent wire
// format: the topic holds data written by another converter.
var ErrWireFormat = errors.New("unknown magic byte")

var header sr.ConfluentHeader

// AppendHeader appends the magic byte, the schema id and (Protobuf only) the
// message indexes: [0] is written as the single byte 0, as Confluent does.
func AppendHeader(b []byte, id int, index []int) []byte {
	b, _ = header.AppendEncode(b, id, index)
	return b
}

// SplitHeader reads the magic byte and schema id, returning the rest.
func SplitHeader(b []byte) (id int, rest []byte, err error) {
	id, rest, err = header.DecodeID(b)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: want magic byte 0 followed by a 4-byte schema id (%d bytes read)", ErrWireFormat, len(b))
	}
	return id, rest, nil
}

// SplitIndex reads the Protobuf message indexes after the schema id.
func SplitIndex(b []byte) (index []int, rest []byte, err error) {
	index, rest, err = header.DecodeIndex(b, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: bad message index: %v", ErrWireFormat, err)
	}
	return index, rest, nil
}
