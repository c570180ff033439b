package main

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/functions/builder"
)

func TestBuildOptions(t *testing.T) {
	here, _ := filepath.Abs(".")
	upper, _ := filepath.Abs("functions/builder/testdata/upper")
	for _, tc := range []struct {
		name string
		args []string
		want builder.Options
		err  string
	}{
		{name: "checkout and two modules", args: []string{"--ferry", ".", "--with", "github.com/acme/foo@v1.2.0", "--with", "example.com/ferry-upper=functions/builder/testdata/upper", "-o", "out"},
			want: builder.Options{Ferry: builder.Module{Dir: here}, Out: "out", Arch: "amd64",
				With: []builder.Module{{Path: "github.com/acme/foo", Version: "v1.2.0"}, {Path: "example.com/ferry-upper", Dir: upper}}}},
		{name: "release, lambda, trimmed", args: []string{"--ferry", "v0.2.0", "--lambda", "--arch", "arm64", "--connectors", "datagen, s3sink", "--transforms", "none", "--tags", "ferry_noavro", "-o", "f.zip"},
			want: builder.Options{Ferry: builder.Module{Version: "v0.2.0"}, Lambda: true, Arch: "arm64", Connectors: []string{"datagen", "s3sink"},
				Transforms: []string{}, Tags: []string{"ferry_noavro"}, Out: "f.zip"}},
		{name: "transforms by name", args: []string{"--ferry", "v0.2.0", "--transforms", "MaskField,Filter", "-o", "f"},
			want: builder.Options{Ferry: builder.Module{Version: "v0.2.0"}, Arch: "amd64", Transforms: []string{"MaskField", "Filter"}, Out: "f"}},
		{name: "module without version or dir", args: []string{"--with", "github.com/acme/foo"}, err: "name a version"},
		{name: "positional", args: []string{"--ferry", "v0.2.0", "extra"}, err: "build takes flags only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := buildOptions(tc.args)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("buildOptions(%q) = %v, want an error containing %q", tc.args, err, tc.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("buildOptions(%q) =\n%+v, %v\nwant\n%+v", tc.args, got, err, tc.want)
			}
		})
	}
}
