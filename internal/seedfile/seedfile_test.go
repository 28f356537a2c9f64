package seedfile_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/internal/seedgen"
)

// base is a small valid file set touching every kind; cases replace files
// of it.
var base = map[string]string{
	seedfile.TerritoriesFile: "id,name\nT1,华东区域\n",
	seedfile.HospitalsFile: "id,name,tier,province,city,beds,ownership,payment_model,territory_id\n" +
		"H1,杭州示例医院,3A,Zhejiang,Hangzhou,1200,public,DRG,T1\n",
	seedfile.DepartmentsFile: "id,hospital_id,name,specialty,weekly_outpatients,indication_share,managed_beds,bed_turnover,discharge_penetration,drg_enrollment_rate,competitor_penetration,policy_sensitivity\n" +
		"D1,H1,心血管内科,cardiology,800,0.3,60,4.5,0.4,0.45,0.3,0.7\n",
	seedfile.HCPsFile: "id,name,role,title,position,specialty,department_id,hospital_id,kol_level,kol_evidence,phone,email,wechat\n" +
		"P1,王伟,physician,chief,department_head,cardiology,D1,H1,national,guideline_author|society_role,138-0000-0001,p1@example.com,wx_p1\n" +
		"P2,李娜,physician,attending,staff,cardiology,D1,H1,,,,,\n",
	seedfile.CommitteesFile:       "id,name,kind,hospital_id\nC1,药事管理与药物治疗学委员会,pt,H1\n",
	seedfile.MembershipsFile:      "committee_id,hcp_id,role\nC1,P1,chair\n",
	seedfile.ProductsFile:         "id,name,indications,specialties\nRX1,Cardiolix,heart failure|hypertension,cardiology\n",
	seedfile.ListingsFile:         "hospital_id,product_id,status,since\nH1,RX1,listed,2023-05-01\n",
	seedfile.IndicationSharesFile: "department_id,product_id,indication_share\nD1,RX1,0.12\n",
	seedfile.UsersFile:            "id,name,role,territories\nU1,张敏,kam,T1\n",
	seedfile.KnowsFile:            "user_id,hcp_id,strength\nU1,P1,0.8\n",
	seedfile.InfluencesFile:       "from,to,weight,kind,evidence,updated_at\nP1,P2,0.9,reports_to,reports to the head,2024-03-01T08:00:00Z\n",
	seedfile.PrescriptionsFile:    "hcp_id,department_id,product_id,month,volume\nP1,,RX1,2026-01,12.5\n,D1,RX1,2026-01,40\n",
}

// files returns base with the given files replaced (a nil value removes
// the file).
func files(replace map[string]*string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, data := range base {
		m[name] = &fstest.MapFile{Data: []byte(data)}
	}
	for name, data := range replace {
		if data == nil {
			delete(m, name)
			continue
		}
		m[name] = &fstest.MapFile{Data: []byte(*data)}
	}
	return m
}

func s(v string) *string { return &v }

// problems reads fsys and returns the problems of its EINVALID error.
func problems(t *testing.T, fsys fs.FS, opts seedfile.ReadOptions) []kolgraph.Problem {
	t.Helper()
	_, err := seedfile.ReadWith(fsys, opts)
	if err == nil {
		return nil
	}
	var e *kolgraph.Error
	if !errors.As(err, &e) || e.Code != kolgraph.EINVALID {
		t.Fatalf("got error %v, want an EINVALID *kolgraph.Error", err)
	}
	return e.Problems
}

func TestReadValid(t *testing.T) {
	cs, err := seedfile.Read(files(nil))
	if err != nil {
		t.Fatal(err)
	}
	got := []int{len(cs.Territories), len(cs.Hospitals), len(cs.Departments), len(cs.HCPs), len(cs.Committees),
		len(cs.Memberships), len(cs.Products), len(cs.Listings), len(cs.IndicationShares), len(cs.Users), len(cs.Knows),
		len(cs.Influences)}
	if want := []int{1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("record counts: got %v, want %v", got, want)
	}
	if h := cs.HCPs[0]; h.Name != "王伟" || !reflect.DeepEqual(h.KOLEvidence, []string{"guideline_author", "society_role"}) {
		t.Errorf("got %+v", h)
	}
	if d := cs.Departments[0]; d.BedTurnover == nil || *d.BedTurnover != 4.5 {
		t.Errorf("bed turnover: got %v, want 4.5", d.BedTurnover)
	}
	if got, want := cs.IndicationShares[0], (kolgraph.ProductShare{DepartmentID: "D1", ProductID: "RX1", Share: 0.12}); got != want {
		t.Errorf("indication share: got %+v, want %+v", got, want)
	}
	if got, want := cs.Influences[0].UpdatedAt, time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("updated_at: got %v, want %v", got, want)
	}
}

func TestReadMissingFilesAreEmpty(t *testing.T) {
	cs, err := seedfile.Read(fstest.MapFS{})
	if err != nil {
		t.Fatal(err)
	}
	if !cs.Empty() {
		t.Errorf("got %+v, want an empty change set", cs)
	}
}

func TestReadProblems(t *testing.T) {
	hcpHeader := "id,name,role,title,position,specialty,department_id,hospital_id,kol_level,kol_evidence,phone,email,wechat\n"
	infHeader := "from,to,weight,kind,evidence,updated_at\n"
	tests := []struct {
		name    string
		replace map[string]*string
		opts    seedfile.ReadOptions
		want    []kolgraph.Problem // Message is a substring of the problem's
	}{
		{
			name: "market-access flag neither yes nor no",
			replace: map[string]*string{seedfile.ListingsFile: s("hospital_id,product_id,status,since,key_monitoring,national_insurance\n" +
				"H1,RX1,listed,2023-05-01,是,maybe\n")},
			want: []kolgraph.Problem{{File: "listings.csv", Line: 2, Field: "national_insurance", Message: "must be yes or no"}},
		},
		{
			name: "indication share above 1",
			replace: map[string]*string{seedfile.IndicationSharesFile: s("department_id,product_id,indication_share\n" +
				"D1,RX1,1.5\n")},
			want: []kolgraph.Problem{{File: "indication_shares.csv", Line: 2, Field: "indication_share", Message: "between 0 and 1"}},
		},
		{
			name: "indication share of an unknown department",
			replace: map[string]*string{seedfile.IndicationSharesFile: s("department_id,product_id,indication_share\n" +
				"D1,RX1,0.2\nD9,RX1,0.2\n")},
			want: []kolgraph.Problem{{File: "indication_shares.csv", Line: 3, Field: "department_id", Message: "D9"}},
		},
		{
			name: "indication share twice for one department and product",
			replace: map[string]*string{seedfile.IndicationSharesFile: s("department_id,product_id,indication_share\n" +
				"D1,RX1,0.2\nD1,RX1,0.3\n")},
			want: []kolgraph.Problem{{File: "indication_shares.csv", Line: 3, Message: "duplicate key (D1, RX1)"}},
		},
		{
			name: "prescriptions: both, neither, bad month, negative and non-numeric volume",
			replace: map[string]*string{seedfile.PrescriptionsFile: s("hcp_id,department_id,product_id,month,volume\n" +
				"P1,D1,RX1,2026-01,1\n,,RX1,2026-01,1\nP1,,RX1,2026-13,1\nP1,,RX1,2026-02,-3\nP2,,RX1,2026-02,many\nP2,,RX1,2026-03,\n")},
			want: []kolgraph.Problem{
				{File: "prescriptions.csv", Line: 2, Field: "department_id", Message: "must be empty when hcp_id is set"},
				{File: "prescriptions.csv", Line: 3, Field: "hcp_id", Message: "one of hcp_id and department_id"},
				{File: "prescriptions.csv", Line: 4, Field: "month", Message: "YYYY-MM"},
				{File: "prescriptions.csv", Line: 5, Field: "volume", Message: "non-negative"},
				{File: "prescriptions.csv", Line: 6, Field: "volume", Message: "many"},
				{File: "prescriptions.csv", Line: 7, Field: "volume", Message: "is required"},
			},
		},
		{
			name: "prescriptions of unknown records",
			replace: map[string]*string{seedfile.PrescriptionsFile: s("hcp_id,department_id,product_id,month,volume\n" +
				"P9,,RX1,2026-01,1\n,D9,RX1,2026-01,1\nP1,,RX9,2026-01,1\n,P1,RX1,2026-01,1\n")},
			want: []kolgraph.Problem{
				{File: "prescriptions.csv", Line: 2, Field: "hcp_id", Message: `hcp "P9" does not exist`},
				{File: "prescriptions.csv", Line: 3, Field: "department_id", Message: `department "D9" does not exist`},
				{File: "prescriptions.csv", Line: 4, Field: "product_id", Message: `product "RX9" does not exist`},
				{File: "prescriptions.csv", Line: 5, Field: "department_id", Message: "is a hcp"},
			},
		},
		{
			name: "prescriptions twice for one HCP, product and month",
			replace: map[string]*string{seedfile.PrescriptionsFile: s("hcp_id,department_id,product_id,month,volume\n" +
				"P1,,RX1,2026-01,1\nP1,,RX1,2026-01,2\n")},
			want: []kolgraph.Problem{{File: "prescriptions.csv", Line: 3, Message: "duplicate key (P1, RX1, 2026-01)"}},
		},
		{
			name:    "unknown column",
			replace: map[string]*string{seedfile.TerritoriesFile: s("id,name,colour\nT1,East,red\n")},
			want:    []kolgraph.Problem{{File: "territories.csv", Line: 1, Field: "colour", Message: "is not a column"}},
		},
		{
			name:    "missing required column",
			replace: map[string]*string{seedfile.KnowsFile: s("user_id,hcp_id\nU1,P1\n")},
			want:    []kolgraph.Problem{{File: "knows.csv", Line: 1, Field: "strength", Message: "required column is missing"}},
		},
		{
			name:    "duplicate column",
			replace: map[string]*string{seedfile.TerritoriesFile: s("id,name,name\nT1,East,East\n")},
			want:    []kolgraph.Problem{{File: "territories.csv", Line: 1, Field: "name", Message: "appears twice"}},
		},
		{
			name:    "optional columns may be left out",
			replace: map[string]*string{seedfile.HCPsFile: s("id,name,role,department_id,hospital_id\nP1,王伟,physician,D1,H1\nP2,李娜,nurse,D1,H1\n")},
		},
		{
			name:    "columns in any order, BOM and spaces in the header",
			replace: map[string]*string{seedfile.TerritoriesFile: s("\uFEFFname , id\n华东区域,T1\n")},
		},
		{
			name:    "wrong column count",
			replace: map[string]*string{seedfile.TerritoriesFile: s("id,name\nT1,East\nT2,West,extra\nT3\n")},
			want: []kolgraph.Problem{
				{File: "territories.csv", Line: 3, Message: "has 3 fields, the header has 2"},
				{File: "territories.csv", Line: 4, Message: "has 1 fields, the header has 2"},
			},
		},
		{
			name:    "unparsable numbers",
			replace: map[string]*string{seedfile.DepartmentsFile: s(strings.Replace(base[seedfile.DepartmentsFile], "800,0.3,60,4.5", "many,0.3,60,fast", 1))},
			want: []kolgraph.Problem{
				{File: "departments.csv", Line: 2, Field: "weekly_outpatients", Message: `is not an integer (got "many")`},
				{File: "departments.csv", Line: 2, Field: "bed_turnover", Message: `is not a finite number (got "fast")`},
			},
		},
		{
			name:    "not a finite number",
			replace: map[string]*string{seedfile.InfluencesFile: s(infHeader + "P1,P2,NaN,mentor,,\n")},
			want:    []kolgraph.Problem{{File: "influences.csv", Line: 2, Field: "weight", Message: "is not a finite number"}},
		},
		{
			name:    "required number empty",
			replace: map[string]*string{seedfile.KnowsFile: s("user_id,hcp_id,strength\nU1,P1,\n")},
			want:    []kolgraph.Problem{{File: "knows.csv", Line: 2, Field: "strength", Message: "is required"}},
		},
		{
			name:    "bad time",
			replace: map[string]*string{seedfile.InfluencesFile: s(infHeader + "P1,P2,0.5,mentor,,01/03/2024\n")},
			want:    []kolgraph.Problem{{File: "influences.csv", Line: 2, Field: "updated_at", Message: "is not an RFC 3339 time"}},
		},
		{
			name:    "invalid UTF-8",
			replace: map[string]*string{seedfile.TerritoriesFile: s("id,name\nT1,\xff\xfe东\n")},
			want:    []kolgraph.Problem{{File: "territories.csv", Line: 2, Message: "is neither UTF-8 nor GB18030"}},
		},
		{
			name: "record validation",
			replace: map[string]*string{seedfile.HCPsFile: s(hcpHeader +
				"P1,王伟,surgeon,chief,department_head,cardiology,D1,H1,,guideline_author,,,\n" +
				"P2,李娜,physician,attending,staff,cardiology,D1,H1,,,,,\n")},
			want: []kolgraph.Problem{
				{File: "hcps.csv", Line: 2, Field: "role", Message: "must be one of"},
				{File: "hcps.csv", Line: 2, Field: "kol_evidence", Message: "kol_level is empty"},
			},
		},
		{
			name:    "weight out of range",
			replace: map[string]*string{seedfile.InfluencesFile: s(infHeader + "P1,P2,1.5,mentor,,\n")},
			want:    []kolgraph.Problem{{File: "influences.csv", Line: 2, Field: "weight", Message: "must be in (0, 1]"}},
		},
		{
			name:    "self-loop",
			replace: map[string]*string{seedfile.InfluencesFile: s(infHeader + "P1,P1,0.5,mentor,,\n")},
			want:    []kolgraph.Problem{{File: "influences.csv", Line: 2, Field: "to", Message: "must differ from from"}},
		},
		{
			name:    "several bad rows are all reported",
			replace: map[string]*string{seedfile.InfluencesFile: s(infHeader + "P1,P2,2,mentor,,\nP2,P1,0.5,gossip,,\nP1,X9,0.5,mentor,,\n")},
			want: []kolgraph.Problem{
				{File: "influences.csv", Line: 2, Field: "weight", Message: "must be in (0, 1]"},
				{File: "influences.csv", Line: 3, Field: "kind", Message: "must be one of"},
				{File: "influences.csv", Line: 4, Field: "to", Message: `hcp "X9" does not exist`},
			},
		},
		{
			name:    "duplicate id",
			replace: map[string]*string{seedfile.TerritoriesFile: s("id,name\nT1,East\nT2,West\nT1,Again\n")},
			want:    []kolgraph.Problem{{File: "territories.csv", Line: 4, Field: "id", Message: `duplicate id "T1" (first at line 2)`}},
		},
		{
			name:    "duplicate relationship key",
			replace: map[string]*string{seedfile.InfluencesFile: s(infHeader + "P1,P2,0.5,mentor,,\nP2,P1,0.5,mentor,,\nP1,P2,0.7,co_author,,\n")},
			want:    []kolgraph.Problem{{File: "influences.csv", Line: 4, Message: "duplicate key (P1, P2) (first at line 2)"}},
		},
		{
			name:    "id used by two kinds",
			replace: map[string]*string{seedfile.ProductsFile: s("id,name,indications,specialties\nRX1,Cardiolix,,\nH1,Other,,\n")},
			want: []kolgraph.Problem{
				{File: "products.csv", Line: 3, Field: "id", Message: `id "H1" is already used by a hospital (hospitals.csv line 2)`},
			},
		},
		{
			name: "dangling references",
			replace: map[string]*string{
				seedfile.DepartmentsFile: s(strings.Replace(base[seedfile.DepartmentsFile], "D1,H1,", "D1,H9,", 1)),
				seedfile.UsersFile:       s("id,name,role,territories\nU1,张敏,kam,T1|T7\n"),
				seedfile.MembershipsFile: s("committee_id,hcp_id,role\nC9,P1,chair\n"),
			},
			want: []kolgraph.Problem{
				{File: "departments.csv", Line: 2, Field: "hospital_id", Message: `hospital "H9" does not exist`},
				{File: "hcps.csv", Line: 2, Field: "hospital_id", Message: "is H1 but department D1 belongs to hospital H9"},
				{File: "hcps.csv", Line: 3, Field: "hospital_id", Message: "is H1 but department D1 belongs to hospital H9"},
				{File: "memberships.csv", Line: 2, Field: "committee_id", Message: `committee "C9" does not exist`},
				{File: "users.csv", Line: 2, Field: "territories", Message: `territory "T7" does not exist`},
			},
		},
		{
			name:    "reference to the wrong kind",
			replace: map[string]*string{seedfile.KnowsFile: s("user_id,hcp_id,strength\nU1,H1,0.5\n")},
			want:    []kolgraph.Problem{{File: "knows.csv", Line: 2, Field: "hcp_id", Message: `"H1" is a hospital (hospitals.csv line 2), not a hcp`}},
		},
		{
			name: "hcp in another hospital than its department",
			replace: map[string]*string{
				seedfile.HospitalsFile: s(base[seedfile.HospitalsFile] + "H2,宁波示例医院,2A,Zhejiang,Ningbo,500,public,DRG,T1\n"),
				seedfile.HCPsFile:      s(strings.Replace(base[seedfile.HCPsFile], "staff,cardiology,D1,H1", "staff,cardiology,D1,H2", 1)),
			},
			want: []kolgraph.Problem{{File: "hcps.csv", Line: 3, Field: "hospital_id", Message: "is H2 but department D1 belongs to hospital H1"}},
		},
		{
			name: "references resolved by Exists",
			replace: map[string]*string{
				seedfile.InfluencesFile: s(infHeader + "P1,P77,0.5,mentor,,\n"),
				seedfile.HospitalsFile:  nil,
			},
			opts: seedfile.ReadOptions{Exists: func(kind, id string) bool {
				return kind == seedfile.KindHCP && id == "P77" || kind == seedfile.KindHospital && id == "H1"
			}},
		},
		{
			name:    "Exists does not resolve everything",
			replace: map[string]*string{seedfile.InfluencesFile: s(infHeader + "P1,P78,0.5,mentor,,\n")},
			opts:    seedfile.ReadOptions{Exists: func(kind, id string) bool { return kind == seedfile.KindHospital }},
			want:    []kolgraph.Problem{{File: "influences.csv", Line: 2, Field: "to", Message: `hcp "P78" does not exist`}},
		},
		{
			name:    "CSV syntax",
			replace: map[string]*string{seedfile.TerritoriesFile: s("id,name\nT1,Ea\"st\nT2,West\nT3,\"unterminated\n")},
			want: []kolgraph.Problem{
				{File: "territories.csv", Line: 2, Message: "is not valid CSV"},
				{File: "territories.csv", Line: 4, Message: "is not valid CSV"},
			},
		},
		{
			name: "lines count physical lines across quoted newlines",
			replace: map[string]*string{seedfile.InfluencesFile: s(infHeader +
				"P1,P2,0.5,mentor,\"line one\nline two\",\n" +
				"P2,P1,0.5,nonsense,,\n")},
			want: []kolgraph.Problem{{File: "influences.csv", Line: 4, Field: "kind", Message: "must be one of"}},
		},
		{
			name:    "empty file",
			replace: map[string]*string{seedfile.ListingsFile: s("")},
			want:    []kolgraph.Problem{{File: "listings.csv", Line: 1, Message: "the header row is missing"}},
		},
		{
			name:    "unknown csv file",
			replace: map[string]*string{"hcp.csv": s("id\n")},
			want:    []kolgraph.Problem{{File: "hcp.csv", Message: "is not a file of the format"}},
		},
		{
			name:    "file too large",
			replace: map[string]*string{seedfile.TerritoriesFile: s("id,name\n" + strings.Repeat("T1,East\n", 100))},
			opts:    seedfile.ReadOptions{MaxBytes: 400},
			want:    []kolgraph.Problem{{File: "territories.csv", Message: "more than the limit of 400"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problems(t, files(tt.replace), tt.opts)
			if len(got) != len(tt.want) {
				t.Errorf("got %d problems, want %d:\n%s", len(got), len(tt.want), list(got))
			}
			for i := range min(len(got), len(tt.want)) {
				g, w := got[i], tt.want[i]
				if g.File != w.File || g.Line != w.Line || g.Field != w.Field || !strings.Contains(g.Message, w.Message) {
					t.Errorf("problem %d: got %v, want %v", i, g, w)
				}
			}
			// A stream finds the same, but the keys given twice, which
			// are its consumer's to find.
			streamed := streamProblems(t, files(tt.replace), tt.opts)
			want := slices.DeleteFunc(slices.Clone(got), func(p kolgraph.Problem) bool {
				return strings.HasPrefix(p.Message, "duplicate key")
			})
			if !slices.Equal(streamed, want) {
				t.Errorf("streamed problems:\n%swant:\n%s", list(streamed), list(want))
			}
		})
	}
}

// streamProblems streams fsys and returns its problems.
func streamProblems(t *testing.T, fsys fs.FS, opts seedfile.ReadOptions) []kolgraph.Problem {
	t.Helper()
	s, err := seedfile.Stream(fsys, opts, func(seedfile.Record) {})
	if err != nil {
		t.Fatal(err)
	}
	var e *kolgraph.Error
	if err := s.Err(); err != nil && !errors.As(err, &e) {
		t.Fatal(err)
	}
	if e == nil {
		return nil
	}
	return e.Problems
}

// TestStreamIsRead: the seed streamed is the seed read, record for record
// in the same order, each at its line.
func TestStreamIsRead(t *testing.T) {
	fsys := os.DirFS("../../seed")
	cs, err := seedfile.Read(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var want []any
	for _, l := range [][]any{anys(cs.Territories), anys(cs.Hospitals), anys(cs.Departments), anys(cs.HCPs),
		anys(cs.Committees), anys(cs.Memberships), anys(cs.Products), anys(cs.Listings), anys(cs.IndicationShares),
		anys(cs.Users), anys(cs.Knows), anys(cs.Influences), anys(cs.Prescriptions)} {
		want = append(want, l...)
	}
	var got []seedfile.Record
	s, err := seedfile.Stream(fsys, seedfile.ReadOptions{}, func(r seedfile.Record) { got = append(got, r) })
	if err != nil || s.Err() != nil {
		t.Fatal(err, s.Err())
	}
	if len(got) != len(want) || len(got) != 70803 {
		t.Fatalf("streamed %d records, read %d; want the seed's 70,803", len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i].Rec, want[i]) {
			t.Fatalf("record %d: streamed %+v, read %+v", i, got[i].Rec, want[i])
		}
	}
	if r := got[len(got)-1]; r.File != seedfile.InfluencesFile || r.Line != 63001 {
		t.Errorf("last record at %s:%d, want influences.csv:63001", r.File, r.Line)
	}
}

func anys[T any](s []T) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func list(ps []kolgraph.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "\t%v\n", p)
	}
	return b.String()
}

func TestReadMaxProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,name\n")
	for i := range 50 {
		fmt.Fprintf(&b, "T%d,\n", i) // name is required
	}
	fsys := fstest.MapFS{seedfile.TerritoriesFile: {Data: []byte(b.String())}}
	t.Run("bounded", func(t *testing.T) {
		got := problems(t, fsys, seedfile.ReadOptions{MaxProblems: 10})
		if len(got) != 11 || !strings.Contains(got[10].Message, "40 more problems not listed") {
			t.Errorf("got %d problems, the last %v; want 10 and a note on 40 more", len(got), got[len(got)-1])
		}
	})
	t.Run("unbounded", func(t *testing.T) {
		if got := problems(t, fsys, seedfile.ReadOptions{MaxProblems: -1}); len(got) != 50 {
			t.Errorf("got %d problems, want 50", len(got))
		}
	})
}

// sample is a change set in Write's order with the cases a round trip must
// keep: Chinese text, quotes and commas, missing optional inputs, lists,
// times with fractions and zones.
func sample() *kolgraph.ChangeSet {
	f := func(v float64) *float64 { return &v }
	i := func(v int) *int { return &v }
	shanghai := time.FixedZone("", 8*3600)
	return &kolgraph.ChangeSet{
		Territories: []*kolgraph.Territory{{ID: "T01", Name: "浙北 \"North\", Zhejiang"}},
		Hospitals: []*kolgraph.Hospital{
			{ID: "H001", Name: "杭州示例医院", Tier: "3A", Province: "Zhejiang", City: "Hangzhou", Beds: 2100, Ownership: "public", PaymentModel: "DRG", TerritoryID: "T01"},
			{ID: "H002", Name: "无床位诊所", Tier: "1A"},
		},
		Departments: []*kolgraph.Department{
			{ID: "D001-01", HospitalID: "H001", Name: "心血管内科", Specialty: "cardiology", WeeklyOutpatients: i(812), IndicationShare: f(0.1 + 0.2),
				ManagedBeds: i(60), BedTurnover: f(4.5), DischargePenetration: f(0.4), DRGEnrollmentRate: f(0.45), CompetitorPenetration: f(0), PolicySensitivity: f(1)},
			{ID: "D001-02", HospitalID: "H001", Name: "肾内科", Specialty: "nephrology", IndicationShare: f(1e-7)},
		},
		HCPs: []*kolgraph.HCP{
			{ID: "P000001", Name: "欧阳晓明", Role: "physician", Title: "chief", Position: "department_head", Specialty: "cardiology",
				DepartmentID: "D001-01", HospitalID: "H001", KOLLevel: "national", KOLEvidence: []string{"guideline_author", "congress_speaker"},
				Phone: "138-0000-0001", Email: "p000001@example.com", WeChat: "wx_demo"},
			{ID: "P000002", Name: "Line\nbreak", Role: "nurse", DepartmentID: "D001-02", HospitalID: "H001"},
		},
		Committees:  []*kolgraph.Committee{{ID: "C001-PT", Name: "药事管理与药物治疗学委员会", Kind: "pt", HospitalID: "H001"}},
		Memberships: []kolgraph.Membership{{HCPID: "P000001", CommitteeID: "C001-PT", Role: "chair"}, {HCPID: "P000002", CommitteeID: "C001-PT", Role: "member"}},
		Products:    []*kolgraph.Product{{ID: "RX01", Name: "Cardiolix (卡迪力)", Indications: []string{"heart failure", "hypertension"}, Specialties: []string{"cardiology"}}},
		Listings: []kolgraph.Listing{{HospitalID: "H001", ProductID: "RX01", Status: "listed", Since: "2023-05-01", KeyMonitoring: true, NationalInsurance: true},
			{HospitalID: "H002", ProductID: "RX01", Status: "not_listed"}},
		IndicationShares: []kolgraph.ProductShare{{DepartmentID: "D001-01", ProductID: "RX01", Share: 1},
			{DepartmentID: "D001-02", ProductID: "RX01", Share: 0.1 + 0.2}},
		Users: []*kolgraph.User{{ID: "U001", Name: "张敏", Role: "kam", Territories: []string{"T01"}}, {ID: "U002", Name: "Viewer", Role: "viewer"}},
		Knows: []kolgraph.Knows{{UserID: "U001", HCPID: "P000001", Strength: 0.8}},
		Influences: []*kolgraph.Influence{
			{From: "P000001", To: "P000002", Weight: 0.123456789, Kind: "reports_to", Evidence: "带教, \"quoted\"", UpdatedAt: time.Date(2024, 3, 1, 8, 0, 0, 123456789, time.UTC)},
			{From: "P000002", To: "P000001", Weight: 1, Kind: "co_author", UpdatedAt: time.Date(2024, 3, 1, 8, 0, 0, 0, shanghai)},
		},
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	in := sample()
	dir := t.TempDir()
	if err := seedfile.Write(dir, in); err != nil {
		t.Fatal(err)
	}
	out, err := seedfile.Read(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	// Times compare with Equal: a parsed zone is an equivalent, not the
	// same, *time.Location.
	for i := range in.Influences {
		if !out.Influences[i].UpdatedAt.Equal(in.Influences[i].UpdatedAt) {
			t.Errorf("influence %d: got updated_at %v, want %v", i, out.Influences[i].UpdatedAt, in.Influences[i].UpdatedAt)
		}
		out.Influences[i].UpdatedAt = in.Influences[i].UpdatedAt
	}
	if !reflect.DeepEqual(out, in) {
		for _, c := range []struct {
			name      string
			got, want any
		}{
			{"territories", out.Territories, in.Territories}, {"hospitals", out.Hospitals, in.Hospitals},
			{"departments", out.Departments, in.Departments}, {"hcps", out.HCPs, in.HCPs},
			{"committees", out.Committees, in.Committees}, {"memberships", out.Memberships, in.Memberships},
			{"products", out.Products, in.Products}, {"listings", out.Listings, in.Listings},
			{"indication shares", out.IndicationShares, in.IndicationShares},
			{"users", out.Users, in.Users}, {"knows", out.Knows, in.Knows}, {"influences", out.Influences, in.Influences},
		} {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("%s differ after the round trip:\ngot  %s\nwant %s", c.name, dump(c.got), dump(c.want))
			}
		}
	}
	if h := out.HCPs[0]; h.Name != "欧阳晓明" {
		t.Errorf("Chinese name: got %q", h.Name)
	}
}

func dump(v any) string {
	rv := reflect.ValueOf(v)
	var b strings.Builder
	for i := range rv.Len() {
		fmt.Fprintf(&b, "%+v ", reflect.Indirect(rv.Index(i)).Interface())
	}
	return b.String()
}

// TestWriteIsDeterministic: shuffled input, same bytes; and Write(Read(x))
// reproduces x.
func TestWriteIsDeterministic(t *testing.T) {
	cs := seedgen.Generate(seedgen.Config{Seed: 3, HCPs: 400})
	a := writeMem(t, cs)
	shuffled := *cs
	shuffled.HCPs = reversed(cs.HCPs)
	shuffled.Influences = reversed(cs.Influences)
	shuffled.Memberships = reversed(cs.Memberships)
	if b := writeMem(t, &shuffled); !reflect.DeepEqual(a, b) {
		t.Error("the order of records changed the output")
	}
	back, err := seedfile.Read(memFS(a))
	if err != nil {
		t.Fatal(err)
	}
	if c := writeMem(t, back); !reflect.DeepEqual(a, c) {
		t.Error("Write(Read(files)) differs from files")
	}
}

func reversed[T any](s []T) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

type memFile struct {
	bytes.Buffer
	name  string
	files map[string][]byte
}

func (f *memFile) Close() error { f.files[f.name] = f.Bytes(); return nil }

func writeMem(t testing.TB, cs *kolgraph.ChangeSet) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := seedfile.WriteFiles(func(name string) (io.WriteCloser, error) {
		return &memFile{name: name, files: files}, nil
	}, cs)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func memFS(files map[string][]byte) fstest.MapFS {
	m := fstest.MapFS{}
	for name, data := range files {
		m[name] = &fstest.MapFile{Data: data}
	}
	return m
}

func TestWriteRefuses(t *testing.T) {
	tests := []struct {
		name string
		cs   *kolgraph.ChangeSet
	}{
		{"deletions", &kolgraph.ChangeSet{Delete: kolgraph.Deletion{HCPs: []string{"P1"}}}},
		{"separator in a list value", &kolgraph.ChangeSet{Products: []*kolgraph.Product{{ID: "RX1", Name: "x", Indications: []string{"a|b"}}}}},
		{"empty list value", &kolgraph.ChangeSet{Users: []*kolgraph.User{{ID: "U1", Name: "x", Role: "kam", Territories: []string{""}}}}},
		{"nil record", &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{nil}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := seedfile.Write(t.TempDir(), tt.cs); err == nil {
				t.Error("got no error")
			}
		})
	}
}

func TestColumnsMatchProblemFields(t *testing.T) {
	// Every field Validate names must be a column, so that a problem points
	// at something the user can fix.
	cols := map[string]bool{}
	for _, f := range seedfile.FileNames() {
		c, ok := seedfile.Columns(f)
		if !ok {
			t.Fatalf("Columns(%q) not found", f)
		}
		for _, name := range c {
			cols[name] = true
		}
	}
	bad := &kolgraph.Department{WeeklyOutpatients: new(-1), ManagedBeds: new(-1), IndicationShare: new(-1.0), BedTurnover: new(-1.0),
		DischargePenetration: new(2.0), DRGEnrollmentRate: new(2.0), CompetitorPenetration: new(2.0), PolicySensitivity: new(2.0)}
	var ps []kolgraph.Problem
	ps = append(ps, bad.Validate()...)
	ps = append(ps, (&kolgraph.Hospital{Beds: -1, Ownership: "x", PaymentModel: "x", TerritoryID: "!"}).Validate()...)
	ps = append(ps, (&kolgraph.HCP{KOLEvidence: []string{""}}).Validate()...)
	ps = append(ps, (&kolgraph.Influence{Evidence: "\x00"}).Validate()...)
	ps = append(ps, (&kolgraph.Listing{Since: "x"}).Validate()...)
	ps = append(ps, (&kolgraph.Membership{}).Validate()...)
	ps = append(ps, (&kolgraph.Knows{}).Validate()...)
	ps = append(ps, (&kolgraph.ProductShare{Share: 2}).Validate()...)
	ps = append(ps, (&kolgraph.User{Territories: []string{"!"}}).Validate()...)
	ps = append(ps, (&kolgraph.Product{Indications: []string{""}, Specialties: []string{""}}).Validate()...)
	for _, p := range ps {
		if !cols[p.Field] {
			t.Errorf("Validate names field %q, which is no column", p.Field)
		}
	}
}

// FuzzRead: any content of any one file must not panic; what reads without
// problems must write and read back to the same bytes.
func FuzzRead(f *testing.F) {
	names := seedfile.FileNames()
	for i, name := range names {
		f.Add(uint8(i), []byte(base[name]))
	}
	f.Add(uint8(3), []byte("id,name\n\"a\"\"b\",\"x\ny\"\n"))
	f.Add(uint8(10), []byte("from,to,weight,kind\r\nP1,P2,0x1p-2,mentor\r\n"))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		name := names[int(which)%len(names)]
		fsys := fstest.MapFS{name: {Data: data}}
		cs, err := seedfile.ReadWith(fsys, seedfile.ReadOptions{Exists: func(string, string) bool { return true }})
		if err != nil {
			var e *kolgraph.Error
			if !errors.As(err, &e) || e.Code != kolgraph.EINVALID || len(e.Problems) == 0 {
				t.Fatalf("got %v, want EINVALID with problems", err)
			}
			return
		}
		a := writeMem(t, cs)
		back, err := seedfile.ReadWith(memFS(a), seedfile.ReadOptions{Exists: func(string, string) bool { return true }})
		if err != nil {
			t.Fatalf("written files do not read back: %v", err)
		}
		if b := writeMem(t, back); !reflect.DeepEqual(a, b) {
			t.Fatalf("second write differs:\n%q\n%q", a[name], b[name])
		}
	})
}

// BenchmarkReadSeed reads the committed seed region (about 70k rows).
func BenchmarkReadSeed(b *testing.B) {
	fsys := os.DirFS(filepath.Join("..", "..", "seed"))
	if _, err := fs.Stat(fsys, seedfile.InfluencesFile); err != nil {
		b.Skip("no committed seed:", err)
	}
	var rows int
	for b.Loop() {
		cs, err := seedfile.Read(fsys)
		if err != nil {
			b.Fatal(err)
		}
		rows = len(cs.HCPs) + len(cs.Influences) + len(cs.Departments) + len(cs.Memberships)
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkWriteSeed(b *testing.B) {
	cs := seedgen.Generate(seedgen.DefaultConfig())
	for b.Loop() {
		writeMem(b, cs)
	}
}
