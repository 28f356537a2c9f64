package seedfile_test

import (
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
)

// TestCSVAsSpreadsheetsLeaveIt reads hcps.csv files as Excel and WPS save
// them: other separators, headers in other case or with spaces, blank
// columns and rows at the end.
func TestCSVAsSpreadsheetsLeaveIt(t *testing.T) {
	tests := []struct {
		name, data string
		notes      []string
	}{
		{"semicolons", "id;name;role;department_id;hospital_id\nP1;郑伟伟;physician;D1;H1\nP2;\"李;娜\";nurse;D1;H1\n",
			[]string{"hcps.csv: columns separated by semicolons"}},
		{"tabs", "id\tname\trole\tdepartment_id\thospital_id\nP1\t郑伟伟\tphysician\tD1\tH1\nP2\t李;娜\tnurse\tD1\tH1\n",
			[]string{"hcps.csv: columns separated by tabs"}},
		{"header case and spaces", "\uFEFF  ID , Name,ROLE,Department_ID ,\u3000hospital_id\nP1,郑伟伟,physician,D1,H1\nP2,李;娜,nurse,D1,H1\n", nil},
		{"blank columns and rows at the end", "id,name,role,department_id,hospital_id,,,\n" +
			"P1,郑伟伟,physician,D1,H1,,,\nP2,李;娜,nurse,D1,H1\n,,,,,,,\n , ,,,,,,\n",
			[]string{"hcps.csv: 3 empty columns at the end of the header ignored", "hcps.csv: 2 blank rows ignored"}},
		{"rows wider by blank cells", "id,name,role,department_id,hospital_id\nP1,郑伟伟,physician,D1,H1,,\nP2,李;娜,nurse,D1,H1\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			names, notes := readNotes(t, map[string]*string{seedfile.HCPsFile: s(tt.data)})
			if got := strings.Join(names, "|"); got != "郑伟伟|李;娜" {
				t.Errorf("names: got %q", got)
			}
			for _, w := range tt.notes {
				if !hasNote(notes, w) {
					t.Errorf("no note %q in %q", w, notes)
				}
			}
		})
	}
}

// TestCSVLayoutProblems: what a lenient reader must still refuse, said
// plainly.
func TestCSVLayoutProblems(t *testing.T) {
	tests := []struct {
		name, data string
		want       kolgraph.Problem
	}{
		{"value under a blank header column", "id,name,role,department_id,hospital_id,,\nP1,A,physician,D1,H1,,x\nP2,B,nurse,D1,H1,,\n",
			kolgraph.Problem{File: "hcps.csv", Line: 2, Message: "has a value in column 7, which has no name in the header"}},
		{"blank header column inside", "id,,name,role,department_id,hospital_id\nP1,,A,physician,D1,H1\nP2,,B,nurse,D1,H1\n",
			kolgraph.Problem{File: "hcps.csv", Line: 1, Message: "column 2 of the header is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problems(t, files(map[string]*string{seedfile.HCPsFile: s(tt.data)}), seedfile.ReadOptions{})
			if len(got) != 1 {
				t.Fatalf("got %d problems, want 1:\n%s", len(got), list(got))
			}
			if g, w := got[0], tt.want; g.File != w.File || g.Line != w.Line || g.Field != w.Field || !strings.Contains(g.Message, w.Message) {
				t.Errorf("got %v, want %v", g, w)
			}
		})
	}
}
