// Package redis re-implements the Redis Kafka connector
// (com.redis.kafka.connect): RedisSinkConnector writes records into Redis
// data structures and RedisStreamSourceConnector reads a Redis stream into
// Kafka, both with that connector's class names and config keys, on
// go-redis.
package redis

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	goredis "github.com/redis/go-redis/v9"
)

// ErrUnsupported is wrapped when the server lacks a command the config needs
// (JSON.SET without RedisJSON, TS.ADD without RedisTimeSeries): load the
// module or choose another redis.type.
var ErrUnsupported = errors.New("redis server does not support the command")

// ErrConnect is wrapped (retriable) when Redis cannot be reached.
var ErrConnect = errors.New("cannot reach redis")

// Conn holds the connection keys both connectors share (RedisConfigDef).
type Conn struct {
	URI      string `config:"redis.uri" default:"" importance:"medium" group:"Redis" doc:"URI of the Redis database to connect to, e.g. redis://host:6379/0; rediss:// for TLS. Overrides redis.host and redis.port when set."`
	Host     string `config:"redis.host" default:"localhost" importance:"high" group:"Redis" doc:"The Redis host to connect to (when redis.uri is empty)."`
	Port     int    `config:"redis.port" default:"6379" min:"1" max:"65535" importance:"high" group:"Redis" doc:"The Redis port to connect to (when redis.uri is empty)."`
	Username string `config:"redis.username" default:"" importance:"medium" group:"Redis" doc:"Username to use to connect to Redis."`
	Password string `config:"redis.password" default:"" type:"PASSWORD" importance:"medium" group:"Redis" doc:"Password to use to connect to Redis."`
	Timeout  int64  `config:"redis.timeout" default:"60" min:"1" importance:"medium" group:"Redis" doc:"Redis command timeout in seconds."`
	Pool     int    `config:"redis.pool" default:"8" min:"1" max:"1024" importance:"medium" group:"Redis" doc:"Max pool connections."`
	TLS      bool   `config:"redis.tls" default:"false" importance:"medium" group:"Redis" doc:"Establish a secure TLS connection."`
	Insecure bool   `config:"redis.insecure" default:"false" importance:"medium" group:"Redis" doc:"Allow insecure connections (invalid certificates) to Redis when using TLS."`
	Cluster  bool   `config:"redis.cluster" default:"false" importance:"medium" group:"Redis" doc:"Connect to a Redis Cluster database. Not supported by ferry: must be false."`
}

// check refuses what ferry does not implement and a URI go-redis cannot read.
func (c *Conn) check() connectors.ConfigErrors {
	var errs connectors.ConfigErrors
	if c.Cluster {
		errs = append(errs, &connectors.ConfigError{Key: "redis.cluster", Value: "true", Reason: "Redis Cluster is not supported by ferry; connect to a single endpoint"})
	}
	if c.URI != "" {
		if _, err := goredis.ParseURL(c.URI); err != nil {
			errs = append(errs, &connectors.ConfigError{Key: "redis.uri", Value: c.URI, Reason: err.Error()})
		}
	}
	return errs
}

// options returns the go-redis options of the connection keys.
func (c *Conn) options() *goredis.Options {
	var o *goredis.Options
	if c.URI != "" {
		o, _ = goredis.ParseURL(c.URI) // checked by check
	} else {
		o = &goredis.Options{Addr: net.JoinHostPort(c.Host, strconv.Itoa(c.Port))}
	}
	if c.Username != "" {
		o.Username = c.Username
	}
	if c.Password != "" {
		o.Password = c.Password
	}
	if c.TLS && o.TLSConfig == nil {
		o.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if o.TLSConfig != nil && c.Insecure {
		o.TLSConfig.InsecureSkipVerify = true
	}
	d := time.Duration(c.Timeout) * time.Second
	o.ReadTimeout, o.WriteTimeout, o.DialTimeout = d, d, min(d, 10*time.Second)
	o.PoolSize = c.Pool
	o.MaxRetries = -1 // the runtime retries with errors.retry.*
	return o
}

// connect opens a client and pings it; an unreachable server is retriable.
func (c *Conn) connect(ctx context.Context) (*goredis.Client, error) {
	cl := goredis.NewClient(c.options())
	if err := cl.Ping(ctx).Err(); err != nil {
		cl.Close()
		return nil, connectors.Retriable(fmt.Errorf("%w at %s: %w", ErrConnect, cl.Options().Addr, err))
	}
	return cl, nil
}

// supports reports whether the server knows command (COMMAND INFO).
func supports(ctx context.Context, cl *goredis.Client, command string) (bool, error) {
	info, err := cl.Do(ctx, "COMMAND", "INFO", command).Slice()
	if err != nil {
		return false, transient(err)
	}
	return len(info) == 1 && info[0] != nil, nil
}

// transient classifies a Redis error: network failures and timeouts are
// retriable; a server reply error (WRONGTYPE, OOM, …) is not.
func transient(err error) error {
	var reply goredis.Error
	if errors.As(err, &reply) && !isLoading(reply) {
		return err
	}
	return connectors.Retriable(err)
}

// isLoading is a reply that passes on retry (the server is starting or a replica is syncing).
func isLoading(e goredis.Error) bool {
	msg := e.Error()
	return strings.HasPrefix(msg, "LOADING") || strings.HasPrefix(msg, "TRYAGAIN") || strings.HasPrefix(msg, "MASTERDOWN") || strings.HasPrefix(msg, "BUSY")
}
