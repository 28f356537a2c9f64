package kolgraph_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// TestCheckFields: problems name the record as kind/id, kind[i] or
// kind/a->b, in the order of the kinds; the writer's variant lets an HCP
// leave out only the hospital it derives.
func TestCheckFields(t *testing.T) {
	hcp := func(hospital string) *kolgraph.HCP {
		return &kolgraph.HCP{ID: "P1", Name: "Li", Role: kolgraph.RolePhysician, DepartmentID: "D1", HospitalID: hospital}
	}
	cases := []struct {
		name   string
		cs     kolgraph.ChangeSet
		derive bool
		want   []kolgraph.Problem // File and Field only
	}{
		{name: "valid", cs: kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{hcp("H1")}}},
		{name: "nil and no id", cs: kolgraph.ChangeSet{
			Hospitals:  []*kolgraph.Hospital{nil, {Name: "A", Tier: "3A"}},
			Influences: []*kolgraph.Influence{{From: "P1", To: "P2", Kind: "mentor"}},
		}, want: []kolgraph.Problem{{File: "hospitals[0]"}, {File: "hospitals[1]", Field: "id"},
			{File: "influences/P1->P2", Field: "weight"}}},
		{name: "no hospital", cs: kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{hcp("")}},
			want: []kolgraph.Problem{{File: "hcps/P1", Field: "hospital_id"}}},
		{name: "no hospital to derive", cs: kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{hcp("")}}, derive: true},
		{name: "bad hospital to derive", cs: kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{hcp("H 1")}}, derive: true,
			want: []kolgraph.Problem{{File: "hcps/P1", Field: "hospital_id"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			check := c.cs.CheckFields
			if c.derive {
				check = c.cs.CheckFieldsToDerive
			}
			var got []kolgraph.Problem
			var e *kolgraph.Error
			if err := check(); errors.As(err, &e) {
				for _, p := range e.Problems {
					got = append(got, kolgraph.Problem{File: p.File, Field: p.Field})
				}
			} else if err != nil {
				t.Fatalf("got %v, want a *kolgraph.Error", err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("problem %d: got %v, want %v", i, got[i], c.want[i])
				}
			}
		})
	}
}

// TestFormulaLike: one rule for formula-looking text, whatever hides the
// formula's first character (issue 20: the import accepted full-width and
// leading-space forms).
func TestFormulaLike(t *testing.T) {
	for s, want := range map[string]bool{
		"=1+1": true, "+1": true, "-1": true, "@SUM(A1)": true, "\t=1": true, "\r=1": true, "\tcmd": true, "\rcmd": true, "\n=1": true,
		" =1+1": true, "  +1": true, "\u3000=1": true, "\u00a0@SUM(A1)": true, "\ufeff=1": true, "\u200b+1": true,
		"＝1+1": true, "＋1": true, "－1": true, "＠x": true, " ＝1": true, `=HYPERLINK("http://x","y")`: true,
		"": false, " ": false, "张伟": false, "a=b": false, "1-2": false, "H001": false, "(=1)": false, "'=1": false,
	} {
		if got := kolgraph.FormulaLike(s); got != want {
			t.Errorf("FormulaLike(%q) = %v, want %v", s, got, want)
		}
	}
	h := &kolgraph.Hospital{ID: "H1", Name: " =HYPERLINK(\"http://x\")", Tier: "3A"}
	if ps := h.Validate(); len(ps) != 1 || ps[0].Field != "name" || !strings.Contains(ps[0].Message, "Excel drops it") {
		t.Errorf("hospital named with a leading-space formula: %+v", ps)
	}
}

// TestKeepIsTheWritersToResolve: a store refuses a change set with fields
// to keep (it cannot resolve them); the writer's check accepts known
// optional fields and refuses others.
func TestKeepIsTheWritersToResolve(t *testing.T) {
	cs := &kolgraph.ChangeSet{Keep: map[string][]string{kolgraph.KindHCPs: {"title", "phone"}}}
	if err := cs.CheckFields(); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("a store given Keep: got %v, want EINVALID", err)
	}
	if err := cs.CheckFieldsToDerive(); err != nil {
		t.Errorf("the writer given Keep: %v", err)
	}
	for _, keep := range []map[string][]string{
		{kolgraph.KindHCPs: {"hospital_id"}}, // derived by its own rule
		{kolgraph.KindHCPs: {"name"}},        // required
		{kolgraph.KindInfluences: {"updated_at"}},
		{kolgraph.KindKnows: {"strength"}},
	} {
		cs := &kolgraph.ChangeSet{Keep: keep}
		if err := cs.CheckFieldsToDerive(); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
			t.Errorf("Keep %v: got %v, want EINVALID", keep, err)
		}
	}
}
