package s3sink

import (
	"compress/gzip"
	"fmt"
	"io"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/connectjson"
)

// format creates the writer of one file and names its extension.
type format interface {
	// extension is the file name suffix, with its leading dot.
	extension() string
	// open starts a file on w for records like first (Parquet takes its
	// schema from first's value schema).
	open(w io.Writer, first *connectors.Record) (recordWriter, error)
}

// recordWriter encodes the records of one file.
type recordWriter interface {
	write(r *connectors.Record) error
	// close writes what the format keeps until the end (Parquet's footer).
	close() error
}

// newFormat builds the format named by cfg.FormatClass.
func newFormat(cfg *Config) (format, error) {
	gz := cfg.Compression == "gzip"
	switch formatOf(cfg.FormatClass) {
	case "json":
		opts := connectjson.Options{ReplaceNullWithDefault: true, DecimalNumeric: strings.EqualFold(cfg.JSONDecimalFormat, "NUMERIC")}
		return lineFormat{ext: ".json", gzip: gz, encode: func(r *connectors.Record) ([]byte, error) {
			return connectjson.Marshal(r.ValueSchema, r.Value, opts)
		}, sep: []byte("\n")}, nil
	case "bytearray":
		return lineFormat{ext: cfg.ByteArrayExt, gzip: gz, encode: rawBytes, sep: []byte(cfg.ByteArraySep)}, nil
	default:
		return newParquetFormat(cfg.ParquetCodec)
	}
}

// rawBytes is ByteArrayConverter: the value must be bytes.
func rawBytes(r *connectors.Record) ([]byte, error) {
	switch v := r.Value.(type) {
	case []byte:
		return v, nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("%w: ByteArrayFormat needs bytes values, got %T: use value.converter=org.apache.kafka.connect.converters.ByteArrayConverter", ErrRecord, r.Value)
}

// lineFormat writes one encoded value per record, each followed by sep, as
// Confluent's JsonFormat (sep "\n") and ByteArrayFormat.
type lineFormat struct {
	ext    string
	gzip   bool
	sep    []byte
	encode func(*connectors.Record) ([]byte, error)
}

func (f lineFormat) extension() string {
	if f.gzip {
		return f.ext + ".gz"
	}
	return f.ext
}

func (f lineFormat) open(w io.Writer, _ *connectors.Record) (recordWriter, error) {
	lw := &lineWriter{f: f, w: w}
	if f.gzip {
		lw.gz = gzip.NewWriter(w)
		lw.w = lw.gz
	}
	return lw, nil
}

type lineWriter struct {
	f  lineFormat
	w  io.Writer
	gz *gzip.Writer
}

func (l *lineWriter) write(r *connectors.Record) error {
	b, err := l.f.encode(r)
	if err != nil {
		return err
	}
	if _, err := l.w.Write(b); err != nil {
		return err
	}
	_, err = l.w.Write(l.f.sep)
	return err
}

func (l *lineWriter) close() error {
	if l.gz != nil {
		return l.gz.Close()
	}
	return nil
}
