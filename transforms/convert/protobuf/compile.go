package protobuf

import (
	"context"
	"embed"
	"io/fs"
	"sync"

	"github.com/bufbuild/protocompile"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ferryhq/ferry/connectors"
)

// protos holds the dependencies Confluent's registry treats as built in:
// confluent/meta.proto, confluent/type/decimal.proto and the google.type
// messages (google/protobuf/* come with the compiler).
//
//go:embed protos
var protos embed.FS

// builtins maps an import path to its source, read on first use (not at
// init).
var builtins = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	_ = fs.WalkDir(protos, "protos", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := protos.ReadFile(path)
			m[path[len("protos/"):]] = string(b)
		}
		return err
	})
	return m
})

const mainFile = "ferry-schema.proto"

// compile parses and links one schema text (the registry's or ours).
func compile(text string) (protoreflect.FileDescriptor, error) {
	srcs := map[string]string{mainFile: text}
	for k, v := range builtins() {
		srcs[k] = v
	}
	c := protocompile.Compiler{
		Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{Accessor: protocompile.SourceAccessorFromMap(srcs)}),
	}
	files, err := c.Compile(context.Background(), mainFile)
	if err != nil {
		return nil, connectors.DataError("invalid Protobuf schema: %v", err)
	}
	return files[0], nil
}

// messageAt resolves the wire format's message indexes ([0] is the first
// top-level message, [1, 0] the first message nested in the second).
func messageAt(fd protoreflect.FileDescriptor, index []int) (protoreflect.MessageDescriptor, error) {
	msgs := fd.Messages()
	var md protoreflect.MessageDescriptor
	for _, i := range index {
		if i < 0 || i >= msgs.Len() {
			return nil, connectors.DataError("message index %v not found in the schema", index)
		}
		md = msgs.Get(i)
		msgs = md.Messages()
	}
	if md == nil {
		return nil, connectors.DataError("empty message index")
	}
	return md, nil
}
