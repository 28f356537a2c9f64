package fieldwork_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/fieldwork"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/labels"
)

func ptr(x float64) *float64 { return &x }

func TestCheckSpeakers(t *testing.T) {
	a := &kolgraph.Activity{ID: "A1", TerritoryID: "T1", ProductID: "PR1", SpeakerIDs: []string{"S1", "S2", "S3"}}
	if err := fieldwork.CheckSpeakers(a, []string{"S3", "S1", "S2"}); err != nil {
		t.Errorf("every speaker a candidate: %v", err)
	}
	err := fieldwork.CheckSpeakers(a, []string{"S1"})
	var e *kolgraph.Error
	if !errors.As(err, &e) || e.Code != kolgraph.EINVALID || len(e.Problems) != 2 {
		t.Fatalf("S2 and S3 not candidates: got %v, want EINVALID with 2 problems", err)
	}
	for i, id := range []string{"S2", "S3"} {
		p := e.Problems[i]
		want := fmt.Sprintf("HCP %q is not on the compliant speaker candidate list for PR1 in T1; speakers come only from speakerCandidates, never by potential or sales", id)
		if p.Field != "speaker_ids" || p.Message != want {
			t.Errorf("problem %d: got %+v, want speaker_ids: %s", i, p, want)
		}
	}
}

// activities is the fixture (product PR1, facts in facts()):
//   - A1 2026-03-15: budget 10000, actual 4000; attendees H1 H2 H3,
//     speaker S1; registered 03-01.
//   - A2 2026-06-10: budget 8000, actual unknown; attendees H1 H4, speaker
//     S1; registration pending.
//   - A3 2026-09-20: budget 10000, actual 9000; attendees S1 H5, speaker
//     S1 (also an attendee); registered on the day itself.
//   - A4 2025-11-10: budget 6000, actual 5000; attendee H6, speaker S1;
//     registered 11-01.
//   - A5 2026-02-10: budget 1000, actual 200; attendee H2, speaker S2;
//     registered 01-20.
func activities() []kolgraph.Activity {
	reg := func(on string) (string, string) { return kolgraph.RegistrationRegistered, on }
	a := []kolgraph.Activity{
		{ID: "A1", Name: "心衰科室会", Kind: kolgraph.ActivityDepartmentMeeting, Date: "2026-03-15", Budget: 10000, ActualCost: ptr(4000),
			AttendeeIDs: []string{"H1", "H2", "H3"}, SpeakerIDs: []string{"S1"}},
		{ID: "A2", Name: "城市会", Kind: kolgraph.ActivityCityMeeting, Date: "2026-06-10", Budget: 8000,
			AttendeeIDs: []string{"H1", "H4"}, SpeakerIDs: []string{"S1"}, Registration: kolgraph.RegistrationPending},
		{ID: "A3", Name: "区域年会", Kind: kolgraph.ActivityRegionalCongress, Date: "2026-09-20", Budget: 10000, ActualCost: ptr(9000),
			AttendeeIDs: []string{"S1", "H5"}, SpeakerIDs: []string{"S1"}},
		{ID: "A4", Name: "线上病例讨论", Kind: kolgraph.ActivityOnline, Date: "2025-11-10", Budget: 6000, ActualCost: ptr(5000),
			AttendeeIDs: []string{"H6"}, SpeakerIDs: []string{"S1"}},
		{ID: "A5", Name: "=HYPERLINK(\"http://x\",\"<b>会</b>\")", Kind: kolgraph.ActivityDepartmentMeeting, Date: "2026-02-10", Budget: 1000, ActualCost: ptr(200),
			AttendeeIDs: []string{"H2"}, SpeakerIDs: []string{"S2"}},
	}
	a[0].Registration, a[0].RegisteredOn = reg("2026-03-01")
	a[2].Registration, a[2].RegisteredOn = reg("2026-09-20")
	a[3].Registration, a[3].RegisteredOn = reg("2025-11-01")
	a[4].Registration, a[4].RegisteredOn = reg("2026-01-20")
	for i := range a {
		a[i].TerritoryID, a[i].ProductID, a[i].OwnerID = "T1", "PR1", "K1"
	}
	return a
}

func facts() []kolgraph.PrescriptionFact {
	f := func(hcp, month string, v float64) kolgraph.PrescriptionFact {
		return kolgraph.PrescriptionFact{HCPID: hcp, ProductID: "PR1", Month: month, Volume: v}
	}
	return []kolgraph.PrescriptionFact{
		f("H1", "2025-12", 10), f("H1", "2026-01", 10), f("H1", "2026-02", 10), f("H1", "2026-03", 100),
		f("H1", "2026-04", 20), f("H1", "2026-05", 20), f("H1", "2026-06", 20), f("H1", "2026-07", 50),
		f("H2", "2025-11", 99), f("H2", "2026-01", 20), f("H2", "2026-05", 25),
		f("H9", "2026-01", 1000), // not an attendee
		{HCPID: "H1", ProductID: "PR2", Month: "2026-04", Volume: 500},        // another product
		{DepartmentID: "D1", ProductID: "PR1", Month: "2026-04", Volume: 700}, // a department's
	}
}

func TestActivityROI(t *testing.T) {
	cfg := fieldwork.Default()
	acts := activities()
	// A1, March 2026: before = Dec-Feb, after = Apr-Jun.
	// Before: H1 10+10+10 + H2 20 = 50 (H2's 2025-11 is outside, H1's
	// March is the activity's own month, H9 is no attendee).
	// After: H1 20+20+20 + H2 25 = 85 (H1's July is outside; PR2's and
	// the department's facts do not count).
	// Lift = 85/50 - 1 = 0.70 >= 0.50. Cost share = 4000/10000 = 0.40 >
	// 0.30. The latest month with facts is 2026-07, after June: final.
	r := fieldwork.ActivityROI(cfg, &acts[0], facts())
	if strings.Join(r.BeforeMonths, ",") != "2025-12,2026-01,2026-02" || strings.Join(r.AfterMonths, ",") != "2026-04,2026-05,2026-06" {
		t.Errorf("windows: got %v %v", r.BeforeMonths, r.AfterMonths)
	}
	if !near(r.Before, 50) || !near(r.After, 85) || r.Lift == nil || !near(*r.Lift, 0.70) || !*r.LiftMet {
		t.Errorf("A1 lift: got before %v after %v lift %v, want 50, 85, 0.70 met", r.Before, r.After, r.Lift)
	}
	if r.CostShare == nil || !near(*r.CostShare, 0.40) || *r.CostShareMet {
		t.Errorf("A1 cost share: got %v, want 0.40 not met", r.CostShare)
	}
	if r.Provisional || r.LatestFactMonth != "2026-07" {
		t.Errorf("A1: got provisional %v latest %q, want final, 2026-07", r.Provisional, r.LatestFactMonth)
	}

	// A2, June 2026: before Mar-May = H1 100+20+20 = 140, after Jul-Sep =
	// H1 50; lift = 50/140 - 1 = -0.642857, provisional (September is
	// after July). Cost share unknown (no actual cost).
	r = fieldwork.ActivityROI(cfg, &acts[1], facts())
	if !near(r.Before, 140) || !near(r.After, 50) || r.Lift == nil || !near(*r.Lift, 50.0/140-1) || !r.Provisional || r.CostShare != nil {
		t.Errorf("A2: got %+v, want before 140, after 50, lift -0.642857, provisional, cost share unknown", r)
	}

	// A3: no attendee prescribed before: lift unknown.
	if r = fieldwork.ActivityROI(cfg, &acts[2], facts()); r.Lift != nil || r.Before != 0 {
		t.Errorf("A3: got lift %v before %v, want unknown and 0", r.Lift, r.Before)
	}
	// A budget of 0 makes the cost share unknown; with two-month windows
	// the months are two.
	z := acts[0]
	z.Budget = 0
	cfg.BeforeMonths, cfg.AfterMonths = 2, 1
	if r = fieldwork.ActivityROI(cfg, &z, facts()); r.CostShare != nil || len(r.BeforeMonths) != 2 || r.AfterMonths[0] != "2026-04" || !near(r.Before, 40) {
		t.Errorf("budget 0, windows 2/1: got %+v, want no cost share, before Jan-Feb = 10+20+10 = 40", r)
	}
}

func TestEvaluateFlags(t *testing.T) {
	rs := fieldwork.Evaluate(fieldwork.Default(), activities(), facts(), nil)
	// Spend per participant, by year:
	//   A1 4000 / 4 (H1 H2 H3 S1) = 1000; A2 budget 8000 / 3 (H1 H4 S1) =
	//   2666.67; A3 9000 / 2 (S1 H5) = 4500; A5 200 / 2 (H2 S2) = 100;
	//   A4 (2025) 5000 / 2 (H6 S1) = 2500.
	// S1 in 2026: 1000 + 2666.67 + 4500 = 8166.67 > 6000 (H1 3666.67 is
	// under); S1 in 2025: 2500, under. So A1, A2 and A3 are flagged for
	// S1, A4 is not.
	s1 := 1000 + 8000.0/3 + 4500
	want := map[string][]string{
		// 4000/3 = 1333.33 per attendee; cost share 0.40.
		"A1": {"COST_PER_ATTENDEE_OVER_CAP 1333.333333", "SPEND_PER_HCP_YEAR_OVER_CAP 8166.666667", "COST_SHARE_OVER_TARGET 0.400000"},
		// Pending; 8000/2 = 4000 per attendee from the budget; the lift is
		// provisional, so no lift flag.
		"A2": {"NOT_REGISTERED_IN_ADVANCE 0.000000", "COST_PER_ATTENDEE_OVER_CAP 4000.000000", "SPEND_PER_HCP_YEAR_OVER_CAP 8166.666667"},
		// Registered on the day; 9000/2 = 4500; 9000/10000 = 0.90.
		"A3": {"NOT_REGISTERED_IN_ADVANCE 0.000000", "COST_PER_ATTENDEE_OVER_CAP 4500.000000", "SPEND_PER_HCP_YEAR_OVER_CAP 8166.666667", "COST_SHARE_OVER_TARGET 0.900000"},
		// 5000/1 per attendee; 5000/6000 = 0.833333.
		"A4": {"COST_PER_ATTENDEE_OVER_CAP 5000.000000", "COST_SHARE_OVER_TARGET 0.833333"},
		// Before Nov-Jan = H2 99 + 20 = 119, after Mar-May = 25: lift
		// 25/119 - 1 = -0.789916 < 0.50, final (May <= July).
		"A5": {"LIFT_UNDER_TARGET -0.789916"},
	}
	for _, r := range rs {
		var got []string
		for _, f := range r.Flags {
			got = append(got, fmt.Sprintf("%s %.6f", f.Code, f.Value))
		}
		if strings.Join(got, "; ") != strings.Join(want[r.Activity.ID], "; ") {
			t.Errorf("%s flags: got %q, want %q", r.Activity.ID, got, want[r.Activity.ID])
		}
		for _, f := range r.Flags {
			if f.Code == fieldwork.SpendPerHCPYearOverCap && (len(f.HCPs) != 1 || f.HCPs[0].HCPID != "S1" || f.HCPs[0].Year != 2026 || !near(f.HCPs[0].Total, s1)) {
				t.Errorf("%s spend flag HCPs: got %+v, want S1 2026 %.2f", r.Activity.ID, f.HCPs, s1)
			}
		}
	}
	if c := rs[1].CostPerAttendee; c == nil || !near(*c, 4000) || !rs[1].Flags[1].FromBudget {
		t.Errorf("A2 cost per attendee: got %v, want 4000 from the budget", c)
	}

	for _, c := range []struct {
		act, code int
		lang      labels.Lang
		want      string
	}{
		{1, 0, labels.ZH, "活动前未完成合规备案（待备案）"},
		{2, 0, labels.EN, "registered on 2026-09-20, not before the activity's date 2026-09-20"},
		{1, 1, labels.EN, "cost per attendee 4000.00 CNY (from the budget; actual cost unknown) is over the cap of 500 CNY"},
		{0, 0, labels.ZH, "人均费用1333.33元，超过上限500元"},
		{0, 1, labels.ZH, "参与医生的年度费用超过上限6000元：S1 8166.67元（2026年）"},
		{0, 1, labels.EN, "spend on participating HCPs over the yearly cap of 6000 CNY: S1 8166.67 CNY in 2026"},
		{0, 2, labels.EN, "cost share 40.0% is over the target of 30.0%"},
		{4, 0, labels.ZH, "处方提升-79.0%，低于目标50.0%"},
	} {
		if got := rs[c.act].Flags[c.code].Message(c.lang); got != c.want {
			t.Errorf("A%d flag %d in %s: got %q, want %q", c.act+1, c.code, c.lang, got, c.want)
		}
	}
}

// TestEvaluateLatestFromTheData: given only the attendees' facts, the
// caller passes the product's latest month in the whole data; A2 (after
// window to 2026-08, facts to 2026-07) is then final, no longer
// provisional, while a month earlier than the facts' changes nothing.
func TestEvaluateLatestFromTheData(t *testing.T) {
	acts := activities()
	var a2 kolgraph.Activity
	for _, a := range acts {
		if a.ID == "A2" {
			a2 = a
		}
	}
	for _, tc := range []struct {
		latest      string
		provisional bool
		month       string
	}{{"2026-12", false, "2026-12"}, {"2026-01", true, "2026-07"}} {
		rs := fieldwork.Evaluate(fieldwork.Default(), []kolgraph.Activity{a2}, facts(), map[string]string{a2.ProductID: tc.latest})
		if r := rs[0].ROI; r.Provisional != tc.provisional || r.LatestFactMonth != tc.month {
			t.Errorf("latest %s: provisional %v, latest %s; want %v, %s", tc.latest, r.Provisional, r.LatestFactMonth, tc.provisional, tc.month)
		}
	}
}
