//go:build ferry_noavro

package convert

import (
	"errors"
	"strings"
	"testing"
)

// TestAvroLeftOut: with the ferry_noavro tag, AvroConverter is an unknown
// class whose error lists the converters the build has.
func TestAvroLeftOut(t *testing.T) {
	for _, name := range []string{"io.confluent.connect.avro.AvroConverter", "AvroConverter"} {
		_, err := Lookup(name)
		if !errors.Is(err, ErrUnknownConverter) || !strings.Contains(err.Error(), "org.apache.kafka.connect.json.JsonConverter") {
			t.Errorf("Lookup(%q) = %v, want ErrUnknownConverter listing JsonConverter", name, err)
		}
	}
	for _, d := range Plugins() {
		if d.Class == "" || strings.Contains(d.Class, "Avro") {
			t.Errorf("Plugins() lists %q", d.Class)
		}
	}
}
