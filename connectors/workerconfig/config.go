// Package workerconfig is ferry's one declared worker configuration: Kafka
// Connect's worker keys (bootstrap.servers, group.id, listeners, converters,
// config.providers, ...) and ferry's own (ferry.*), declared once as struct
// tags read by connectors.Declare, so defaults, validation, flags, FERRY_*
// environment variables and the generated reference all come from here.
//
// Every command reads it the same way (Load): a worker .properties file
// (Kafka Connect's connect-distributed.properties works unchanged), then
// FERRY_* environment variables, then flags, which may appear anywhere on
// the command line. ${provider:path:key} placeholders are resolved with the
// worker's own config.providers.
package workerconfig

// Config is the declared worker configuration. Each embedded group is one
// area; a key's flag is its name without "ferry." and with dots as dashes
// unless the flag tag says otherwise, and its environment variable is FERRY_
// and the flag in upper case with underscores.
type Config struct {
	Kafka
	Storage
	Converters
	REST
	NATS
	Runtime
	Lambda
}

// Kafka are the worker's Kafka settings ferry honours itself. Client keys
// (security.protocol, ssl.*, sasl.*, producer./consumer./admin. overrides)
// are kept as given in Worker.Props, which connectors/kafkaclient reads.
type Kafka struct {
	BootstrapServers []string `config:"bootstrap.servers" importance:"high" doc:"Kafka bootstrap servers, comma-separated. ferry standalone starts an embedded development broker when none is given."`
	GroupID          string   `config:"group.id" importance:"high" doc:"The worker group's id. Exactly-once source tasks name their transactional producers <group.id>-<connector>-<task> (ferry-... when unset)."`
	OffsetsTopic     string   `config:"offset.storage.topic" doc:"The Kafka topic of source offsets (connect-offsets when unset): exactly-once sources write their offsets there, and so does every source with ferry.state=kafka; a connector's offsets.storage.topic overrides it for exactly-once sources."`
	TopicTracking    bool     `config:"topic.tracking.enable" default:"true" doc:"Serve GET /connectors/{name}/topics (KIP-558)."`
	TopicReset       bool     `config:"topic.tracking.allow.reset" default:"true" doc:"Allow PUT /connectors/{name}/topics/reset."`
}

// Storage are Kafka Connect's internal topics, ferry's state store when
// ferry.state=kafka: created as Kafka Connect creates them (compacted; one
// config partition) when missing, refused when they exist with settings that
// would lose data. A replication factor of -1 takes the broker's default.
type Storage struct {
	ConfigTopic       string `config:"config.storage.topic" default:"connect-configs" doc:"With ferry.state=kafka: the topic of connector configs, task configs and target states (Kafka Connect's format; one partition)."`
	ConfigRF          int16  `config:"config.storage.replication.factor" default:"3" min:"-1" doc:"Replication factor of the config topic when ferry creates it (lowered to the broker count, with a warning, on smaller clusters)."`
	OffsetsRF         int16  `config:"offset.storage.replication.factor" default:"3" min:"-1" doc:"Replication factor of the offsets topic when ferry creates it."`
	OffsetsPartitions int32  `config:"offset.storage.partitions" default:"25" min:"1" doc:"Partitions of the offsets topic when ferry creates it."`
	StatusTopic       string `config:"status.storage.topic" default:"connect-status" doc:"With ferry.state=kafka: the topic of connector and task statuses (Kafka Connect's format)."`
	StatusRF          int16  `config:"status.storage.replication.factor" default:"3" min:"-1" doc:"Replication factor of the status topic when ferry creates it."`
	StatusPartitions  int32  `config:"status.storage.partitions" default:"5" min:"1" doc:"Partitions of the status topic when ferry creates it."`
	FerryTopic        string `config:"ferry.storage.topic" doc:"With ferry.state=kafka: the topic of ferry's own records Kafka Connect has none for (task epochs, task-config generations, invocation signing keys); <config.storage.topic>.ferry when empty. Compacted, one partition."`
}

// Converters are the worker-level converter defaults; a connector's own
// key.converter, value.converter and header.converter override them, and
// their settings (value.converter.schemas.enable, ...) pass through as given.
type Converters struct {
	KeyConverter    string   `config:"key.converter" type:"CLASS" default:"org.apache.kafka.connect.json.JsonConverter" importance:"high" doc:"Converter of record keys for connectors that do not set their own."`
	ValueConverter  string   `config:"value.converter" type:"CLASS" default:"org.apache.kafka.connect.json.JsonConverter" importance:"high" doc:"Converter of record values for connectors that do not set their own."`
	HeaderConverter string   `config:"header.converter" type:"CLASS" default:"org.apache.kafka.connect.storage.SimpleHeaderConverter" importance:"low" doc:"Converter of record headers for connectors that do not set their own."`
	ConfigProviders []string `config:"config.providers" doc:"Config providers (aliases) that resolve ${alias:path:key} placeholders in worker and connector configs, each declared with config.providers.<alias>.class and .param.* keys."`
	// ConnectorProviders is configprovider.ConnectorProvidersKey.
	ConnectorProviders bool `config:"ferry.connector.config.providers.enable" default:"false" doc:"Let connector configs declare config.providers of their own. Off, as in Kafka Connect (providers only in the worker). When on, a connector may use only provider classes the worker declares, with the worker's parameters, narrowing allowed.paths at most."`
}

// REST secures the REST listener (Kafka Connect's listeners and
// listeners.https.ssl.* keys; the top-level ssl.keystore.* keys are used
// when the listeners.https. ones are not set, as in Kafka Connect).
type REST struct {
	Listeners           []string `config:"listeners" default:"http://0.0.0.0:8083" importance:"high" doc:"REST listener URL, http://host:port or https://host:port; the first one is served."`
	KeystoreLocation    string   `config:"listeners.https.ssl.keystore.location" flag:"ssl-keystore-location" doc:"https listener keystore: a PKCS12 or PEM file."`
	KeystoreType        string   `config:"listeners.https.ssl.keystore.type" flag:"ssl-keystore-type" enum:",PKCS12,PEM,JKS" doc:"Keystore type: PKCS12 (when empty) or PEM; JKS is refused with the conversion command."`
	KeystorePassword    string   `config:"listeners.https.ssl.keystore.password" type:"PASSWORD" flag:"ssl-keystore-password" doc:"Keystore password."`
	KeyPassword         string   `config:"listeners.https.ssl.key.password" type:"PASSWORD" flag:"ssl-key-password" doc:"Private key password (PKCS12: defaults to the keystore password)."`
	CertificateLocation string   `config:"listeners.https.ssl.certificate.location" flag:"ssl-certificate-location" doc:"https listener PEM certificate chain file, instead of a keystore (ferry's key)."`
	KeyLocation         string   `config:"listeners.https.ssl.key.location" flag:"ssl-key-location" doc:"https listener PEM private key file, with the certificate location (ferry's key)."`
	CredentialsFile     string   `config:"rest.basic.auth.credentials.file" flag:"rest-basic-auth-file" doc:"HTTP basic auth credentials file in the JAAS PropertyFileLoginModule format Kafka Connect's BasicAuthSecurityRestExtension reads: lines 'user: password[,role...]'."`
	AllowOrigin         string   `config:"access.control.allow.origin" doc:"CORS allowed origins, comma-separated or *."`
	AllowMethods        string   `config:"access.control.allow.methods" doc:"CORS allowed methods (GET,POST,HEAD when empty)."`
}

// NATS is where invocations travel and how ferry authenticates there.
type NATS struct {
	NATSURL      string `config:"ferry.nats.url" importance:"high" doc:"NATS server URL(s), comma-separated. ferry standalone starts an embedded server on loopback with a random secret when empty."`
	NATSSubject  string `config:"ferry.nats.subject" default:"ferry.invoke" doc:"NATS subject of invocations; clusters sharing one NATS server need different ones."`
	NATSUser     string `config:"ferry.nats.user" doc:"NATS user name (with ferry.nats.password)."`
	NATSPassword string `config:"ferry.nats.password" type:"PASSWORD" doc:"NATS password."`
	NATSToken    string `config:"ferry.nats.token" type:"PASSWORD" doc:"NATS authentication token."`
	NATSNKeyFile string `config:"ferry.nats.nkey.seed.file" flag:"nats-nkey-file" doc:"File holding an NKey seed (SU...) to authenticate with."`
	NATSCreds    string `config:"ferry.nats.creds.file" flag:"nats-creds" doc:"NATS user credentials file (JWT and NKey seed, as nsc writes it)."`
	NATSCAFile   string `config:"ferry.nats.tls.ca.file" flag:"nats-tls-ca" doc:"PEM file of the CA that signed the NATS server's certificate."`
	NATSCertFile string `config:"ferry.nats.tls.cert.file" flag:"nats-tls-cert" doc:"PEM client certificate for NATS TLS client authentication."`
	NATSKeyFile  string `config:"ferry.nats.tls.key.file" flag:"nats-tls-key" doc:"PEM private key of the NATS client certificate."`
}

// Runtime are ferry's own process settings.
type Runtime struct {
	State             string `config:"ferry.state" importance:"high" doc:"State store: kafka (Kafka Connect's internal topics on bootstrap.servers), kafka://host:port,..., redis://host:port/db or file:DIR (ferry standalone: DATA_DIR/state)."`
	DataDir           string `config:"ferry.data.dir" default:"./ferry-data" doc:"ferry standalone: directory of its state and the development broker's data."`
	Concurrency       int    `config:"ferry.concurrency" default:"8" min:"1" max:"4096" doc:"Invocations a ferry worker (or lambda-bridge) runs at once."`
	MaxRecords        int    `config:"ferry.max.records" default:"100000" min:"1" doc:"Records one invocation may read before it returns with more=true."`
	InvocationTimeout int64  `config:"ferry.invocation.timeout.ms" unit:"ms" default:"10000" min:"100" doc:"Deadline of each invocation, in milliseconds (flags and environment also take 10s, 1m)."`
	LogLevel          string `config:"ferry.log.level" default:"info" enum:"debug,info,warn,error" doc:"Log level."`
	MetricsListeners  string `config:"ferry.metrics.listeners" doc:"Extra plain-HTTP listener (host:port) serving /metrics and /health (ferry worker: also /ready) without authentication."`
	MetricsEnable     bool   `config:"ferry.metrics.enable" default:"true" doc:"Collect and serve Prometheus metrics (false turns them off; /metrics then answers 404)."`
	Dispatch          string `config:"ferry.dispatch" default:"nats" enum:"nats,lambda" doc:"ferry scheduler: where invocations go, nats (ferry worker, ferry lambda-bridge) or lambda (the Invoke API)."`
	SchedulerShards   int    `config:"ferry.scheduler.shards" default:"1" min:"1" max:"1024" doc:"ferry scheduler: shards of the connectors that several schedulers on one store split among themselves, each shard dispatched by one scheduler at a time and moved when a scheduler joins, leaves or dies (within the lease time). 1: one scheduler dispatches everything and the others stand by. Every scheduler sharing a store must use the same value; above 1 the store must be Redis."`
}

// Lambda configures Lambda dispatch (ferry scheduler --dispatch lambda, ferry
// lambda-bridge) and the Lambda function itself.
type Lambda struct {
	LambdaFunction    string `config:"ferry.lambda.function" doc:"Lambda function name or ARN to invoke."`
	LambdaEndpoint    string `config:"ferry.lambda.endpoint" doc:"Lambda API endpoint for emulators (http://127.0.0.1:9001); empty means AWS."`
	LambdaConcurrency int    `config:"ferry.lambda.concurrency" default:"10" min:"1" doc:"Lambda invocations in flight per connector."`
	LambdaMaxInFlight int    `config:"ferry.lambda.max.in.flight" default:"0" min:"0" doc:"Lambda invocations in flight in total, like the function's reserved concurrency (0: no bound; 1 for the emulator)."`
	LambdaRetries     int    `config:"ferry.lambda.retries" default:"6" min:"0" doc:"Retries of a throttled invocation, backing off from 200ms doubling to 10s."`
	LambdaMargin      int64  `config:"ferry.lambda.margin.ms" unit:"ms" default:"500" min:"0" doc:"The Lambda function keeps this much of its remaining time free to commit and reply, in milliseconds."`
}
