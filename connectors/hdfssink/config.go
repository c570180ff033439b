package hdfssink

import (
	"net/url"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/connectors/storage"
)

// Class names of the formats, as Confluent ships them (the hdfs3 and the
// older hdfs package names are both accepted, by simple name).
const (
	JSONFormat    = "io.confluent.connect.hdfs3.json.JsonFormat"
	ParquetFormat = "io.confluent.connect.hdfs3.parquet.ParquetFormat"
	AvroFormat    = "io.confluent.connect.hdfs3.avro.AvroFormat"
)

// Config is Hdfs3SinkConnector's configuration: Confluent's key names,
// defaults and meanings. topics and topics.regex are framework keys.
type Config struct {
	URL          string `config:"hdfs.url" required:"true" importance:"high" group:"HDFS" doc:"The HDFS connection URL, hdfs://<namenode host>:<port>; a user may be given as hdfs://<user>@<host>:<port> (else HADOOP_USER_NAME, else the OS user)."`
	HadoopConf   string `config:"hadoop.conf.dir" default:"" importance:"high" group:"HDFS" doc:"The Hadoop configuration directory. Not supported by ferry: everything it needs is in hdfs.url."`
	HadoopHome   string `config:"hadoop.home" default:"" importance:"high" group:"HDFS" doc:"The Hadoop home directory. Not used by ferry (no Hadoop installation is needed)."`
	Kerberos     bool   `config:"hdfs.authentication.kerberos" default:"false" importance:"high" group:"Security" doc:"Whether HDFS uses Kerberos authentication. Not supported by ferry: leave false."`
	TopicsDir    string `config:"topics.dir" default:"topics" importance:"high" group:"Storage" doc:"Top level directory to store the data ingested from Kafka."`
	LogsDir      string `config:"logs.dir" default:"logs" importance:"high" group:"Storage" doc:"Top level directory to store the write ahead logs. ferry needs no write ahead log (files are committed by an atomic rename to names that carry their offsets); the key is accepted for compatibility."`
	StorageClass string `config:"storage.class" default:"io.confluent.connect.hdfs3.storage.HdfsStorage" type:"CLASS" importance:"high" group:"Storage" doc:"The underlying storage layer (only HdfsStorage)."`
	DirDelim     string `config:"directory.delim" default:"/" importance:"medium" group:"Storage" doc:"Directory delimiter pattern."`
	ZeroPad      int    `config:"filename.offset.zero.pad.width" default:"10" min:"0" importance:"low" group:"Storage" doc:"Width to zero-pad offsets in HDFS filenames if offsets are too short."`

	FormatClass    string `config:"format.class" default:"io.confluent.connect.hdfs3.avro.AvroFormat" type:"CLASS" importance:"high" group:"Connector" doc:"The format class to use when writing data to HDFS: JsonFormat or ParquetFormat (ferry does not write Avro files)."`
	FlushSize      int    `config:"flush.size" required:"true" min:"1" importance:"high" group:"Connector" doc:"Number of records written to HDFS before invoking file commits."`
	RotateInterval int64  `config:"rotate.interval.ms" default:"-1" importance:"high" group:"Connector" doc:"The time interval in milliseconds to invoke file commits, measured on record timestamps."`
	RotateSchedule int64  `config:"rotate.schedule.interval.ms" default:"-1" importance:"medium" group:"Connector" doc:"The time interval in milliseconds to periodically invoke file commits, on the wall clock."`
	ParquetCodec   string `config:"parquet.codec" default:"snappy" enum:"none,uncompressed,snappy,gzip,lz4,zstd" importance:"low" group:"Connector" doc:"The Parquet compression codec to be used for output files."`
	JSONDecimal    string `config:"json.decimal.format" default:"BASE64" enum:"BASE64,NUMERIC" importance:"low" group:"Connector" doc:"Serialization format of Decimal values in JsonFormat."`

	storage.PartitionerConfig
}

// Check applies the rules Parse cannot express, naming the key to fix.
func (c *Config) Check() error {
	var errs connectors.ConfigErrors
	bad := func(key, val, why string) {
		errs = append(errs, &connectors.ConfigError{Key: key, Value: val, Reason: why})
	}
	if u, err := url.Parse(c.URL); err != nil || u.Scheme != "hdfs" || u.Host == "" {
		bad("hdfs.url", c.URL, "must be hdfs://<namenode host>:<port>")
	}
	if c.HadoopConf != "" {
		bad("hadoop.conf.dir", c.HadoopConf, "ferry reads no Hadoop configuration files: put the NameNode address in hdfs.url and remove hadoop.conf.dir")
	}
	if c.Kerberos {
		bad("hdfs.authentication.kerberos", "true", "ferry does not support Kerberos for HDFS yet")
	}
	if formatOf(c.FormatClass) == "" {
		bad("format.class", c.FormatClass, "ferry supports JsonFormat and ParquetFormat (io.confluent.connect.hdfs3.json.JsonFormat, io.confluent.connect.hdfs3.parquet.ParquetFormat)")
	}
	if !strings.HasSuffix(c.StorageClass, "HdfsStorage") {
		bad("storage.class", c.StorageClass, "ferry supports io.confluent.connect.hdfs3.storage.HdfsStorage only")
	}
	errs = append(errs, c.PartitionerConfig.Check()...)
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// formatOf maps a format.class (full or simple name) to json or parquet.
func formatOf(class string) string {
	switch class[strings.LastIndex(class, ".")+1:] {
	case "JsonFormat":
		return "json"
	case "ParquetFormat":
		return "parquet"
	}
	return ""
}

// newFormat builds the format named by cfg.FormatClass. Confluent's HDFS
// ParquetFormat names files .parquet whatever the codec.
func newFormat(cfg *Config) (storage.Format, string, error) {
	if formatOf(cfg.FormatClass) == "json" {
		return storage.JSONLines(strings.EqualFold(cfg.JSONDecimal, "NUMERIC"), false), ".json", nil
	}
	f, err := storage.NewParquetFormat(cfg.ParquetCodec)
	return f, ".parquet", err
}
