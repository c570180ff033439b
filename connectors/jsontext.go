package connectors

// JSONText is a record's value already written as the JsonConverter with
// schemas.enable=false writes the value it stands for, held by pointer
// (boxing it allocates nothing). On a source record, only a task that is a
// JSONValueWriter, and only once the runtime asked it to, puts one in place
// of a value, with a nil ValueSchema; the runtime produces its bytes as they
// are. On a sink record, the runtime puts one in place of a value only for a
// task that is a JSONValueTaker, with the record's ValueSchema set as usual.
type JSONText []byte

// JSONValueWriter is a source task that can write its records' values as
// schemaless JSON itself, from the data it generates, instead of building
// Connect values for the converter to write.
//
// The bytes must be exactly the JsonConverter's with schemas.enable=false
// for the value the task would have returned, whatever the converter's other
// settings: a task implements this only for values those settings cannot
// change (no nulls, no decimals).
type JSONValueWriter interface {
	// WriteJSONValues asks the task to return, in the records of every
	// later Poll, a *JSONText in place of each value. The runtime asks only
	// when the connector's value converter is the JsonConverter with
	// schemas.enable=false and no transformation reads the records; it
	// reports false when the task cannot for its configuration, and then
	// returns Connect values as before.
	//
	// Once it answered true, the task may also reuse at each Poll the
	// records of the previous one, their header slices and the JSONText
	// slice headers (never the bytes they hold): of a polled record the
	// runtime keeps, past the next Poll, only the bytes it converted and
	// produced, the value's bytes, the source partition map and the
	// OffsetBuilder (Record.LazyOffset), which the task must not reuse.
	WriteJSONValues() bool
}

// JSONValueTaker is a sink task that, as configured, uses nothing of a
// record's value but its JSON as the JsonConverter with
// schemas.enable=false writes it (connectjson.AppendValue with
// ReplaceNullWithDefault; the S3 sink's JsonFormat with a partitioner and
// timestamp extractor that do not read the value). The runtime then gives
// it a *JSONText in place of a value whose converter's bytes already are
// that JSON (a JsonConverter envelope whose payload is written as is), when
// no transformation reads the records; other values are converted as usual.
type JSONValueTaker interface {
	// TakesJSONValues reports whether the task, opened, takes *JSONText values.
	TakesJSONValues() bool
}
