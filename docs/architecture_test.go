package docs_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// external are the qualifiers of names architecture.md uses from other
// modules; they are not looked up in this repository.
var external = map[string]bool{"kadm": true, "kgo": true, "nats": true}

// TestArchitectureNames keeps docs/architecture.md walkable: every file the
// hop tables name exists, and every function or method they name is declared
// in this repository (a method may also be a method of a declared interface).
// When it fails, the code moved: fix the page in the same change.
func TestArchitectureNames(t *testing.T) {
	page, err := os.ReadFile("architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	decls := declarations(t, "..")
	code := regexp.MustCompile("`([^`]+)`")
	rows := 0
	for _, row := range hopRows(string(page)) {
		rows++
		for _, m := range code.FindAllStringSubmatch(row.files, -1) {
			path := strings.TrimSuffix(strings.TrimSuffix(m[1], "/..."), "/")
			if _, err := os.Stat(filepath.Join("..", path)); err != nil {
				t.Errorf("architecture.md, hop %q: file %s does not exist", row.hop, m[1])
			}
		}
		for _, m := range code.FindAllStringSubmatch(row.funcs, -1) {
			for _, name := range strings.Split(m[1], "→") {
				name = strings.TrimSpace(name)
				if q, _, ok := strings.Cut(name, "."); ok && external[q] {
					continue
				}
				if !decls.has(name) {
					t.Errorf("architecture.md, hop %q: %s is not declared in the repository", row.hop, name)
				}
			}
		}
	}
	if rows < 20 {
		t.Fatalf("found %d hop rows in architecture.md, want at least 20: the tables' columns changed", rows)
	}
}

// hopRow is one row of a table whose columns are # | hop | file | function | ...
type hopRow struct{ hop, files, funcs string }

func hopRows(page string) []hopRow {
	var rows []hopRow
	inHops := false
	for _, line := range strings.Split(page, "\n") {
		cells := strings.Split(line, "|")
		switch {
		case !strings.HasPrefix(line, "|"):
			inHops = false
		case len(cells) > 5 && strings.TrimSpace(cells[3]) == "file" && strings.TrimSpace(cells[4]) == "function":
			inHops = true
		case inHops && !strings.HasPrefix(line, "|---"):
			rows = append(rows, hopRow{hop: strings.TrimSpace(cells[2]), files: cells[3], funcs: cells[4]})
		}
	}
	return rows
}

// declared holds the names declared in non-test Go files: functions as
// "Name" and "pkg.Name", methods and interface methods as "Type.Method".
type declared map[string]bool

// has reports whether name (Func, pkg.Func or Type.Method) is declared.
func (d declared) has(name string) bool { return d[name] }

func declarations(t *testing.T, root string) declared {
	t.Helper()
	d := declared{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && (strings.HasPrefix(e.Name(), ".") || e.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if e.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		d.add(f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (d declared) add(f *ast.File) {
	pkg := f.Name.Name
	for _, decl := range f.Decls {
		switch decl := decl.(type) {
		case *ast.FuncDecl:
			if decl.Recv == nil {
				d[decl.Name.Name], d[pkg+"."+decl.Name.Name] = true, true
				continue
			}
			d[receiver(decl.Recv.List[0].Type)+"."+decl.Name.Name] = true
		case *ast.GenDecl:
			for _, spec := range decl.Specs {
				ts, ok := spec.(*ast.TypeSpec)
				if !ok {
					continue
				}
				if it, ok := ts.Type.(*ast.InterfaceType); ok {
					for _, m := range it.Methods.List {
						for _, n := range m.Names {
							d[ts.Name.Name+"."+n.Name] = true
						}
					}
				}
			}
		}
	}
}

// receiver is the type name of a method receiver (*T, T, T[P]).
func receiver(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return receiver(e.X)
	case *ast.IndexExpr:
		return receiver(e.X)
	case *ast.IndexListExpr:
		return receiver(e.X)
	case *ast.Ident:
		return e.Name
	}
	return ""
}
