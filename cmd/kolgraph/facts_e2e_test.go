package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
)

// TestImportPrescriptions imports a prescriptions.csv as a regional manager
// would: a good file writes every fact (and the counts say so); a file
// with bad rows is BAD_USER_INPUT naming each row's file, line and column,
// and writes nothing.
func TestImportPrescriptions(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a service of its own")
	}
	m := ownService(t)
	h, st := m.Handler(), m.Store
	pg, err := st.ListHCPs(t.Context(), kolgraph.HCPFilter{Territories: []string{"T01"}, Role: kolgraph.RolePhysician},
		kolgraph.Page{First: 5})
	if err != nil || len(pg.Items) != 5 {
		t.Fatalf("five T01 physicians: got %v, %v", pg, err)
	}
	products, err := st.ListProducts(t.Context())
	if err != nil || len(products) == 0 {
		t.Fatalf("products: %v, %v", products, err)
	}
	product := products[0].ID
	var b strings.Builder
	b.WriteString("hcp_id,department_id,product_id,month,volume\n")
	for _, hcp := range pg.Items {
		for month := 1; month <= 12; month++ {
			fmt.Fprintf(&b, "%s,,%s,2026-%02d,%d.5\n", hcp.ID, product, month, month)
		}
	}
	dept := pg.Items[0].DepartmentID
	fmt.Fprintf(&b, ",%s,%s,2026-12,140\n", dept, product)
	const importQ = `mutation($f: [ImportFile!]!) { importRegion(format: CSV, files: $f) { changed rows counts { kind created } } }`
	file := func(content string) map[string]any {
		return map[string]any{"f": []map[string]any{{"name": seedfile.PrescriptionsFile, "content": content}}}
	}
	var got struct {
		ImportRegion struct {
			Changed bool
			Rows    int
			Counts  []struct {
				Kind    string
				Created int
			}
		}
	}
	mustQuery(t, h, importQ, file(b.String()), &got)
	r := got.ImportRegion
	if !r.Changed || r.Rows != 61 || len(r.Counts) != 1 || r.Counts[0].Kind != "PRESCRIPTIONS" || r.Counts[0].Created != 61 {
		t.Errorf("import of 61 facts: got %+v, want 61 PRESCRIPTIONS created", r)
	}
	rows, err := st.PrescriptionFactsOf(t.Context(), []string{pg.Items[0].ID, dept})
	if err != nil || len(rows[0]) != 12 || len(rows[1]) != 1 || rows[0][11].Month != "2026-12" || rows[0][11].Volume != 12.5 {
		t.Errorf("stored facts of %s and %s: got %v, %v; want 12 months and one", pg.Items[0].ID, dept, rows, err)
	}

	// Bad rows: each named, nothing written.
	v0, _ := st.Version(t.Context())
	hcp := pg.Items[1].ID
	bad := "hcp_id,department_id,product_id,month,volume\n" +
		hcp + ",," + product + ",2027-01,3\n" + // good, but not written
		hcp + ",," + product + ",2027-13,3\n" +
		"P404404,," + product + ",2027-01,3\n" +
		hcp + ",," + product + ",2027-02,-1\n" +
		hcp + ",," + product + ",2027-03,lots\n" +
		hcp + "," + dept + "," + product + ",2027-04,3\n" +
		",," + product + ",2027-05,3\n"
	resp := query(t, h, importQ, file(bad), nil)
	if len(resp.Errors) != 1 || resp.codes()[0] != kolgraph.EINVALID {
		t.Fatalf("import of bad rows: got %+v, want one BAD_USER_INPUT", resp.Errors)
	}
	ps, _ := resp.Errors[0].Extensions["problems"].([]any)
	want := []struct {
		line  int
		field string
	}{{3, "month"}, {4, "hcp_id"}, {5, "volume"}, {6, "volume"}, {7, "department_id"}, {8, "hcp_id"}}
	if len(ps) != len(want) {
		t.Fatalf("problems: got %v, want %d", ps, len(want))
	}
	for i, w := range want {
		p := ps[i].(map[string]any)
		if p["file"] != seedfile.PrescriptionsFile || p["line"] != float64(w.line) || p["field"] != w.field {
			t.Errorf("problem %d: got %v, want %s line %d column %s", i, p, seedfile.PrescriptionsFile, w.line, w.field)
		}
	}
	if v, _ := st.Version(t.Context()); v != v0 {
		t.Errorf("version after the rejected import: %d, want %d", v, v0)
	}
	if rows, _ := st.PrescriptionFactsOf(t.Context(), []string{hcp}); len(rows[0]) != 12 {
		t.Errorf("facts of %s after the rejected import: %d, want the 12 of the first", hcp, len(rows[0]))
	}
}
