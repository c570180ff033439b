package builder

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
)

// Entry is one element of builtin.Plugins()'s list: pkg.Func() from the
// package imported as Path.
type Entry struct {
	Pkg, Func, Path string
}

// ErrNoList is returned when the source has no Plugins() list of pkg.Func() calls.
var ErrNoList = errors.New("no Plugins() function returning a []connectors.Plugin{pkg.Func(), ...} literal")

// Entries reads the connector list from the source of connectors/builtin.
func Entries(src []byte) ([]Entry, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "builtin.go", src, 0)
	if err != nil {
		return nil, err
	}
	paths := map[string]string{}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		name := p[strings.LastIndexByte(p, '/')+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		paths[name] = p
	}
	var entries []Entry
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "Plugins" || fn.Body == nil {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			for _, e := range lit.Elts {
				if call, ok := e.(*ast.CallExpr); ok {
					if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
						if pkg, ok := sel.X.(*ast.Ident); ok {
							entries = append(entries, Entry{Pkg: pkg.Name, Func: sel.Sel.Name, Path: paths[pkg.Name]})
						}
					}
				}
			}
			return false
		})
	}
	if len(entries) == 0 {
		return nil, ErrNoList
	}
	return entries, nil
}

// Select returns the entries of the connector packages in names (file
// selects the file source and sink), in the list's order.
func Select(entries []Entry, names []string) ([]Entry, error) {
	var known []string
	for _, e := range entries {
		if !slices.Contains(known, e.Pkg) {
			known = append(known, e.Pkg)
		}
	}
	want := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if !slices.Contains(known, n) {
			return nil, fmt.Errorf("%q is not a connector package of connectors/builtin: want some of %s", n, strings.Join(known, ","))
		}
		want[n] = true
	}
	if len(want) == 0 {
		return nil, fmt.Errorf("no connector named: name at least one of %s", strings.Join(known, ","))
	}
	var out []Entry
	for _, e := range entries {
		if want[e.Pkg] {
			out = append(out, e)
		}
	}
	return out, nil
}
