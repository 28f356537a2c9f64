package kolgraph_test

import (
	"regexp"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// idRegexp is the id syntax as the design states it; ValidID is its
// hand-written form and must agree on every input.
var idRegexp = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$`)

func FuzzValidIDMatchesRegexp(f *testing.F) {
	for _, s := range []string{"", "H001", "D001-03", "P000123", "_x", "-x", "a.b:c_d-e", "é", "H 1",
		"a\x00", "A1234567890123456789012345678901234567890123456789012345678901234",
		"A123456789012345678901234567890123456789012345678901234567890123", "x\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := kolgraph.ValidID(s), idRegexp.MatchString(s); got != want {
			t.Fatalf("ValidID(%q) = %v, the regexp says %v", s, got, want)
		}
	})
}
