package s3sink

import (
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/storage"
)

// Class names of the formats and partitioners, as Confluent ships them.
const (
	JSONFormat      = "io.confluent.connect.s3.format.json.JsonFormat"
	ParquetFormat   = "io.confluent.connect.s3.format.parquet.ParquetFormat"
	ByteArrayFormat = "io.confluent.connect.s3.format.bytearray.ByteArrayFormat"

	DefaultPartitioner   = storage.DefaultPartitioner
	FieldPartitioner     = storage.FieldPartitioner
	TimeBasedPartitioner = storage.TimeBasedPartitioner
	HourlyPartitioner    = storage.HourlyPartitioner
	DailyPartitioner     = storage.DailyPartitioner
)

// Config is S3SinkConnector's configuration: Confluent's key names, defaults
// and meanings. topics and topics.regex are framework keys.
type Config struct {
	Bucket       string `config:"s3.bucket.name" required:"true" importance:"high" group:"S3" doc:"The S3 Bucket."`
	Region       string `config:"s3.region" default:"us-west-2" importance:"medium" group:"S3" doc:"The AWS region to be used the connector."`
	StoreURL     string `config:"store.url" default:"" importance:"high" group:"S3" doc:"Store's connection URL, if applicable: the endpoint of an S3-compatible store."`
	PathStyle    bool   `config:"s3.path.style.access.enabled" default:"true" importance:"low" group:"S3" doc:"Specifies whether or not to enable path style access to the bucket used by the connector."`
	PartSize     int    `config:"s3.part.size" default:"26214400" min:"5242880" max:"2147483647" importance:"high" group:"S3" doc:"The Part Size in S3 Multi-part Uploads."`
	AccessKey    string `config:"aws.access.key.id" default:"" importance:"high" group:"S3" doc:"The AWS access key ID used to authenticate; empty uses the default credentials chain (AWS_ACCESS_KEY_ID, ...)."`
	SecretKey    string `config:"aws.secret.access.key" default:"" type:"PASSWORD" importance:"high" group:"S3" doc:"The secret access key used to authenticate."`
	Compression  string `config:"s3.compression.type" default:"none" enum:"none,gzip" importance:"low" group:"S3" doc:"Compression type for files written to S3 (JsonFormat and ByteArrayFormat): none or gzip."`
	NullValues   string `config:"behavior.on.null.values" default:"fail" enum:"fail,ignore" importance:"low" group:"S3" doc:"How to handle records with a null value (tombstones): fail the task or ignore the record."`
	StorageClass string `config:"storage.class" default:"io.confluent.connect.s3.storage.S3Storage" type:"CLASS" importance:"high" group:"Storage" doc:"The underlying storage layer (only S3Storage)."`
	TopicsDir    string `config:"topics.dir" default:"topics" importance:"high" group:"Storage" doc:"Top level directory to store the data ingested from Kafka."`
	DirDelim     string `config:"directory.delim" default:"/" importance:"medium" group:"Storage" doc:"Directory delimiter pattern."`
	FileDelim    string `config:"file.delim" default:"+" importance:"medium" group:"Storage" doc:"File delimiter pattern."`
	ZeroPad      int    `config:"filename.offset.zero.pad.width" default:"10" min:"0" importance:"low" group:"Storage" doc:"Width to zero-pad offsets in store's filenames if offsets are too short."`

	FormatClass       string `config:"format.class" required:"true" type:"CLASS" importance:"high" group:"Connector" doc:"The format class to use when writing data to the store: JsonFormat, ParquetFormat or ByteArrayFormat."`
	FlushSize         int    `config:"flush.size" required:"true" min:"1" importance:"high" group:"Connector" doc:"Number of records written to store before invoking file commits."`
	RotateInterval    int64  `config:"rotate.interval.ms" default:"-1" importance:"high" group:"Connector" doc:"The time interval in milliseconds to invoke file commits, measured on record timestamps."`
	RotateSchedule    int64  `config:"rotate.schedule.interval.ms" default:"-1" importance:"medium" group:"Connector" doc:"The time interval in milliseconds to periodically invoke file commits, on the wall clock."`
	SchemaCompat      string `config:"schema.compatibility" default:"NONE" enum:"NONE,BACKWARD,FORWARD,FULL" importance:"high" group:"Schema" doc:"The schema compatibility rule; a record whose value schema differs from the open file's commits the file first."`
	ParquetCodec      string `config:"parquet.codec" default:"snappy" enum:"none,uncompressed,snappy,gzip,lz4,zstd" importance:"low" group:"Connector" doc:"The Parquet compression codec to be used for output files."`
	ByteArrayExt      string `config:"format.bytearray.extension" default:".bin" importance:"low" group:"Connector" doc:"Output file extension for ByteArrayFormat."`
	ByteArraySep      string `config:"format.bytearray.separator" default:"\n" importance:"low" group:"Connector" doc:"String inserted between records for ByteArrayFormat."`
	JSONDecimalFormat string `config:"json.decimal.format" default:"BASE64" enum:"BASE64,NUMERIC" importance:"low" group:"Connector" doc:"Serialization format of Decimal values in JsonFormat."`

	storage.PartitionerConfig
}

// Check applies the rules Parse cannot express, naming the key to fix.
func (c *Config) Check() error {
	var errs connectors.ConfigErrors
	bad := func(key, val, why string) {
		errs = append(errs, &connectors.ConfigError{Key: key, Value: val, Reason: why})
	}
	if formatOf(c.FormatClass) == "" {
		bad("format.class", c.FormatClass, "ferry supports JsonFormat, ParquetFormat and ByteArrayFormat")
	}
	errs = append(errs, c.PartitionerConfig.Check()...)
	if !strings.HasSuffix(c.StorageClass, "S3Storage") {
		bad("storage.class", c.StorageClass, "ferry supports io.confluent.connect.s3.storage.S3Storage only")
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// simpleName returns the part of a class name after its last dot.
func simpleName(class string) string { return class[strings.LastIndex(class, ".")+1:] }

// formatOf maps a format.class (full or simple name) to json, parquet or bytearray.
func formatOf(class string) string {
	switch simpleName(class) {
	case "JsonFormat":
		return "json"
	case "ParquetFormat":
		return "parquet"
	case "ByteArrayFormat":
		return "bytearray"
	}
	return ""
}

// newFormat builds the format named by cfg.FormatClass.
func newFormat(cfg *Config) (storage.Format, error) {
	gz := cfg.Compression == "gzip"
	switch formatOf(cfg.FormatClass) {
	case "json":
		return storage.JSONLines(strings.EqualFold(cfg.JSONDecimalFormat, "NUMERIC"), gz), nil
	case "bytearray":
		return storage.ByteArrayLines(cfg.ByteArrayExt, cfg.ByteArraySep, gz), nil
	default:
		return storage.NewParquetFormat(cfg.ParquetCodec)
	}
}
