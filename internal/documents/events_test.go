package documents

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// kindsInCode reads every non-test Go file under internal/ and returns the
// timeline kinds written: the kind argument of every addEvent call (a
// literal, or a variable assigned only literals in the same function) and
// the quoted kinds of SQL inserting into document_events. A kind it cannot
// resolve is an error, so a new computed kind fails the test instead of
// slipping by.
func kindsInCode(t *testing.T) map[string][]string {
	t.Helper()
	kinds := map[string][]string{}
	add := func(kind string, pos token.Position) {
		kinds[kind] = append(kinds[kind], pos.Filename+":"+strconv.Itoa(pos.Line))
	}
	sqlKind := regexp.MustCompile(`'([a-z_]+)'`)
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.BasicLit:
					if n.Kind == token.STRING && strings.Contains(n.Value, "INSERT INTO document_events") {
						for _, m := range sqlKind.FindAllStringSubmatch(n.Value, -1) {
							add(m[1], fset.Position(n.Pos()))
						}
					}
				case *ast.CallExpr:
					id, ok := n.Fun.(*ast.Ident)
					if !ok || id.Name != "addEvent" || len(n.Args) != 6 {
						return true
					}
					for _, k := range resolveKind(t, fset, fn, n.Args[4]) {
						add(k, fset.Position(n.Pos()))
					}
				}
				return true
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return kinds
}

// resolveKind turns an addEvent kind argument into the literals it can be.
func resolveKind(t *testing.T, fset *token.FileSet, fn *ast.FuncDecl, arg ast.Expr) []string {
	t.Helper()
	lit := func(e ast.Expr) (string, bool) {
		b, ok := e.(*ast.BasicLit)
		if !ok || b.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(b.Value)
		return s, err == nil
	}
	if s, ok := lit(arg); ok {
		return []string{s}
	}
	id, ok := arg.(*ast.Ident)
	if !ok {
		t.Errorf("%s: the timeline kind is computed; write it as a literal (or a variable assigned literals) so its label can be checked",
			fset.Position(arg.Pos()))
		return nil
	}
	var out []string
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok {
			return true
		}
		for i, l := range as.Lhs {
			if lid, ok := l.(*ast.Ident); ok && lid.Name == id.Name && i < len(as.Rhs) {
				s, ok := lit(as.Rhs[i])
				if !ok {
					t.Errorf("%s: %s is assigned a computed timeline kind; assign literals only", fset.Position(as.Pos()), id.Name)
					continue
				}
				out = append(out, s)
			}
		}
		return true
	})
	if len(out) == 0 {
		t.Errorf("%s: no literal found for the timeline kind %s", fset.Position(arg.Pos()), id.Name)
	}
	return out
}

// Every kind of timeline entry written anywhere has a Vietnamese label,
// and every label belongs to a kind still written.
func TestEveryTimelineKindHasALabel(t *testing.T) {
	kinds := kindsInCode(t)
	if len(kinds) < 35 {
		t.Fatalf("found only %d timeline kinds in the code; the scan is broken: %v", len(kinds), kinds)
	}
	var missing []string
	for k, at := range kinds {
		if _, ok := eventLabels[k]; !ok {
			missing = append(missing, k+" ("+strings.Join(at, ", ")+")")
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("timeline kind without a label in eventLabels: %s", m)
	}
	for k, label := range eventLabels {
		if _, ok := kinds[k]; !ok {
			t.Errorf("label %q for kind %q, which no code writes", label, k)
		}
		if EventLabel(k) != label || label == k {
			t.Errorf("EventLabel(%q) = %q", k, EventLabel(k))
		}
	}
}
