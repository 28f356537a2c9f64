package seedfile_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
)

const deptHead = "id,hospital_id,name,specialty,weekly_outpatients,indication_share,managed_beds,bed_turnover,discharge_penetration,drg_enrollment_rate\n"

// TestLocalFormats reads numbers, dates and times as people in China type
// them, and checks the values and the notes that count what was done.
func TestLocalFormats(t *testing.T) {
	_, err := seedfile.ReadWith(files(map[string]*string{
		seedfile.KnowsFile: s("user_id,hcp_id,strength\nU1,P1,80%\n"),
	}), seedfile.ReadOptions{})
	if err == nil || !strings.Contains(err.Error(), `knows.csv:2 field "strength": is a percentage, but strength is not a share`) {
		t.Fatalf("a percentage strength: got %v, want it refused as not a share", err)
	}
	cs, ns, err := seedfile.ReadWithNotes(files(map[string]*string{
		seedfile.DepartmentsFile: s(deptHead + `D1,H1,心血管内科,cardiology,１２００,35%,"1,200",４．５,３５％,12.5%` + "\n"),
		seedfile.ListingsFile:    s("hospital_id,product_id,status,since\nH1,RX1,listed,2024年3月1日\n"),
		seedfile.InfluencesFile: s("from,to,weight,kind,evidence,updated_at\n" +
			"P1,P2,０．５,reports_to,,2024-03-01 08:30\nP2,P1,0.4,mentor,,2024.3.1\n"),
	}), seedfile.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := cs.Departments[0]
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"weekly_outpatients", float64(*d.WeeklyOutpatients), 1200},
		{"indication_share", *d.IndicationShare, 0.35},
		{"managed_beds", float64(*d.ManagedBeds), 1200},
		{"bed_turnover", *d.BedTurnover, 4.5},
		{"discharge_penetration", *d.DischargePenetration, 0.35},
		{"drg_enrollment_rate", *d.DRGEnrollmentRate, 0.125},
		{"weight", cs.Influences[0].Weight, 0.5},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if got := cs.Listings[0].Since; got != "2024-03-01" {
		t.Errorf("since: got %q, want 2024-03-01", got)
	}
	if got, want := cs.Influences[0].UpdatedAt, time.Date(2024, 3, 1, 0, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("updated_at 2024-03-01 08:30: got %v, want %v (China time)", got, want)
	}
	if got, want := cs.Influences[1].UpdatedAt, time.Date(2024, 2, 29, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("updated_at 2024.3.1: got %v, want %v (China midnight)", got, want)
	}
	var notes []string
	for _, n := range ns {
		notes = append(notes, n.String())
	}
	for _, w := range []string{
		"departments.csv: 3 cells with full-width digits or punctuation",
		"departments.csv: 1 cell with thousands separators (1,200) removed",
		"departments.csv: 3 cells with percentages made fractions",
		"listings.csv: 1 cell with dates such as 2024/3/1",
		"influences.csv: 2 cells with times without a time zone read as China time (UTC+08:00, Asia/Shanghai)",
		"influences.csv: 1 cell with full-width",
	} {
		if !hasNote(notes, w) {
			t.Errorf("no note %q in %q", w, notes)
		}
	}
}

// TestNumbersRefused: what is still not a number is refused, saying why
// (1e-400 used to read as 0, 0x1p-1 as 0.5).
func TestNumbersRefused(t *testing.T) {
	tests := []struct{ weight, want string }{
		{"1e-400", "underflows"},
		{"0x1p-1", "is a hexadecimal number"},
		{"TRUE", "is a logical value, not a number"},
		{"Inf", "is not a finite number"},
		{"0,5", "use . for decimals"},
		{"50%", "is a percentage, but weight is not a share"},
	}
	for _, tt := range tests {
		t.Run(tt.weight, func(t *testing.T) {
			got := problems(t, files(map[string]*string{seedfile.InfluencesFile: s(
				"from,to,weight,kind\nP1,P2,\"" + tt.weight + "\",reports_to\n")}), seedfile.ReadOptions{})
			want := kolgraph.Problem{File: "influences.csv", Line: 2, Field: "weight", Message: tt.want}
			if len(got) != 1 || got[0].File != want.File || got[0].Line != want.Line || got[0].Field != want.Field ||
				!strings.Contains(got[0].Message, want.Message) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
	if got := problems(t, files(map[string]*string{seedfile.InfluencesFile: s(
		"from,to,weight,kind\nP1,P2,1e-3,reports_to\n")}), seedfile.ReadOptions{}); got != nil {
		t.Errorf("1e-3 (Excel writes small numbers so): got %v, want it read", got)
	}
}

// TestDateForms: each common Chinese date form reads as the same date.
func TestDateForms(t *testing.T) {
	for _, v := range []string{"2024/3/1", "2024-3-1", "2024.3.1", "2024年3月1日", "２０２４年３月１日", "2024-03-01"} {
		cs, err := seedfile.Read(files(map[string]*string{
			seedfile.ListingsFile: s("hospital_id,product_id,status,since\nH1,RX1,listed," + v + "\n")}))
		if err != nil || cs.Listings[0].Since != "2024-03-01" {
			t.Errorf("%s: got %v, %v; want 2024-03-01", v, err, cs)
		}
	}
	got := problems(t, files(map[string]*string{
		seedfile.ListingsFile: s("hospital_id,product_id,status,since\nH1,RX1,listed,2024/2/30\n")}), seedfile.ReadOptions{})
	if len(got) != 1 || got[0].Field != "since" {
		t.Errorf("2024/2/30: got %v, want a problem in since", got)
	}
}
