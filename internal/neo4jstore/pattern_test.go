package neo4jstore_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// relPattern is the start of a statement that matches one relationship
// pattern: the two node patterns (variable, the rest up to ')') and what
// follows.
var relPattern = regexp.MustCompile(`MATCH \((\w*)([^)]*)\)<?-\[[^\]]*\]->?\((\w*)([^)]*)\)(.*)`)

// inList is a WHERE clause that filters by a list parameter.
var inList = regexp.MustCompile(`WHERE .*\b\w+\.\w+ IN \$`)

// TestPatternsStartAtTheirIDs checks that every relationship pattern in
// the store's Cypher starts at a node its statement binds by id whenever it
// binds one of its nodes, and binds it inline ({id: id} from UNWIND), not
// with WHERE ... IN $list. NornicDB expands a pattern from its first node,
// so one that binds only the second walks every relationship of the type
// per call, and it filters a pattern by IN in time quadratic in the list
// (see read.go).
func TestPatternsStartAtTheirIDs(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		for _, stmt := range statements(t, f) {
			m := relPattern.FindStringSubmatch(stmt)
			if m == nil {
				continue
			}
			checked++
			first, second := bound(m[1], m[2], m[5]), bound(m[3], m[4], m[5])
			if second && !first {
				t.Errorf("%s: %q binds the second node of its pattern but not the first: start the pattern at the bound node", f, stmt)
			}
			if inList.MatchString(m[5]) {
				t.Errorf("%s: %q filters a relationship pattern with IN a list (quadratic on NornicDB): UNWIND the list and bind the node inline", f, stmt)
			}
		}
	}
	// The navigation reads, relationship merges and deletes: if far fewer
	// are found, the statements have moved out of reach of this check.
	t.Logf("checked %d relationship patterns", checked)
	if checked < 10 {
		t.Errorf("checked %d relationship patterns, want at least 10", checked)
	}
}

// bound reports whether a node pattern (variable v, the rest of its
// parentheses props) is bound by id: inline, or in the WHERE clause that
// follows the pattern.
func bound(v, props, rest string) bool {
	if strings.Contains(props, "{id:") {
		return true
	}
	return v != "" && regexp.MustCompile(`WHERE .*\b`+v+`\.\w+ IN \$`).MatchString(rest)
}

// statements returns the string expressions of a Go file: every string
// literal, and every concatenation rendered with each non-literal operand
// as "X" (labels and column lists), e.g. "MATCH (n:X) WHERE n.id IN $ids".
func statements(t *testing.T, file string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var render func(e ast.Expr) string
	render = func(e ast.Expr) string {
		switch e := e.(type) {
		case *ast.BasicLit:
			if s, err := strconv.Unquote(e.Value); err == nil && e.Kind == token.STRING {
				return s
			}
		case *ast.BinaryExpr:
			if e.Op == token.ADD {
				return render(e.X) + render(e.Y)
			}
		case *ast.ParenExpr:
			return render(e.X)
		}
		return "X"
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch e := n.(type) {
		case *ast.BinaryExpr:
			if e.Op == token.ADD {
				out = append(out, render(e))
				return false // its operands are part of it
			}
		case *ast.BasicLit:
			if e.Kind == token.STRING {
				out = append(out, render(e))
			}
		}
		return true
	})
	return out
}
