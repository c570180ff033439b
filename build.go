package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/ferryhq/ferry/connectors"
	"github.com/ferryhq/ferry/functions/builder"
)

const buildUsage = `ferry build --with MODULE[@VERSION][=DIR] [--with ...] [--connectors a,b] [--transforms all|none|A,B] [--lambda] -o OUT

Builds a custom ferry holding the plugins of the named Go modules (each exports
func Plugins() sdk.Bundle from its root package) with the Go toolchain.
--lambda writes the Lambda function's deflated zip instead. See docs/building.md.
`

// runBuild is `ferry build`.
func runBuild(ctx context.Context, args []string) error {
	o, err := buildOptions(args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	return builder.Build(ctx, o)
}

// buildOptions parses ferry build's flags.
func buildOptions(args []string) (builder.Options, error) {
	var o builder.Options
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), buildUsage); fs.PrintDefaults() }
	fs.Func("with", "a module whose plugins to add: MODULE@VERSION, or MODULE=DIR for a local checkout (repeatable)", func(s string) error {
		m, err := builder.ParseModule(s)
		o.With = append(o.With, m)
		return err
	})
	ferry := fs.String("ferry", defaultFerry(), "the ferry to build: a checkout directory or a release version")
	conns := fs.String("connectors", "", "built-in connector packages to keep (datagen,s3sink); empty keeps all")
	trs := fs.String("transforms", "all", "built-in transformations and predicates to keep: all, none, or simple names (MaskField,Filter)")
	fs.BoolVar(&o.Lambda, "lambda", false, "build the Lambda function (linux) and write its zip")
	fs.StringVar(&o.Arch, "arch", "amd64", "with --lambda, the GOARCH (amd64 or arm64)")
	fs.StringVar(&o.Out, "o", "", "the binary (or, with --lambda, the zip) to write")
	fs.StringVar(&o.Work, "work", "", "generate the module in this directory and keep it (default: a temporary one)")
	tags := fs.String("tags", "", "extra build tags, comma-separated (ferry_noavro, ferry_noprotobuf, ferry_nowasm, ferry_noredis, ferry_noawschain leave that part out; see docs/lambda.md)")
	verbose := fs.Bool("v", false, "print each go command")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("build takes flags only, got %q", fs.Args())
	}
	if st, err := os.Stat(*ferry); err == nil && st.IsDir() {
		if o.Ferry.Dir, err = filepath.Abs(*ferry); err != nil {
			return o, err
		}
	} else {
		o.Ferry.Version = *ferry
	}
	if *conns != "" {
		o.Connectors = connectors.SplitList(*conns)
	}
	switch t := strings.TrimSpace(*trs); t {
	case "all":
	case "none":
		o.Transforms = []string{}
	default:
		o.Transforms = connectors.SplitList(t)
	}
	if *tags != "" {
		o.Tags = connectors.SplitList(*tags)
	}
	if *verbose {
		o.Log = os.Stderr
	}
	return o, nil
}

// defaultFerry is the ferry this binary was built from: its release, or the
// current directory when it is a ferry checkout.
func defaultFerry() string {
	if info, ok := debug.ReadBuildInfo(); ok && strings.HasPrefix(info.Main.Version, "v") && info.Main.Path == "github.com/ferryhq/ferry" {
		return info.Main.Version
	}
	if data, err := os.ReadFile("go.mod"); err == nil && strings.HasPrefix(string(data), "module github.com/ferryhq/ferry\n") {
		return "."
	}
	return ""
}
