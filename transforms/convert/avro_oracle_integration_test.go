//go:build integration

package convert

import (
	"context"
	"encoding/base64"
	stdjson "encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/transforms/convert/avro"
	"github.com/ferryhq/ferry/transforms/convert/json"
	"github.com/ferryhq/ferry/transforms/convert/schemaregistry/srtest"
)

// TestAvroDataOracle compares ferry's AvroConverter with AvroData (Apicurio's
// fork of Confluent's AvroData; Confluent's jars are not on Maven Central)
// and Apache Avro's writer on the converter oracle's records: the Avro schema
// ferry registers must equal AvroData's (as JSON values; the text too, which
// is counted), and the Avro body after the wire header must be identical.
// Schemaless records are left out: ferry refuses them on purpose (README).
// Where AvroData fails with "Can't redefine: ...ConnectDefault" (this fork
// names every unnamed struct ConnectDefault, so two nested ones clash) and
// ferry numbers them ConnectDefault2, ... as Confluent's later AvroData does,
// the record is counted as a known difference.
func TestAvroDataOracle(t *testing.T) {
	cp := buildOracle(t, "avro-oracle", "AvroOracle")
	reader, err := json.New(nil, false)
	if err != nil {
		t.Fatal(err)
	}
	var records []string
	for _, env := range oracleRecords(t) {
		if !strings.HasPrefix(env, `{"schema":null`) {
			records = append(records, env)
		}
	}
	want := runOracle(t, cp, "AvroOracle", []byte(strings.Join(records, "\n")+"\n"))
	if len(want) != len(records) {
		t.Fatalf("oracle printed %d lines for %d records", len(want), len(records))
	}
	reg := srtest.StandIn(t)
	var diffs, known, sameText, failures int
	for i, env := range records {
		topic := fmt.Sprintf("t%d", i)
		got := ferryAvro(t, reg.URL(), reader, topic, env, func() string {
			ss, _ := reg.GetSchema(topic+"-value", 1)
			return ss.Schema.Schema
		})
		w := want[i]
		if strings.HasPrefix(w, "ERR ") {
			failures++
		}
		ok, textEqual := sameAvro(got, w)
		if textEqual {
			sameText++
		}
		if strings.Contains(w, "Can't redefine: io.confluent.connect.avro.ConnectDefault") && strings.Contains(got, `"ConnectDefault2"`) {
			known++
			continue
		}
		if !ok {
			diffs++
			if diffs <= 15 {
				t.Errorf("record %d\n  input  %s\n  ferry  %s\n  avro   %s", i, env, got, w)
			}
		}
	}
	t.Logf("AvroData oracle: %d records, %d failing in both, %d with identical schema text, %d known differences (ConnectDefault numbering), %d differences",
		len(records), failures, sameText, known, diffs)
	fmt.Printf("AvroData oracle: %d records, %d known differences, %d differences\n", len(records), known, diffs)
}

// ferryAvro converts one envelope as AvroOracle does, in its output form.
func ferryAvro(t *testing.T, url string, reader *json.Converter, topic, env string, schema func() string) string {
	c, err := avro.New(map[string]string{"schema.registry.url": url}, false)
	if err != nil {
		t.Fatal(err)
	}
	s, v, err := reader.ToConnect(context.Background(), "topic", []byte(env))
	if err != nil {
		return "ERR " + err.Error()
	}
	b, err := c.FromConnect(context.Background(), topic, s, v)
	switch {
	case err != nil:
		return "ERR " + err.Error()
	case b == nil:
		return "NULL"
	}
	return "OK " + schema() + "\t" + base64.StdEncoding.EncodeToString(b[5:])
}

// sameAvro: the same outcome, bodies identical and schemas equal as JSON values.
func sameAvro(ferry, oracle string) (ok, textEqual bool) {
	if !strings.HasPrefix(oracle, "OK ") || !strings.HasPrefix(ferry, "OK ") {
		return strings.HasPrefix(ferry, "ERR ") == strings.HasPrefix(oracle, "ERR ") && (ferry == "NULL") == (oracle == "NULL"), false
	}
	fs, fb, _ := strings.Cut(ferry[3:], "\t")
	os, ob, _ := strings.Cut(oracle[3:], "\t")
	var fj, oj any
	if stdjson.Unmarshal([]byte(fs), &fj) != nil || stdjson.Unmarshal([]byte(os), &oj) != nil {
		return false, false
	}
	return fb == ob && reflect.DeepEqual(fj, oj), fs == os
}
