package notify

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The scan below reads every non-test Go file under internal/ (but this
// package) and finds the kind of every notification created:
//   - the kind argument of notify.Create;
//   - through wrappers: a function of the same package that passes one of
//     its parameters on as a kind is followed to its own callers;
//   - through a struct field: when the kind passed is x.field, the values
//     written into that field of the package's struct literals.
//
// A kind is a string literal, a constant (of the package or imported), a
// local variable assigned only those, or a sum of them. Anything else is
// an error, so a computed kind fails the test instead of slipping by.

const modulePrefix = "vanthu/internal/"

type scanPkg struct {
	path    string // import path
	files   []*ast.File
	consts  map[string]ast.Expr
	structs map[string][]string // struct type → field names in order
}

type scan struct {
	t      *testing.T
	fset   *token.FileSet
	pkgs   map[string]*scanPkg // by import path
	kinds  map[string][]string // kind → positions
	misses []string
}

func (s *scan) pos(n ast.Node) string {
	p := s.fset.Position(n.Pos())
	return p.Filename + ":" + strconv.Itoa(p.Line)
}

func (s *scan) miss(n ast.Node, format string, args ...any) {
	s.misses = append(s.misses, s.pos(n)+": "+fmt.Sprintf(format, args...))
}

func load(t *testing.T) *scan {
	s := &scan{t: t, fset: token.NewFileSet(), pkgs: map[string]*scanPkg{}, kinds: map[string][]string{}}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		if dir == "../notify" {
			return nil
		}
		f, err := parser.ParseFile(s.fset, path, nil, 0)
		if err != nil {
			return err
		}
		ip := modulePrefix + strings.TrimPrefix(dir, "../")
		p := s.pkgs[ip]
		if p == nil {
			p = &scanPkg{path: ip, consts: map[string]ast.Expr{}, structs: map[string][]string{}}
			s.pkgs[ip] = p
		}
		p.files = append(p.files, f)
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, spec := range g.Specs {
				switch sp := spec.(type) {
				case *ast.ValueSpec:
					if g.Tok == token.CONST {
						for i, n := range sp.Names {
							if i < len(sp.Values) {
								p.consts[n.Name] = sp.Values[i]
							}
						}
					}
				case *ast.TypeSpec:
					if st, ok := sp.Type.(*ast.StructType); ok {
						var names []string
						for _, fl := range st.Fields.List {
							for _, n := range fl.Names {
								names = append(names, n.Name)
							}
							if len(fl.Names) == 0 {
								names = append(names, "")
							}
						}
						p.structs[sp.Name.Name] = names
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// imports maps a file's package names to import paths.
func imports(f *ast.File) map[string]string {
	m := map[string]string{}
	for _, im := range f.Imports {
		path, _ := strconv.Unquote(im.Path.Value)
		name := path[strings.LastIndex(path, "/")+1:]
		if im.Name != nil {
			name = im.Name.Name
		}
		m[name] = path
	}
	return m
}

// params lists fn's parameter names in order.
func params(fn *ast.FuncDecl) []string {
	var out []string
	for _, f := range fn.Type.Params.List {
		if len(f.Names) == 0 {
			out = append(out, "")
		}
		for _, n := range f.Names {
			out = append(out, n.Name)
		}
	}
	return out
}

// value is what a kind expression can be: literals, or a parameter of the
// enclosing function (then it is a wrapper), or a field read.
type value struct {
	lits  []string
	param int    // -1 unless the expression is a parameter
	field string // set when the expression reads x.field
}

// resolve turns expression e, inside fn of package p (file f), into the
// kinds it can be.
func (s *scan) resolve(p *scanPkg, f *ast.File, fn *ast.FuncDecl, e ast.Expr, depth int) (value, bool) {
	none := value{param: -1}
	if depth > 8 {
		s.miss(e, "the kind is too far from a literal")
		return none, false
	}
	switch e := e.(type) {
	case *ast.BasicLit:
		if v, err := strconv.Unquote(e.Value); err == nil && e.Kind == token.STRING {
			return value{lits: []string{v}, param: -1}, true
		}
	case *ast.ParenExpr:
		return s.resolve(p, f, fn, e.X, depth+1)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			break
		}
		l, ok1 := s.resolve(p, f, fn, e.X, depth+1)
		r, ok2 := s.resolve(p, f, fn, e.Y, depth+1)
		if !ok1 || !ok2 || l.param >= 0 || r.param >= 0 || l.field != "" || r.field != "" {
			break
		}
		out := value{param: -1}
		for _, a := range l.lits {
			for _, b := range r.lits {
				out.lits = append(out.lits, a+b)
			}
		}
		return out, true
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		if !ok {
			break
		}
		if path, ok := imports(f)[x.Name]; ok {
			q := s.pkgs[path]
			if q == nil || q.consts[e.Sel.Name] == nil {
				break
			}
			return s.resolve(q, q.files[0], nil, q.consts[e.Sel.Name], depth+1)
		}
		return value{param: -1, field: e.Sel.Name}, true
	case *ast.Ident:
		if fn != nil {
			for i, n := range params(fn) {
				if n == e.Name {
					return value{param: i}, true
				}
			}
			var rhs []ast.Expr
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.AssignStmt:
					for i, l := range n.Lhs {
						if id, ok := l.(*ast.Ident); ok && id.Name == e.Name && len(n.Lhs) == len(n.Rhs) {
							rhs = append(rhs, n.Rhs[i])
						}
					}
				case *ast.ValueSpec:
					for i, id := range n.Names {
						if id.Name == e.Name && i < len(n.Values) {
							rhs = append(rhs, n.Values[i])
						}
					}
				}
				return true
			})
			if len(rhs) > 0 {
				out := value{param: -1}
				for _, r := range rhs {
					v, ok := s.resolve(p, f, fn, r, depth+1)
					if !ok || v.param >= 0 || v.field != "" {
						s.miss(r, "%s is assigned a kind that is not a literal or a constant", e.Name)
						return none, false
					}
					out.lits = append(out.lits, v.lits...)
				}
				return out, true
			}
		}
		if c := p.consts[e.Name]; c != nil {
			return s.resolve(p, f, nil, c, depth+1)
		}
	}
	s.miss(e, "the kind is computed; write a literal, a constant or a variable assigned those")
	return none, false
}

// sink is a function that takes a kind at argument arg.
type sink struct {
	name string
	arg  int
}

// callee names the function call c makes inside package p's file f: a
// function or method of p, or notify.Create ("notify.Create").
func callee(f *ast.File, c *ast.CallExpr) string {
	switch fn := c.Fun.(type) {
	case *ast.Ident:
		return fn.Name
	case *ast.SelectorExpr:
		if x, ok := fn.X.(*ast.Ident); ok {
			if path, ok := imports(f)[x.Name]; ok {
				if path == modulePrefix+"notify" {
					return "notify." + fn.Sel.Name
				}
				return ""
			}
		}
		return fn.Sel.Name // a method of the package
	}
	return ""
}

func (s *scan) add(kinds []string, at ast.Node) {
	for _, k := range kinds {
		s.kinds[k] = append(s.kinds[k], s.pos(at))
	}
}

// run finds every kind written in package p.
func (s *scan) run(p *scanPkg) {
	sinks := map[string]int{"notify.Create": 3}
	fields := map[string]bool{}
	type call struct {
		f   *ast.File
		fn  *ast.FuncDecl
		c   *ast.CallExpr
		arg int
	}
	// Find wrappers until none is new, then resolve every call.
	for {
		var calls []call
		for _, f := range p.files {
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				ast.Inspect(fn.Body, func(n ast.Node) bool {
					c, ok := n.(*ast.CallExpr)
					if !ok {
						return true
					}
					if arg, ok := sinks[callee(f, c)]; ok && arg < len(c.Args) {
						calls = append(calls, call{f, fn, c, arg})
					}
					return true
				})
			}
		}
		grown := false
		var final []call
		for _, c := range calls {
			e := c.c.Args[c.arg]
			if id, ok := e.(*ast.Ident); ok {
				if i := indexOf(params(c.fn), id.Name); i >= 0 {
					if _, known := sinks[c.fn.Name.Name]; !known {
						sinks[c.fn.Name.Name] = i
						grown = true
					}
					continue
				}
			}
			final = append(final, c)
		}
		if grown {
			continue
		}
		for _, c := range final {
			v, ok := s.resolve(p, c.f, c.fn, c.c.Args[c.arg], 0)
			switch {
			case !ok:
			case v.field != "":
				fields[v.field] = true
			default:
				s.add(v.lits, c.c)
			}
		}
		break
	}
	if len(fields) > 0 {
		s.runFields(p, fields, sinks)
	}
}

// runFields resolves the values written into the given fields by the
// package's struct literals; a value that is a parameter makes its function
// a wrapper whose callers are resolved in turn.
func (s *scan) runFields(p *scanPkg, fields map[string]bool, sinks map[string]int) {
	found := 0
	wrappers := map[string]int{}
	for _, f := range p.files {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			var visit func(lit *ast.CompositeLit, typ string)
			visit = func(lit *ast.CompositeLit, typ string) {
				names, ok := p.structs[typ]
				if !ok {
					return
				}
				for i, el := range lit.Elts {
					name, val := "", el
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						if id, ok := kv.Key.(*ast.Ident); ok {
							name = id.Name
						}
						val = kv.Value
					} else if i < len(names) {
						name = names[i]
					}
					if !fields[name] {
						continue
					}
					found++
					v, ok := s.resolve(p, f, fn, val, 0)
					switch {
					case !ok:
					case v.param >= 0:
						wrappers[fn.Name.Name] = v.param
					case v.field != "":
						s.miss(val, "the kind is copied from another field; write a literal or a constant")
					default:
						s.add(v.lits, val)
					}
				}
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				lit, ok := n.(*ast.CompositeLit)
				if !ok {
					return true
				}
				switch t := lit.Type.(type) {
				case *ast.Ident:
					visit(lit, t.Name)
				case *ast.ArrayType:
					if id, ok := t.Elt.(*ast.Ident); ok {
						for _, el := range lit.Elts {
							if inner, ok := el.(*ast.CompositeLit); ok && inner.Type == nil {
								visit(inner, id.Name)
							}
						}
					}
				}
				return true
			})
		}
	}
	if found == 0 {
		s.misses = append(s.misses, p.path+": no struct literal writes the kind fields "+strings.Join(keys(fields), ", "))
	}
	// Callers of functions that put a parameter into the field.
	for name, arg := range wrappers {
		for _, f := range p.files {
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				ast.Inspect(fn.Body, func(n ast.Node) bool {
					c, ok := n.(*ast.CallExpr)
					if !ok || callee(f, c) != name || arg >= len(c.Args) {
						return true
					}
					v, ok := s.resolve(p, f, fn, c.Args[arg], 0)
					switch {
					case !ok:
					case v.param >= 0 || v.field != "":
						s.miss(c, "the kind passes through more than one wrapper; pass a literal or a constant")
					default:
						s.add(v.lits, c)
					}
					return true
				})
			}
		}
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// kindsInCode returns every notification kind the code creates, with where.
func kindsInCode(t *testing.T) (map[string][]string, []string) {
	s := load(t)
	for _, p := range s.pkgs {
		s.run(p)
	}
	return s.kinds, s.misses
}

// Every kind of notification created anywhere has a Vietnamese label and
// a category, so the notification centre never shows a bare code.
func TestEveryNotificationKindHasALabel(t *testing.T) {
	used, misses := kindsInCode(t)
	for _, m := range misses {
		t.Errorf("notification kind the scan cannot read: %s", m)
	}
	// The scan must see the kinds of every capability that notifies.
	for _, k := range []string{"presented", "reminder_overdue", "incoming_replaced", "outgoing_sign",
		"task_extension_decided", "task_overdue_escalation", "schedule.changed"} {
		if _, ok := used[k]; !ok {
			t.Errorf("the scan did not find kind %q; it is broken (found %v)", k, keys(used))
		}
	}
	if len(used) < 30 {
		t.Fatalf("found only %d notification kinds in the code; the scan is broken: %v", len(used), keys(used))
	}
	var missing []string
	for k, at := range used {
		if _, ok := kinds[k]; !ok {
			missing = append(missing, k+" ("+strings.Join(at, ", ")+")")
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("notification kind without a label in kinds (kinds.go): %s", m)
	}
}

// Labels are Vietnamese sentences, not codes, and an unknown kind still
// reads as a notification.
func TestDescribe(t *testing.T) {
	for k, info := range kinds {
		if info.Label == "" || info.Label == k || strings.ContainsAny(info.Label, "_.") || info.Category == "" || info.Category == CategoryOther {
			t.Errorf("kind %q: %+v", k, info)
		}
	}
	if got := Describe("no_such_kind"); got.Label != "Thông báo" || got.Category != CategoryOther {
		t.Errorf("Describe(unknown) = %+v", got)
	}
	if got := Describe("task_extension_decided"); got.Label != "Quyết định gia hạn công việc" || got.Category != CategoryDecision {
		t.Errorf("Describe(task_extension_decided) = %+v", got)
	}
}
