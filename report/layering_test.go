package report

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportOpensOnlyItsOwnFiles: report writes its output and loads a
// saved report; binaries, repositories and sources are symbolize's. The
// file-system calls below may appear only in the files that do that.
func TestReportOpensOnlyItsOwnFiles(t *testing.T) {
	allowed := map[string]bool{"writefile.go": true, "baseline.go": true}
	calls := map[string]bool{"Open": true, "OpenFile": true, "Stat": true, "Lstat": true, "ReadFile": true, "ReadDir": true, "DirFS": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if p := strings.Trim(imp.Path.Value, `"`); p == "debug/elf" || p == "debug/dwarf" || p == "io/fs" && !allowed[name] {
				t.Errorf("%s imports %s", name, p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "os" && calls[sel.Sel.Name] && !allowed[name] {
				t.Errorf("%s: os.%s: report opens no file but its output and its input report", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
}
