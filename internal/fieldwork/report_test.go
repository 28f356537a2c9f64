package fieldwork_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kolgraph/kolgraph/internal/fieldwork"
	"github.com/kolgraph/kolgraph/internal/labels"
)

func openXLSX(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// checkCells compares cells of sheet with want (cell -> value; a value
// starting with "~" is a number compared with a tolerance).
func checkCells(t *testing.T, f *excelize.File, sheet string, want map[string]string) {
	t.Helper()
	for c, w := range want {
		got, err := f.GetCellValue(sheet, c)
		if err != nil {
			t.Fatalf("%s!%s: %v", sheet, c, err)
		}
		if n, ok := strings.CutPrefix(w, "~"); ok {
			wn, _ := strconv.ParseFloat(n, 64)
			gn, err := strconv.ParseFloat(got, 64)
			if err != nil || !near(gn, wn) {
				t.Errorf("%s!%s: got %q, want the number %s", sheet, c, got, n)
			}
			continue
		}
		if got != w {
			t.Errorf("%s!%s: got %q, want %q", sheet, c, got, w)
		}
	}
}

func roiReport(lang labels.Lang) *fieldwork.ROIReport {
	return &fieldwork.ROIReport{Lang: lang, Scope: "T1", SettingsVersion: 3, Config: fieldwork.Default(),
		GeneratedAt: time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC),
		Results:     fieldwork.Evaluate(fieldwork.Default(), activities(), facts(), nil)}
}

func TestROIReportXLSX(t *testing.T) {
	var b bytes.Buffer
	if err := fieldwork.WriteROIXLSX(&b, roiReport(labels.ZH)); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, b.Bytes())
	if got := strings.Join(f.GetSheetList(), ","); got != "摘要,活动" {
		t.Fatalf("sheets: got %s, want 摘要,活动", got)
	}
	checkCells(t, f, "摘要", map[string]string{"A1": "学术活动投入产出", "A2": "范围", "B2": "T1", "B5": "≤ 30%", "B6": "≥ 50%", "B7": "3 / 3", "B8": "500 元", "B9": "6000 元"})
	// The numbers are TestActivityROI's and TestEvaluateFlags', worked
	// out there by hand: A1 cost share 4000/10000 = 0.40 (✗ against 0.30),
	// before 50, after 85, lift 0.70 (✓).
	checkCells(t, f, "活动", map[string]string{
		"A1": "活动", "F1": "费用占比", "G1": "费用占比 ≤ 30%", "M1": "处方提升", "N1": "处方提升 ≥ 50%", "O1": "合规提示",
		"A2": "心衰科室会", "B2": "科室会", "C2": "2026-03-15", "D2": "~10000", "E2": "~4000", "F2": "~0.4", "G2": "✗", "H2": "~3",
		"I2": "2025-12 – 2026-02", "J2": "~50", "K2": "2026-04 – 2026-06", "L2": "~85", "M2": "~0.7", "N2": "✓",
		// A2: no actual cost, cost share unknown; lift 50/140 - 1, provisional.
		"E3": "未知", "F3": "未知", "G3": "", "J3": "~140", "L3": "~50", "M3": "~-0.642857", "N3": "✗ 暂定",
		// A4: no lift (no prescriptions before); A5's formula-like name is quoted.
		"M5": "未知", "A6": "'=HYPERLINK(\"http://x\",\"<b>会</b>\")", "M6": "~-0.789916", "N6": "✗",
	})
	flags, _ := f.GetCellValue("活动", "O2")
	for _, w := range []string{"COST_PER_ATTENDEE_OVER_CAP: 人均费用1333.33元，超过上限500元", "SPEND_PER_HCP_YEAR_OVER_CAP: ", "COST_SHARE_OVER_TARGET: 费用占比40.0%"} {
		if !strings.Contains(flags, w) {
			t.Errorf("A1 flags %q lack %q", flags, w)
		}
	}
	if fm, _ := f.GetCellFormula("活动", "A6"); fm != "" {
		t.Errorf("A6 is a formula: %q", fm)
	}
	if ty, _ := f.GetCellType("活动", "D2"); ty == excelize.CellTypeSharedString || ty == excelize.CellTypeInlineString {
		t.Errorf("the budget is a text cell (%v), want a number", ty)
	}

	b.Reset()
	if err := fieldwork.WriteROIXLSX(&b, roiReport(labels.EN)); err != nil {
		t.Fatal(err)
	}
	f = openXLSX(t, b.Bytes())
	checkCells(t, f, "Activities", map[string]string{"A1": "Activity", "B2": "department meeting", "N3": "✗ provisional", "E3": "unknown"})
}

func TestROIReportHTML(t *testing.T) {
	var b bytes.Buffer
	if err := fieldwork.WriteROIHTML(&b, roiReport(labels.ZH)); err != nil {
		t.Fatal(err)
	}
	h := b.String()
	for _, w := range []string{`<html lang="zh-CN">`, "<h1>学术活动投入产出</h1>", "<td>心衰科室会</td>", `<td class="n">40.0%</td><td>✗</td>`,
		`<td class="n">70.0%</td><td>✓</td>`, `<td class="n">50</td><td>2026-04 – 2026-06</td><td class="n">85</td>`, "✗ 暂定", "人均费用1333.33元，超过上限500元<br>SPEND_PER_HCP_YEAR_OVER_CAP",
		"S1 8166.67元（2026年）", "=HYPERLINK(&#34;http://x&#34;,&#34;&lt;b&gt;会&lt;/b&gt;&#34;)", "6000 元"} {
		if !strings.Contains(h, w) {
			t.Errorf("HTML lacks %q", w)
		}
	}
	if strings.Contains(h, "<b>会</b>") {
		t.Error("HTML holds an activity's name unescaped")
	}
}

func planReport(t *testing.T, lang labels.Lang, kam string) *fieldwork.PlanReport {
	t.Helper()
	cfg := fieldwork.Default()
	cfg.KAMMonthlyCapacity = 4
	as := accounts()
	as[1].Name = "<i>李</i>"
	r, err := fieldwork.NewPlanReport(cfg, fieldwork.NewPlan(cfg, date(t, "2026-12-03"), as), lang, kam, "周敏", "2026-12")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestPlanReportXLSX(t *testing.T) {
	var b bytes.Buffer
	if err := fieldwork.WritePlanXLSX(&b, planReport(t, labels.ZH, "K1")); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, b.Bytes())
	if got := strings.Join(f.GetSheetList(), ","); got != "摘要,计划拜访,逾期客户" {
		t.Fatalf("sheets: got %s", got)
	}
	// K1 in December: 5 visits (TestVisits) against a capacity of 4:
	// utilisation 5/4 = 125.0%, over by 1.
	checkCells(t, f, "摘要", map[string]string{"A1": "拜访计划 · 2026-12", "B2": "周敏 (K1)", "B3": "2026-12", "B4": "2026-12-03",
		"A5": "计划拜访", "B5": "5", "B6": "4", "B7": "125.0%"})
	if w, _ := f.GetCellValue("摘要", "B8"); !strings.Contains(w, "计划拜访5次，超出产能（4次）1次") {
		t.Errorf("workload warning: got %q", w)
	}
	checkCells(t, f, "计划拜访", map[string]string{"A1": "日期", "B1": "客户编号", "I1": "逾期天数",
		"A2": "2026-12-03", "B2": "H1", "C2": "王医生", "D2": "第一医院", "E2": "心内科", "F2": "A", "G2": "每两周", "I2": "~7",
		"B3": "H3", "I3": "", "A5": "2026-12-21", "C5": "<i>李</i>", "A6": "2026-12-31", "I6": "", "A7": ""})
	checkCells(t, f, "逾期客户", map[string]string{"A2": "H1", "F2": "2026-11-12", "G2": "2026-11-26", "H2": "~7", "A3": ""})
}

func TestPlanReportHTML(t *testing.T) {
	var b bytes.Buffer
	if err := fieldwork.WritePlanHTML(&b, planReport(t, labels.ZH, "K1")); err != nil {
		t.Fatal(err)
	}
	h := b.String()
	for _, w := range []string{"<h1>拜访计划 · 2026-12</h1>", `<p class="warning">2026-12计划拜访5次`, "<td>2026-12-21</td><td>H2</td><td>&lt;i&gt;李&lt;/i&gt;</td>",
		`<td>王医生</td><td>第一医院</td><td>心内科</td><td>A</td><td>每两周</td>`, `<td class="n">7</td>`, "<h2>逾期客户</h2>"} {
		if !strings.Contains(h, w) {
			t.Errorf("HTML lacks %q", w)
		}
	}
	if strings.Contains(h, "<i>李</i>") {
		t.Error("HTML holds a name unescaped")
	}

	// K2 in English: 4 visits, within the capacity of 4, no warning.
	b.Reset()
	if err := fieldwork.WritePlanHTML(&b, planReport(t, labels.EN, "K2")); err != nil {
		t.Fatal(err)
	}
	h = b.String()
	for _, w := range []string{"<h2>Planned visits</h2>", "<dd>Within capacity</dd>", "<td>H5</td>", `<td class="n">49</td>`} {
		if !strings.Contains(h, w) {
			t.Errorf("English HTML lacks %q", w)
		}
	}
	if strings.Contains(h, `class="warning"`) {
		t.Error("a warning within capacity")
	}
}
