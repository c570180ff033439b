package jdbc

import (
	"context"
	"net"
	"testing"
	"time"
)

// The task split connects to the database while serving a REST request: it
// must give up at the request's deadline, not after its own 20 s listing
// bound. The "database" here accepts connections and never answers.
func TestSplitHonoursTheRequestDeadline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, silent, until the listener closes
		}
	}()
	props := map[string]string{"connection.url": "jdbc:postgresql://" + ln.Addr().String() + "/db",
		"connection.user": "u", "connection.password": "p", "topic.prefix": "p-", "mode": "bulk"}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = Connector{}.TaskConfigs(ctx, props, 2)
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("split took %s with a 300ms request deadline", took)
	}
	if err == nil {
		t.Fatal("split against a silent database succeeded")
	}
}
