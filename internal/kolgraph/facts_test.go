package kolgraph_test

import (
	"math"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

func TestPrescriptionFactValidate(t *testing.T) {
	ok := kolgraph.PrescriptionFact{HCPID: "P001", ProductID: "PR01", Month: "2026-01", Volume: 0}
	if ps := ok.Validate(); len(ps) != 0 {
		t.Errorf("a valid fact: got problems %v", ps)
	}
	for _, c := range []struct {
		name, field string
		edit        func(f *kolgraph.PrescriptionFact)
	}{
		{"Neither", "hcp_id", func(f *kolgraph.PrescriptionFact) { f.HCPID = "" }},
		{"Both", "department_id", func(f *kolgraph.PrescriptionFact) { f.DepartmentID = "D001" }},
		{"BadHCP", "hcp_id", func(f *kolgraph.PrescriptionFact) { f.HCPID = "a b" }},
		{"NoProduct", "product_id", func(f *kolgraph.PrescriptionFact) { f.ProductID = "" }},
		{"Month13", "month", func(f *kolgraph.PrescriptionFact) { f.Month = "2026-13" }},
		{"Month00", "month", func(f *kolgraph.PrescriptionFact) { f.Month = "2026-00" }},
		{"ShortMonth", "month", func(f *kolgraph.PrescriptionFact) { f.Month = "2026-1" }},
		{"Date", "month", func(f *kolgraph.PrescriptionFact) { f.Month = "2026-01-01" }},
		{"Negative", "volume", func(f *kolgraph.PrescriptionFact) { f.Volume = -0.5 }},
		{"NaN", "volume", func(f *kolgraph.PrescriptionFact) { f.Volume = math.NaN() }},
		{"Inf", "volume", func(f *kolgraph.PrescriptionFact) { f.Volume = math.Inf(1) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := ok
			c.edit(&f)
			ps := f.Validate()
			if len(ps) == 0 || ps[0].Field != c.field {
				t.Errorf("got problems %v, want one on %s", ps, c.field)
			}
		})
	}
}

func TestPrescriptionFactKeyID(t *testing.T) {
	for _, c := range []struct {
		key  kolgraph.PrescriptionFactKey
		want string
	}{
		{kolgraph.PrescriptionFactKey{HCPID: "P001", ProductID: "PR01", Month: "2026-01"}, "P001->PR01@2026-01"},
		{kolgraph.PrescriptionFactKey{DepartmentID: "D001-01", ProductID: "PR02", Month: "2025-12"}, "D001-01->PR02@2025-12"},
	} {
		if got := c.key.ID(); got != c.want {
			t.Errorf("%+v.ID(): got %q, want %q", c.key, got, c.want)
		}
	}
}
