package kolgraph

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

// TestEveryCodeHasAStatus reads the code constants from error.go, so that a
// code added without a row in the table (which would fall back to 400) fails
// here rather than in front of a client.
func TestEveryCodeHasAStatus(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "error.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			for i, name := range v.Names {
				if !strings.HasPrefix(name.Name, "E") || i >= len(v.Values) {
					continue
				}
				lit, ok := v.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				code, _ := strconv.Unquote(lit.Value)
				n++
				if httpStatus[code] == 0 {
					t.Errorf("code %s (%s) has no HTTP status in the table", name.Name, code)
				}
			}
		}
	}
	if n < 11 {
		t.Errorf("found %d codes in error.go, want at least 11: the test no longer reads them", n)
	}
}
