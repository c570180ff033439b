package convert

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/transforms/convert/bytearray"
	"github.com/ferryhq/ferry/transforms/convert/json"
	"github.com/ferryhq/ferry/transforms/convert/jsonschema"
	"github.com/ferryhq/ferry/transforms/convert/simpleheader"
	"github.com/ferryhq/ferry/transforms/convert/stringconv"
)

// Descriptor describes one converter class in one role, for resolution and
// for GET /connector-plugins.
type Descriptor struct {
	// Class is the full Kafka Connect class name.
	Class string
	// Type is TypeConverter or TypeHeaderConverter.
	Type connectors.PluginType
	// Config is a zero value of the converter's config struct (see connectors.Declare).
	Config any
	// New builds a key (isKey) or value converter; nil when the class is only a header converter.
	New func(props map[string]string, isKey bool) (Converter, error)
	// NewHeader builds a header converter; nil when the class cannot convert headers.
	NewHeader func(props map[string]string) (HeaderConverter, error)
}

// classes lists every converter ferry ships; a class that is both a Converter
// and a HeaderConverter has both constructors. A build may leave one out: the
// ferry_noavro tag empties avroDescriptor (avro_on.go, avro_off.go), and
// present drops it.
var classes = present([]Descriptor{
	{
		Class: json.Class, Config: json.Config{},
		New:       func(p map[string]string, k bool) (Converter, error) { return nilIfErr(json.New(p, k)) },
		NewHeader: func(p map[string]string) (HeaderConverter, error) { return nilIfErrH(json.NewHeader(p)) },
	},
	{
		Class: stringconv.Class, Config: stringconv.Config{},
		New:       func(p map[string]string, k bool) (Converter, error) { return nilIfErr(stringconv.New(p, k)) },
		NewHeader: func(p map[string]string) (HeaderConverter, error) { return nilIfErrH(stringconv.NewHeader(p)) },
	},
	{
		Class: bytearray.Class, Config: bytearray.Config{},
		New:       func(p map[string]string, k bool) (Converter, error) { return nilIfErr(bytearray.New(p, k)) },
		NewHeader: func(p map[string]string) (HeaderConverter, error) { return nilIfErrH(bytearray.NewHeader(p)) },
	},
	avroDescriptor,
	{
		Class: jsonschema.Class, Config: jsonschema.Config{},
		New: func(p map[string]string, k bool) (Converter, error) { return nilIfErr(jsonschema.New(p, k)) },
	},
	protobufDescriptor,
	{
		Class: simpleheader.Class, Config: simpleheader.Config{},
		NewHeader: func(p map[string]string) (HeaderConverter, error) { return nilIfErrH(simpleheader.NewHeader(p)) },
	},
})

// present drops the entries this build left out (an empty Class).
func present(ds []Descriptor) []Descriptor {
	return slices.DeleteFunc(ds, func(d Descriptor) bool { return d.Class == "" })
}

// byName maps full class names and simple-name aliases to their descriptor.
var byName = func() map[string]*Descriptor {
	m := map[string]*Descriptor{}
	for i := range classes {
		d := &classes[i]
		m[d.Class] = d
		m[d.Class[strings.LastIndexByte(d.Class, '.')+1:]] = d
	}
	return m
}()

// nilIfErr keeps a typed nil pointer out of the interface on error.
func nilIfErr[C Converter](c C, err error) (Converter, error) {
	if err != nil {
		return nil, err
	}
	return c, nil
}

func nilIfErrH[C HeaderConverter](c C, err error) (HeaderConverter, error) {
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Lookup finds a converter class by full name or simple name (JsonConverter).
func Lookup(name string) (Descriptor, error) {
	if d, ok := byName[strings.TrimSpace(name)]; ok {
		return *d, nil
	}
	return Descriptor{}, fmt.Errorf("%w %q; known classes: %s", ErrUnknownConverter, name, strings.Join(knownClasses(), ", "))
}

func knownClasses() []string {
	out := make([]string, len(classes))
	for i, d := range classes {
		out[i] = d.Class
	}
	sort.Strings(out)
	return out
}

// Plugins returns one descriptor per class and role (a class that is both a
// converter and a header converter appears twice), sorted by class then type,
// as GET /connector-plugins?connectorsOnly=false lists them.
func Plugins() []Descriptor {
	var out []Descriptor
	for _, d := range classes {
		if d.New != nil {
			c := d
			c.Type, c.NewHeader = connectors.TypeConverter, nil
			out = append(out, c)
		}
		if d.NewHeader != nil {
			h := d
			h.Type, h.New = connectors.TypeHeaderConverter, nil
			out = append(out, h)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Class != out[j].Class {
			return out[i].Class < out[j].Class
		}
		return out[i].Type < out[j].Type
	})
	return out
}
