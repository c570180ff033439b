package connectors_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ferryhq/ferry/connectors"
)

// Config is a connector's own keys, declared once as struct tags.
type Config struct {
	URL      string `config:"http.url" required:"true" importance:"high" doc:"Where the records go."`
	Retries  int    `config:"max.retries" default:"3" min:"0" max:"10" doc:"How often a failed request is tried again."`
	Password string `config:"http.password" type:"PASSWORD" doc:"Basic authentication password."`
}

// Check applies the rules the tags cannot express (connectors.Checker).
func (c *Config) Check() error {
	if !strings.HasPrefix(c.URL, "http") {
		return connectors.ConfigErrors{{Key: "http.url", Value: c.URL, Reason: "must be an http or https URL"}}
	}
	return nil
}

// A connector parses its config in TaskConfigs and in its task's Open:
// defaults filled, every bad key reported with its value.
func ExampleParseChecked() {
	var cfg Config
	err := connectors.ParseChecked("http sink", map[string]string{"http.url": "https://example.com"}, &cfg)
	fmt.Println(cfg.URL, cfg.Retries, err)

	err = connectors.ParseChecked("http sink", map[string]string{"http.url": "ftp://x", "max.retries": "11"}, &cfg)
	fmt.Println(err)
	// Output:
	// https://example.com 3 <nil>
	// http sink config: Invalid value 11 for configuration max.retries: Value must be no more than 10
}

// The declaration is what /config/validate and the generated docs show.
func ExampleDeclare() {
	for _, k := range connectors.Declare(Config{}).Keys {
		fmt.Printf("%s %s required=%t default=%q\n", k.Name, k.Type, k.Required, k.Default)
	}
	// Output:
	// http.url STRING required=true default=""
	// max.retries INT required=false default="3"
	// http.password PASSWORD required=false default=""
}

// A failure that may pass when tried again is wrapped with Retriable: the
// runtime retries it for errors.retry.timeout; any other error is permanent.
func ExampleRetriable() {
	err := fmt.Errorf("writing batch: %w", connectors.Retriable(errors.New("503 Service Unavailable")))
	fmt.Println(connectors.IsRetriable(err), connectors.IsRetriable(errors.New("400 Bad Request")))
	// Output: true false
}

// A registry finds a plugin by class name, simple name, or the simple name
// without "Connector".
func ExampleNewRegistry() {
	reg := connectors.NewRegistry(connectors.Plugin{Class: "com.example.HttpSinkConnector", Type: connectors.TypeSink,
		NewConnector: func() connectors.Connector { return nil }})
	for _, name := range []string{"com.example.HttpSinkConnector", "HttpSinkConnector", "HttpSink", "Http"} {
		_, err := reg.Lookup(name)
		fmt.Println(name, err == nil)
	}
	// Output:
	// com.example.HttpSinkConnector true
	// HttpSinkConnector true
	// HttpSink true
	// Http false
}

// SameTaskConfigs is the split of a sink whose tasks differ only in the
// topic-partitions the runtime assigns them.
func ExampleSameTaskConfigs() {
	split := connectors.SameTaskConfigs(map[string]string{"topics": "orders"}, 3)
	fmt.Println(len(split), split[2]["topics"])
	// Output: 3 orders
}

// A sink that cannot write some records names them; the rest count as written.
func ExampleRejectedError() {
	bad := &connectors.Record{Topic: "orders", Offset: 7}
	var err error = &connectors.RejectedError{Rejected: []connectors.RejectedRecord{{Record: bad, Err: errors.New("not JSON")}}}
	var rej *connectors.RejectedError
	fmt.Println(errors.As(err, &rej), rej.Rejected[0].Record.Offset, err)
	// Output: true 7 sink rejected 1 record: not JSON
}
