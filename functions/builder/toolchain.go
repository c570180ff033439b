package builder

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ferryhq/ferry/connectors/builtin"
)

// toolchain runs the go command in the generated module.
type toolchain struct {
	dir string
	log io.Writer
}

// run runs go with args in the module, returning its combined output.
func (g *toolchain) run(ctx context.Context, env []string, args ...string) ([]byte, error) {
	fmt.Fprintf(g.log, "ferry build: go %s\n", strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = g.dir
	cmd.Env = append(os.Environ(), append([]string{"GOWORK=off", "GOFLAGS=-mod=mod"}, env...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return out, nil
}

// write writes a file of the generated module.
func (g *toolchain) write(name string, data []byte) error {
	path := filepath.Join(g.dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// prepare writes the module (go.mod, go.sum, the plugins package, the
// check program, the main package) and tidies it.
func (g *toolchain) prepare(ctx context.Context, o Options) error {
	ferry := Module{Path: ferryModule, Version: o.Ferry.Version, Dir: o.Ferry.Dir}
	src, err := g.ferrySource(ctx, ferry)
	if err != nil {
		return err
	}
	goVersion, err := goDirective(filepath.Join(src, "go.mod"))
	if err != nil {
		return err
	}
	p := plan{With: o.With, Version: builtin.Version, Transforms: o.Transforms}
	if o.Connectors != nil {
		raw, err := os.ReadFile(filepath.Join(src, "connectors", "builtin", "builtin.go"))
		if err != nil {
			return fmt.Errorf("reading ferry's connector list: %w", err)
		}
		entries, err := Entries(raw)
		if err != nil {
			return err
		}
		if p.Connectors, err = Select(entries, o.Connectors); err != nil {
			return fmt.Errorf("--connectors: %w", err)
		}
	}
	if err := g.writeSources(p, src, o.Lambda); err != nil {
		return err
	}
	local, err := localReplaces(src)
	if err != nil {
		return err
	}
	if err := g.write("go.mod", []byte(goMod(goVersion, ferry, o.With, local...))); err != nil {
		return err
	}
	if err := g.writeSums(src, o.With); err != nil {
		return err
	}
	if _, err := g.run(ctx, nil, "mod", "tidy"); err != nil {
		for _, m := range o.With {
			if strings.Contains(err.Error(), m.Path) {
				return fmt.Errorf("%w %s cannot be resolved: %w", ErrModule, m.Path, err)
			}
		}
		return err
	}
	return nil
}

// ferrySource is the directory of ferry's source: the checkout, or the
// release downloaded into the module cache.
func (g *toolchain) ferrySource(ctx context.Context, ferry Module) (string, error) {
	if ferry.Dir != "" {
		return ferry.Dir, nil
	}
	if ferry.Version == "" {
		return "", fmt.Errorf("no ferry to build: name a checkout (--ferry DIR) or a release (--ferry v0.2.0)")
	}
	if err := g.write("go.mod", []byte(goMod("1.26", ferry, nil))); err != nil {
		return "", err
	}
	out, err := g.run(ctx, nil, "mod", "download", "-json", ferryModule+"@"+ferry.Version)
	if err != nil {
		return "", fmt.Errorf("fetching ferry %s: %w", ferry.Version, err)
	}
	var info struct{ Dir string }
	if err := json.Unmarshal(out, &info); err != nil || info.Dir == "" {
		return "", fmt.Errorf("fetching ferry %s: no source directory in %s", ferry.Version, out)
	}
	return info.Dir, nil
}

// writeSources writes the plugins package, the check program and the main
// package (ferry's own, with plugins.go replaced, or the Lambda function's).
func (g *toolchain) writeSources(p plan, ferryDir string, lambda bool) error {
	code, err := p.pluginsPackage()
	if err != nil {
		return fmt.Errorf("generating the plugins package: %w", err)
	}
	files := map[string][]byte{"plugins/plugins.go": code, "check/main.go": []byte(checkMain)}
	if lambda {
		files["main.go"] = []byte(lambdaMain)
	} else {
		names, err := filepath.Glob(filepath.Join(ferryDir, "*.go"))
		if err != nil {
			return err
		}
		for _, n := range names {
			base := filepath.Base(n)
			if strings.HasSuffix(base, "_test.go") || base == "plugins.go" {
				continue
			}
			if files[base], err = os.ReadFile(n); err != nil {
				return err
			}
		}
		files["plugins.go"] = []byte(rootPlugins)
	}
	for name, data := range files {
		if err := g.write(name, data); err != nil {
			return err
		}
	}
	return nil
}

// writeSums seeds go.sum with ferry's and every local module's, so a
// build from checkouts needs no network.
func (g *toolchain) writeSums(ferryDir string, with []Module) error {
	seen := map[string]bool{}
	var sums bytes.Buffer
	for _, dir := range append([]string{ferryDir}, dirs(with)...) {
		data, err := os.ReadFile(filepath.Join(dir, "go.sum"))
		if os.IsNotExist(err) {
			continue
		} else if err != nil {
			return err
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			if line := sc.Text(); line != "" && !seen[line] {
				seen[line] = true
				sums.WriteString(line + "\n")
			}
		}
	}
	return g.write("go.sum", sums.Bytes())
}

func dirs(ms []Module) []string {
	var out []string
	for _, m := range ms {
		if m.Dir != "" {
			out = append(out, m.Dir)
		}
	}
	return out
}

var goLine = regexp.MustCompile(`(?m)^go ([0-9][0-9.]*)\s*$`)

// goDirective reads the go version of a go.mod.
func goDirective(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading ferry's go.mod: %w", err)
	}
	m := goLine.FindSubmatch(data)
	if m == nil {
		return "", fmt.Errorf("%s has no go directive", path)
	}
	return string(m[1]), nil
}

// localReplace is a replace directive of ferry's go.mod to a directory of
// its own source ("replace github.com/goccy/go-json => ./connectors/...").
var localReplace = regexp.MustCompile(`(?m)^replace\s+(\S+)\s+=>\s+(\./\S+)\s*$`)

// localReplaces are the replace directives of ferry's go.mod (in src) to
// directories of ferry's own source, as modules at those directories: a
// custom build links the same stand-ins as ferry's own builds.
func localReplaces(src string) ([]Module, error) {
	data, err := os.ReadFile(filepath.Join(src, "go.mod"))
	if err != nil {
		return nil, fmt.Errorf("reading ferry's go.mod: %w", err)
	}
	var out []Module
	for _, m := range localReplace.FindAllSubmatch(data, -1) {
		out = append(out, Module{Path: string(m[1]), Dir: filepath.Join(src, filepath.FromSlash(string(m[2])))})
	}
	return out, nil
}

// check builds each module's package, then runs the check program: a
// module that does not build, has no Plugins() or registers nothing fails
// the build, named.
func (g *toolchain) check(ctx context.Context, o Options) error {
	for _, m := range o.With {
		if _, err := g.run(ctx, nil, "build", m.Path); err != nil {
			return fmt.Errorf("%w %s does not build: %w", ErrModule, m.Path, err)
		}
	}
	out, err := g.run(ctx, nil, "run", "./check")
	if err != nil {
		for i, m := range o.With {
			if strings.Contains(err.Error(), fmt.Sprintf("ext%d.Plugins", i)) {
				return fmt.Errorf("%w %s registers nothing ferry can find: its package %s must export func Plugins() sdk.Bundle: %w", ErrModule, m.Path, m.Path, err)
			}
		}
		return err
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "\t")
		switch {
		case len(f) == 4 && f[0] == "module" && f[2] == "0" && f[3] == "0":
			return fmt.Errorf("%w %s registers nothing: its Plugins() returned an empty sdk.Bundle; list its connectors in Bundle.Connectors and its transformations and predicates in Bundle.Transforms", ErrModule, f[1])
		case len(f) == 4 && f[0] == "module":
			c, _ := strconv.Atoi(f[2])
			t, _ := strconv.Atoi(f[3])
			fmt.Fprintf(g.log, "ferry build: %s: %d connectors, %d transformations and predicates\n", f[1], c, t)
		case len(f) == 2 && f[0] == "unknown-transform":
			return fmt.Errorf("--transforms names %q, not a built-in transformation or predicate (give simple names: MaskField,Filter)", f[1])
		}
	}
	return nil
}

// buildFull builds the ferry command.
func (g *toolchain) buildFull(ctx context.Context, o Options) error {
	out, err := filepath.Abs(o.Out)
	if err != nil {
		return err
	}
	_, err = g.run(ctx, nil, "build", "-tags", strings.Join(o.buildTags(), ","), "-o", out, ".")
	return err
}

// buildTags are o.Tags, plus ferry_nowasm when the kept transforms name
// neither WebAssembly class, so wazero is not linked for nothing.
func (o Options) buildTags() []string {
	tags := slices.Clone(o.Tags)
	if o.Transforms != nil && !slices.Contains(o.Transforms, "Wasm") && !slices.Contains(o.Transforms, "WasmPredicate") &&
		!slices.Contains(tags, "ferry_nowasm") {
		tags = append(tags, "ferry_nowasm")
	}
	return tags
}

// buildLambda builds the function for linux and zips it as bootstrap.
func (g *toolchain) buildLambda(ctx context.Context, o Options) error {
	arch := o.Arch
	if arch == "" {
		arch = "amd64"
	}
	bin := filepath.Join(g.dir, "bootstrap")
	if _, err := g.run(ctx, []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=" + arch},
		"build", "-tags", strings.Join(append([]string{"lambda.norpc"}, o.buildTags()...), ","), "-trimpath", "-ldflags", "-s -w", "-o", bin, "."); err != nil {
		return err
	}
	return zipBootstrap(bin, o.Out)
}

// zipBootstrap writes a deflated zip holding bin as an executable bootstrap.
func zipBootstrap(bin, out string) error {
	fi, err := os.Stat(bin)
	if err != nil {
		return err
	}
	h, err := zip.FileInfoHeader(fi)
	if err != nil {
		return err
	}
	h.Name, h.Method = "bootstrap", zip.Deflate
	h.SetMode(0o755)
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	src, err := os.Open(bin)
	if err != nil {
		return err
	}
	defer src.Close()
	if _, err := io.Copy(w, src); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}
