package storage

import (
	"compress/gzip"
	"fmt"
	"io"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/connectjson"
)

// Format creates the writer of one file and names its extension.
type Format interface {
	// Extension is the file name suffix, with its leading dot.
	Extension() string
	// Open starts a file on w for records like first (Parquet takes its
	// schema from first's value schema).
	Open(w io.Writer, first *connectors.Record) (RecordWriter, error)
}

// RecordWriter encodes the records of one file.
type RecordWriter interface {
	Write(r *connectors.Record) error
	// Close writes what the format keeps until the end (Parquet's footer).
	Close() error
}

// JSONLines is Confluent's JsonFormat: one JsonConverter value
// (schemas.enable=false) per line; decimals as numbers when decimalNumeric
// (json.decimal.format=NUMERIC); the file gzipped when gz.
func JSONLines(decimalNumeric, gz bool) LineFormat {
	opts := connectjson.Options{ReplaceNullWithDefault: true, DecimalNumeric: decimalNumeric}
	return LineFormat{ext: ".json", gzip: gz, encode: func(dst []byte, r *connectors.Record) ([]byte, error) {
		if r.ValueSchema == nil && r.Value == nil { // connectjson.Marshal's tombstone: no bytes
			return dst, nil
		}
		return connectjson.AppendValue(dst, r.ValueSchema, r.Value, opts)
	}, verbatim: jsonText, sep: []byte("\n")}
}

// jsonText is a value already written as JsonFormat writes it
// (connectors.JSONValueTaker).
func jsonText(r *connectors.Record) ([]byte, bool) {
	if js, ok := r.Value.(*connectors.JSONText); ok {
		return *js, true
	}
	return nil, false
}

// ByteArrayLines is Confluent's ByteArrayFormat: the raw value bytes, each
// followed by sep, in files named with ext; gzipped when gz.
func ByteArrayLines(ext, sep string, gz bool) LineFormat {
	return LineFormat{ext: ext, gzip: gz, encode: rawBytes, verbatim: bytesValue, sep: []byte(sep)}
}

// bytesValue is a bytes value, which ByteArrayFormat writes as it is.
func bytesValue(r *connectors.Record) ([]byte, bool) {
	b, ok := r.Value.([]byte)
	return b, ok
}

// rawBytes is ByteArrayConverter: the value must be bytes.
func rawBytes(dst []byte, r *connectors.Record) ([]byte, error) {
	switch v := r.Value.(type) {
	case []byte:
		return append(dst, v...), nil
	case nil:
		return dst, nil
	}
	return dst, fmt.Errorf("%w: ByteArrayFormat needs bytes values, got %T: use value.converter=org.apache.kafka.connect.converters.ByteArrayConverter", ErrRecord, r.Value)
}

// LineFormat writes one encoded value per record, each followed by sep, as
// Confluent's JsonFormat (sep "\n") and ByteArrayFormat.
type LineFormat struct {
	ext  string
	gzip bool
	sep  []byte
	// encode appends a record's encoded value to dst.
	encode func(dst []byte, r *connectors.Record) ([]byte, error)
	// verbatim returns, when encode would append a record's bytes
	// unchanged, those bytes: they are written as they are, not copied
	// into a line first.
	verbatim func(r *connectors.Record) ([]byte, bool)
}

// Extension is .json, or ByteArrayFormat's extension; .gz is appended when gzipped.
func (f LineFormat) Extension() string {
	if f.gzip {
		return f.ext + ".gz"
	}
	return f.ext
}

// Open starts a file on w.
func (f LineFormat) Open(w io.Writer, _ *connectors.Record) (RecordWriter, error) {
	lw := &lineWriter{f: f, w: w}
	if f.gzip {
		lw.gz = gzip.NewWriter(w)
		lw.w = lw.gz
	}
	return lw, nil
}

type lineWriter struct {
	f  LineFormat
	w  io.Writer
	gz *gzip.Writer
	// line is the record being written and its separator, reused so that a
	// record costs no allocation of its own.
	line []byte
}

// Write writes r's line: bytes the format writes unchanged straight to the
// file (the payload of a connectors.JSONText, a ByteArrayFormat value),
// anything else encoded into line first.
func (l *lineWriter) Write(r *connectors.Record) error {
	if b, ok := l.f.verbatim(r); ok {
		if _, err := l.w.Write(b); err != nil {
			return err
		}
		_, err := l.w.Write(l.f.sep)
		return err
	}
	b, err := l.f.encode(l.line[:0], r)
	if err != nil {
		return err
	}
	l.line = append(b, l.f.sep...)
	_, err = l.w.Write(l.line)
	return err
}

func (l *lineWriter) Close() error {
	if l.gz != nil {
		return l.gz.Close()
	}
	return nil
}
