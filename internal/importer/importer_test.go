package importer_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/kolgraph/kolgraph/internal/embedded"
	"github.com/kolgraph/kolgraph/internal/embedded/embeddedtest"
	"github.com/kolgraph/kolgraph/internal/importer"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/internal/storetest"
	"github.com/kolgraph/kolgraph/internal/writer"
)

func store(t *testing.T) *embedded.Store {
	return embeddedtest.Open(t, storetest.Fixture())
}

const hcpHeader = "id,name,role,title,position,specialty,department_id,hospital_id,kol_level,kol_evidence,phone,email,wechat\n"
const infHeader = "from,to,weight,kind,evidence,updated_at\n"
const shareHeader = "department_id,product_id,indication_share\n"

// problems returns the problems of a rejected import, failing unless err
// is BAD_USER_INPUT.
func problems(t *testing.T, err error) []kolgraph.Problem {
	t.Helper()
	var kerr *kolgraph.Error
	if !errors.As(err, &kerr) || kerr.Code != kolgraph.EINVALID {
		t.Fatalf("got %v, want BAD_USER_INPUT", err)
	}
	return kerr.Problems
}

func wantProblem(t *testing.T, ps []kolgraph.Problem, file string, line int, field, msg string) {
	t.Helper()
	for _, p := range ps {
		if p.File == file && p.Line == line && p.Field == field && strings.Contains(p.Message, msg) {
			return
		}
	}
	t.Errorf("no problem %s:%d field %q containing %q in %v", file, line, field, msg, ps)
}

// TestBadInputIsNamed checks that each kind of bad input is rejected with
// its file, line and column, and that nothing is written.
func TestBadInputIsNamed(t *testing.T) {
	tests := []struct {
		name        string
		file, data  string
		line        int
		field, want string
	}{
		{"weight above 1", "influences.csv", infHeader + "P001,P002,0.5,mentor,,\nP001,P003,1.5,mentor,,\n", 3, "weight", "(0, 1]"},
		{"weight 0", "influences.csv", infHeader + "P001,P002,0,mentor,,\n", 2, "weight", "(0, 1]"},
		{"negative weight", "influences.csv", infHeader + "P001,P002,-0.2,mentor,,\n", 2, "weight", "(0, 1]"},
		{"unknown HCP", "influences.csv", infHeader + "P001,P404,0.5,mentor,,\n", 2, "to", "P404"},
		{"unknown department", "hcps.csv", hcpHeader + "P011,New,physician,,,,D009-09,H001,,,,,\n", 2, "department_id", "D009-09"},
		{"duplicate id", "hcps.csv", hcpHeader + "P011,A,physician,,,,D001-01,H001,,,,,\nP011,B,physician,,,,D001-01,H001,,,,,\n", 3, "id", "duplicate"},
		{"wrong type", "hospitals.csv", "id,name,tier,beds\nH009,X,3A,many\n", 2, "beds", "not an integer"},
		{"not a number", "influences.csv", infHeader + "P001,P002,strong,mentor,,\n", 2, "weight", "not a finite number"},
		{"bad enum", "hcps.csv", hcpHeader + "P011,A,surgeon,,,,D001-01,H001,,,,,\n", 2, "role", "must be one of"},
		{"formula =", "hcps.csv", hcpHeader + `P011,"=HYPERLINK(""http://x"",""a"")",physician,,,,D001-01,H001,,,,,` + "\n", 2, "name", "formula"},
		{"formula +", "influences.csv", infHeader + "P001,P002,0.5,mentor,+cmd|' /C calc'!A0,\n", 2, "evidence", "formula"},
		{"formula -", "hospitals.csv", "id,name,tier\nH009,-2+3,3A\n", 2, "name", "formula"},
		{"formula @", "hcps.csv", hcpHeader + "P011,A,physician,,,,D001-01,H001,,,,@SUM(1),\n", 2, "email", "formula"},
		{"neither UTF-8 nor GBK", "hcps.csv", hcpHeader + "P011,\xff\xfe,physician,,,,D001-01,H001,,,,,\n", 2, "", "neither UTF-8 nor GB18030"},
		{"unknown column", "hcps.csv", "id,name,role,department_id,hospital_id,shoe_size\nP011,A,physician,D001-01,H001,44\n", 1, "shoe_size", "not a column"},
		{"indication share above 1", "indication_shares.csv", shareHeader + "D001-01,PR01,0.3\nD003-01,PR02,1.5\n", 3,
			"indication_share", "between 0 and 1"},
		{"indication share of an unknown department", "indication_shares.csv", shareHeader + "D009-09,PR01,0.3\n", 2,
			"department_id", "D009-09"},
		{"indication share of an unknown product", "indication_shares.csv", shareHeader + "D001-01,PR09,0.3\n", 2,
			"product_id", "PR09"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := store(t)
			svc := &importer.Service{Store: s, Writer: writer.New(s, nil)}
			_, err := svc.Import(t.Context(), "U01", importer.CSV, []importer.File{{Name: tc.file, Data: []byte(tc.data)}}, false)
			wantProblem(t, problems(t, err), tc.file, tc.line, tc.field, tc.want)
			if v, _ := s.Version(t.Context()); v != 1 {
				t.Errorf("version after a rejected import: %d, want 1", v)
			}
		})
	}
}

func TestPhoneNumbersAreNotFormulas(t *testing.T) {
	s := store(t)
	svc := &importer.Service{Store: s, Writer: writer.New(s, nil)}
	res, err := svc.Import(t.Context(), "U01", importer.CSV, []importer.File{{Name: "hcps.csv",
		Data: []byte(hcpHeader + "P011,A,physician,,,,D001-01,H001,,,+86 138 0000 0011,,\n")}}, false)
	if err != nil || res.Counts[kolgraph.KindHCPs].Created != 1 {
		t.Fatalf("a phone number +86 ...: got %v, %+v; want it imported", err, res)
	}
	_, err = svc.Import(t.Context(), "U01", importer.CSV, []importer.File{{Name: "hcps.csv",
		Data: []byte(hcpHeader + "P012,A,physician,,,,D001-01,H001,,,+1+cmd,,\n")}}, false)
	wantProblem(t, problems(t, err), "hcps.csv", 2, "phone", "formula")
}

func TestOversizeFile(t *testing.T) {
	s := store(t)
	svc := &importer.Service{Store: s, Writer: writer.New(s, nil), Opts: importer.Options{MaxBytes: 100}}
	data := hcpHeader + strings.Repeat("P011,A,physician,,,,D001-01,H001,,,,,\n", 5)
	_, err := svc.Import(t.Context(), "U01", importer.CSV, []importer.File{{Name: "hcps.csv", Data: []byte(data)}}, false)
	wantProblem(t, problems(t, err), "hcps.csv", 0, "", "limit of 100 bytes")
}

func TestDryRunCountsAndWritesNothing(t *testing.T) {
	s := store(t)
	svc := &importer.Service{Store: s, Writer: writer.New(s, nil)}
	files := []importer.File{
		{Name: "hcps.csv", Data: []byte(hcpHeader +
			"P001,王伟,physician,chief,department_head,cardiology,D001-01,H001,national,guideline_author|society_chair,+86 138 0000 0001,wang.wei@example.cn,wangwei_md\n" + // unchanged
			"P002,李娜,physician,chief,,cardiology,D001-01,H001,,,,,\n" + // title attending -> chief
			"P011,New,nurse,,,cardiology,D001-01,H001,,,,,\n")}, // new
	}
	dry, err := svc.Import(t.Context(), "U01", importer.CSV, files, true)
	if err != nil {
		t.Fatal(err)
	}
	want := writer.Counts{Created: 1, Updated: 1, Unchanged: 1}
	if got := *dry.Counts[kolgraph.KindHCPs]; got != want || dry.Written || dry.Rows != 3 {
		t.Errorf("dry run: counts %+v written %v rows %d, want %+v false 3", got, dry.Written, dry.Rows, want)
	}
	if v, _ := s.Version(t.Context()); v != 1 {
		t.Errorf("version after a dry run: %d, want 1", v)
	}
	real, err := svc.Import(t.Context(), "U01", importer.CSV, files, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := *real.Counts[kolgraph.KindHCPs]; got != want || !real.Written || real.Version != 2 {
		t.Errorf("import: counts %+v written %v version %d, want %+v true 2", got, real.Written, real.Version, want)
	}
}

// workbook builds an XLSX file from sheets of rows.
func workbook(t *testing.T, sheets map[string][][]any) []byte {
	t.Helper()
	wb := excelize.NewFile()
	defer wb.Close()
	first := true
	for name, rows := range sheets {
		if first {
			if err := wb.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
			first = false
		} else if _, err := wb.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			if r == nil {
				continue // an empty row
			}
			if err := wb.SetSheetRow(name, fmt.Sprintf("A%d", i+1), &r); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestXLSXProblemsNameSheetAndRow(t *testing.T) {
	s := store(t)
	svc := &importer.Service{Store: s, Writer: writer.New(s, nil)}
	data := workbook(t, map[string][][]any{
		"influences": {
			{"from", "to", "weight", "kind", "evidence"},
			{"P001", "P002", 0.5, "mentor", "line one\nline two"}, // a multi-line cell
			nil, // an empty row
			{"P001", "P003", 1.5, "mentor", ""},
		},
	})
	_, err := svc.Import(t.Context(), "U01", importer.XLSX, []importer.File{{Name: "region.xlsx", Data: data}}, false)
	ps := problems(t, err)
	wantProblem(t, ps, "influences", 4, "weight", "(0, 1]")
	if len(ps) != 1 {
		t.Errorf("got %d problems %v, want 1", len(ps), ps)
	}
	_, err = svc.Import(t.Context(), "U01", importer.XLSX, []importer.File{{Name: "region.xlsx", Data: []byte("PK not a zip")}}, false)
	wantProblem(t, problems(t, err), "region.xlsx", 0, "", "not an XLSX workbook")
	shares := workbook(t, map[string][][]any{
		"indication_shares": {{"department_id", "product_id", "indication_share"}, {"D001-01", "PR01", 0.3}, {"D404", "PR01", 0.3}},
	})
	_, err = svc.Import(t.Context(), "U01", importer.XLSX, []importer.File{{Name: "region.xlsx", Data: shares}}, false)
	wantProblem(t, problems(t, err), "indication_shares", 3, "department_id", "D404")
	bad := workbook(t, map[string][][]any{"doctors": {{"id"}}})
	_, err = svc.Import(t.Context(), "U01", importer.XLSX, []importer.File{{Name: "region.xlsx", Data: bad}}, false)
	wantProblem(t, problems(t, err), "region.xlsx", 0, "", "has no sheet of the format; expected territories, hospitals")
}

// TestTemplateRoundTrip fills the template and imports it.
func TestTemplateRoundTrip(t *testing.T) {
	data, err := importer.Template()
	if err != nil {
		t.Fatal(err)
	}
	wb, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	sheets := wb.GetSheetList()
	if len(sheets) != 14 || sheets[0] != "README" || sheets[13] != "prescriptions" {
		t.Fatalf("template sheets: %q, want README and 13 kinds, prescriptions last", sheets)
	}
	if header, err := wb.GetRows("prescriptions"); err != nil || strings.Join(header[0], ",") != "hcp_id,department_id,product_id,month,volume" {
		t.Fatalf("prescriptions header: got %v (%v)", header, err)
	}
	header, err := wb.GetRows("hcps")
	if err != nil || strings.Join(header[0], ",")+"\n" != hcpHeader {
		t.Fatalf("hcps header: got %v (%v), want %q", header, err, hcpHeader)
	}
	for i, v := range []string{"P011", "New", "physician", "", "", "cardiology", "D001-01", "H001", "", "", "+86 138 0000 0011"} {
		if v != "" {
			wb.SetCellStr("hcps", fmt.Sprintf("%c2", 'A'+i), v)
		}
	}
	wb.SetCellStr("influences", "A2", "P011")
	wb.SetCellStr("influences", "B2", "P001")
	wb.SetCellFloat("influences", "C2", 0.75, -1, 64)
	wb.SetCellStr("influences", "D2", "referral")
	wb.SetCellStr("listings", "A2", "H002")
	wb.SetCellStr("listings", "B2", "PR03")
	wb.SetCellStr("listings", "C2", "listed")
	wb.SetCellValue("listings", "D2", mustDate(t, wb)) // a date cell
	wb.SetCellStr("prescriptions", "A2", "P011")
	wb.SetCellStr("prescriptions", "C2", "PR01")
	wb.SetCellStr("prescriptions", "D2", "2026-01")
	wb.SetCellFloat("prescriptions", "E2", 12.5, -1, 64)
	wb.SetCellStr("prescriptions", "A3", "P011")
	wb.SetCellStr("prescriptions", "C3", "PR02")
	dateStyle, _ := wb.NewStyle(&excelize.Style{NumFmt: 14})
	wb.SetCellValue("prescriptions", "D3", 46023) // a date cell: 2026-01-01, read as its month
	wb.SetCellStyle("prescriptions", "D3", "D3", dateStyle)
	wb.SetCellFloat("prescriptions", "E3", 3, -1, 64)
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	s := store(t)
	svc := &importer.Service{Store: s, Writer: writer.New(s, nil)}
	res, err := svc.Import(t.Context(), "U01", importer.XLSX, []importer.File{{Name: "filled.xlsx", Data: buf.Bytes()}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Counts[kolgraph.KindPrescriptions]; c == nil || c.Created != 2 {
		t.Errorf("prescriptions: got %+v, want 2 created", c)
	}
	for _, k := range []string{kolgraph.KindHCPs, kolgraph.KindInfluences, kolgraph.KindListings} {
		if c := res.Counts[k]; c == nil || c.Created != 1 {
			t.Errorf("%s: got %+v, want 1 created", k, c)
		}
	}
	ls, _ := s.ListingsOfHospitals(t.Context(), []string{"H002"})
	found := false
	for _, l := range ls[0] {
		if l.ProductID == "PR03" {
			found = true
			if l.Since != "2024-03-15" {
				t.Errorf("since from a date cell: got %q, want 2024-03-15", l.Since)
			}
		}
	}
	if !found {
		t.Error("listing H002 -> PR03 not imported")
	}
	for _, want := range []kolgraph.PrescriptionFact{
		{HCPID: "P011", ProductID: "PR01", Month: "2026-01", Volume: 12.5},
		{HCPID: "P011", ProductID: "PR02", Month: "2026-01", Volume: 3},
	} {
		if fs, err := s.PrescriptionFacts(t.Context(), []kolgraph.PrescriptionFactKey{want.Key()}); err != nil || fs[0] == nil || *fs[0] != want {
			t.Errorf("imported fact: got %v, %v; want %+v", fs, err, want)
		}
	}
}

// mustDate returns a date cell value for 2024-03-15 and styles D2 as a
// date, as a spreadsheet would store a typed date.
func mustDate(t *testing.T, wb *excelize.File) any {
	t.Helper()
	style, err := wb.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	wb.SetCellStyle("listings", "D2", "D2", style)
	return 45366 // Excel's serial number of 2024-03-15
}

// TestUpdatedAtWithoutTheColumn: an edge imported without updated_at keeps
// the stored time when nothing else changed, and gets the import's time
// when it did.
func TestUpdatedAtWithoutTheColumn(t *testing.T) {
	s := store(t)
	svc := &importer.Service{Store: s, Writer: writer.New(s, nil)}
	data := "from,to,weight,kind,evidence\nP001,P002,0.9,reports_to,P002 reports to P001\nP001,P003,0.7,committee_peer,P&T C001\n"
	res, err := svc.Import(t.Context(), "U01", importer.CSV, []importer.File{{Name: "influences.csv", Data: []byte(data)}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if c := *res.Counts[kolgraph.KindInfluences]; c != (writer.Counts{Updated: 1, Unchanged: 1}) {
		t.Errorf("counts: got %+v, want 1 updated (the weight), 1 unchanged", c)
	}
	es, _ := s.Influences(t.Context(), []kolgraph.EdgeKey{{From: "P001", To: "P002"}, {From: "P001", To: "P003"}})
	if !es[0].UpdatedAt.Equal(storetest.Fixture().Influences[4].UpdatedAt) || !es[1].UpdatedAt.After(es[0].UpdatedAt) {
		t.Errorf("updatedAt: got %v and %v, want the stored time kept and a new one", es[0].UpdatedAt, es[1].UpdatedAt)
	}
}

// countingReaderAt counts the bytes read from it.
type countingReaderAt struct {
	r *strings.Reader
	n int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n += int64(n)
	return n, err
}

// TestStreamedFiles: a file given as Content (an upload on disk) imports
// as its bytes would, is read once, and one over the limit is refused by
// its Size without being read.
func TestStreamedFiles(t *testing.T) {
	s := store(t)
	svc := &importer.Service{Store: s, Writer: writer.New(s, nil), Opts: importer.Options{MaxBytes: 1000}}
	data := hcpHeader + "P011,A,physician,,,,D001-01,H001,,,,,\nP012,B,nurse,,,,D001-01,H001,,,,,\n"
	src := &countingReaderAt{r: strings.NewReader(data)}
	res, err := svc.Import(t.Context(), "U01", importer.CSV, []importer.File{{Name: "hcps.csv", Content: src, Size: int64(len(data))}}, true)
	if err != nil || res.Rows != 2 || res.Counts[kolgraph.KindHCPs].Created != 2 {
		t.Fatalf("got %v, %+v; want 2 HCPs to create", err, res)
	}
	if src.n != int64(len(data)) {
		t.Errorf("read %d bytes of a %d-byte file, want each byte once", src.n, len(data))
	}
	big := &countingReaderAt{r: strings.NewReader(strings.Repeat("x", 2000))}
	_, err = svc.Import(t.Context(), "U01", importer.CSV, []importer.File{{Name: "hcps.csv", Content: big, Size: 2000}}, true)
	wantProblem(t, problems(t, err), "hcps.csv", 0, "", "more than the import limit of 1000 bytes")
	if big.n != 0 {
		t.Errorf("read %d bytes of a file over the limit", big.n)
	}
}

// TestIndicationShares imports per-product shares: a new one is created, a
// stored one updated, and each is in the store afterwards.
func TestIndicationShares(t *testing.T) {
	s := store(t)
	svc := &importer.Service{Store: s, Writer: writer.New(s, nil)}
	res, err := svc.Import(t.Context(), "U01", importer.CSV, []importer.File{{Name: "indication_shares.csv",
		Data: []byte(shareHeader + "D001-01,PR02,0.2\nD003-01,PR01,0.15\n")}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Counts[kolgraph.KindIndicationShares]; c == nil || c.Created != 1 || c.Updated != 1 {
		t.Errorf("counts: got %+v, want 1 created, 1 updated", c)
	}
	got, err := s.ProductSharesOfDepartments(t.Context(), []string{"D001-01", "D003-01"})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]kolgraph.ProductShare{
		{{DepartmentID: "D001-01", ProductID: "PR01", Share: 0.4}, {DepartmentID: "D001-01", ProductID: "PR02", Share: 0.2}},
		{{DepartmentID: "D003-01", ProductID: "PR01", Share: 0.15}, {DepartmentID: "D003-01", ProductID: "PR02", Share: 0.25}},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("stored shares: got %v, want %v", got, want)
	}
}

// TestDryRunAgreesWithTheImport: what the store refuses on import, the dry
// run refuses too, with the same problems (issue 20: an HCP whose
// hospital_id disagrees with its stored department's dry-ran as "created
// 1"; so did a department moving hospital while its HCPs stay).
func TestDryRunAgreesWithTheImport(t *testing.T) {
	deptCols, _ := seedfile.Columns("departments.csv")
	for name, tc := range map[string]struct {
		f         importer.File
		file      string // of the first problem
		line      int
		fieldWant string
	}{
		"hcp in another hospital than its department": {importer.File{Name: "hcps.csv", Data: []byte(hcpHeader +
			"P011,New,physician,attending,,cardiology,D001-01,H002,,,,,\n")}, "hcps.csv", 2, "hospital_id"},
		// The stored HCPs of D001-01 are not in the file: named as records.
		"department moves without its HCPs": {importer.File{Name: "departments.csv", Data: []byte(strings.Join(deptCols, ",") + "\n" +
			"D001-01,H002,心内科,cardiology" + strings.Repeat(",", len(deptCols)-4) + "\n")}, "hcps/P001", 0, "hospital_id"},
	} {
		f := tc.f
		t.Run(name, func(t *testing.T) {
			s := store(t)
			svc := &importer.Service{Store: s, Writer: writer.New(s, nil)}
			_, dryErr := svc.Import(t.Context(), "U01", importer.CSV, []importer.File{f}, true)
			_, err := svc.Import(t.Context(), "U01", importer.CSV, []importer.File{f}, false)
			ps := problems(t, err)
			if dry := problems(t, dryErr); fmt.Sprint(dry) != fmt.Sprint(ps) {
				t.Errorf("dry run and import disagree:\n dry run: %v\n import:  %v", dry, ps)
			}
			// The refusal names the file and line of the record.
			if len(ps) == 0 || ps[0].File != tc.file || ps[0].Line != tc.line || ps[0].Field != tc.fieldWant {
				t.Errorf("problems %v: want %s:%d field %s first", ps, tc.file, tc.line, tc.fieldWant)
			}
			if v, _ := s.Version(t.Context()); v != 1 {
				t.Errorf("version after the refused import: %d, want 1", v)
			}
		})
	}
}

// TestColumnsLeftOutKeepStoredValues: a file with some columns changes
// those and keeps the others as stored (issue 20: an hcps.csv with only
// id,name,role,department_id,hospital_id cleared every listed HCP's title,
// position, KOL level, evidence, phone and email; a departments.csv without
// its potential inputs sent accounts to "unclassified"). An empty cell in a
// column that is there still clears; a new record gets the left-out fields
// empty; the dry run says so and agrees with the import.
func TestColumnsLeftOutKeepStoredValues(t *testing.T) {
	s := store(t)
	svc := &importer.Service{Store: s, Writer: writer.New(s, nil)}
	files := []importer.File{
		{Name: "hcps.csv", Data: []byte("id,name,role,department_id,hospital_id,phone\n" +
			"P001,王伟,physician,D001-01,H001,\n" + // phone there but empty: cleared
			"P002,李娜娜,physician,D001-01,H001,+86 139 0000 0002\n" + // renamed, phone set
			"P011,New,physician,D001-01,H001,\n")}, // new: left-out fields empty
		{Name: "departments.csv", Data: []byte("id,hospital_id,name,specialty\n" +
			"D001-01,H001,心内科 Cardiology,cardiology\n")},
	}
	dry, err := svc.Import(t.Context(), "U01", importer.CSV, files, true)
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Import(t.Context(), "U01", importer.CSV, files, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{kolgraph.KindHCPs, kolgraph.KindDepartments} {
		if *dry.Counts[k] != *res.Counts[k] {
			t.Errorf("%s: dry run %+v, import %+v", k, *dry.Counts[k], *res.Counts[k])
		}
	}
	if got, want := *res.Counts[kolgraph.KindHCPs], (writer.Counts{Created: 1, Updated: 2}); got != want {
		t.Errorf("hcps: %+v, want %+v", got, want)
	}
	if got, want := *res.Counts[kolgraph.KindDepartments], (writer.Counts{Unchanged: 1}); got != want {
		t.Errorf("departments: %+v, want %+v (no input cleared)", got, want)
	}
	if !slices.ContainsFunc(res.Notes, func(n string) bool {
		return strings.Contains(n, "hcps.csv") && strings.Contains(n, "keep their stored values") && strings.Contains(n, "kol_level")
	}) {
		t.Errorf("notes do not say which columns keep their values: %q", res.Notes)
	}
	hs, _ := s.HCPs(t.Context(), []string{"P001", "P002", "P011"})
	p1, p2, p11 := hs[0], hs[1], hs[2]
	if p1.Title != "chief" || p1.Position != "department_head" || p1.KOLLevel != kolgraph.KOLNational ||
		len(p1.KOLEvidence) != 2 || p1.Email != "wang.wei@example.cn" || p1.WeChat != "wangwei_md" || p1.Phone != "" {
		t.Errorf("P001 after the import: %+v (kept fields lost, or the empty phone not cleared)", p1)
	}
	if p2.Name != "李娜娜" || p2.Title != "attending" || p2.Specialty != "cardiology" || p2.Phone != "+86 139 0000 0002" {
		t.Errorf("P002 after the import: %+v", p2)
	}
	if p11 == nil || p11.Title != "" || p11.Specialty != "" {
		t.Errorf("P011: %+v", p11)
	}
	ds, _ := s.Departments(t.Context(), []string{"D001-01"})
	if d := ds[0]; d.WeeklyOutpatients == nil || *d.WeeklyOutpatients != 1200 || d.DRGEnrollmentRate == nil || *d.DRGEnrollmentRate != 0.45 {
		t.Errorf("D001-01 after the import: %+v", d)
	}
}
