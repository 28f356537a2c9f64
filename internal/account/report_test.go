package account_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/account"
)

func reportOf(t *testing.T, names ...string) *account.Report {
	t.Helper()
	var accts []account.Account
	for i, n := range names {
		a := acct(n, fp(float64(10*(i+1))), fp(0.5))
		a.HospitalName, a.DepartmentName = "杭州泽馨中心医院", "心血管内科"
		accts = append(accts, a)
	}
	accts = append(accts, acct("=unknown", nil, fp(0.1)))
	m, err := account.Classify(account.DefaultMatrixConfig(), accts)
	if err != nil {
		t.Fatal(err)
	}
	r := account.NewReport(m)
	r.Title, r.Scope = "Tiering report 分级报告", "Territory T01 浙北"
	r.GeneratedAt = time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)
	return r
}

func TestCSVFormulaInjection(t *testing.T) {
	tests := []struct{ name, want string }{
		{"=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"},
		{"+1+1", "'+1+1"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"\tcmd", "'\tcmd"},
		{"\rcmd", "'\rcmd"},
		{"＝1+1", "'＝1+1"},
		{"王芳", "王芳"},
		{"a=b", "a=b"},
		{"O'Brien", "O'Brien"},
	}
	var names []string
	for _, tc := range tests {
		names = append(names, tc.name)
	}
	r := reportOf(t, names...)
	r.Rows[0].Paths = []account.ReportPath{{ID: "path-1", Strength: 0.42, Summary: "-> 王芳"}}
	var buf bytes.Buffer
	if err := account.WriteCSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	if !bytes.HasPrefix(raw, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("no UTF-8 BOM: % x", raw[:3])
	}
	recs, err := csv.NewReader(bytes.NewReader(raw[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], account.CSVHeader) {
		t.Errorf("header %v", recs[0])
	}
	got := map[string]bool{}
	for _, rec := range recs[1:] {
		got[rec[2]] = true // name column
		if rec[3] != "杭州泽馨中心医院" && rec[1] != "'=unknown" {
			t.Errorf("hospital cell %q: Chinese did not survive", rec[3])
		}
		if strings.HasPrefix(rec[1], "=") || strings.HasPrefix(rec[2], "=") {
			t.Errorf("unescaped formula in %v", rec)
		}
	}
	for _, tc := range tests {
		if !got[tc.want] {
			t.Errorf("name %q: want cell %q among %v", tc.name, tc.want, got)
		}
	}
	col := func(key string) int { return slices.Index(account.CSVHeader, key) }
	// The unknown account: unclassified, empty potential, reason in the note.
	last := recs[len(recs)-1]
	if last[1] != "'=unknown" || last[col("segment")] != "未分级" || last[col("potential_monthly_patients")] != "" ||
		!strings.Contains(last[col("note")], "bed_turnover") {
		t.Errorf("unclassified row %q", last)
	}
	// Numbers are not escaped; a path summary starting with - is.
	for _, rec := range recs[1:] {
		if p := rec[col("top_paths")]; p != "" && p != "path-1 (0.420): -> 王芳" {
			t.Errorf("paths cell %q", p)
		}
	}
}

func TestHTMLEscapes(t *testing.T) {
	r := reportOf(t, "<script>alert(1)</script>", "张伟")
	r.Rows[0].Paths = []account.ReportPath{{ID: "p1", Strength: 0.5, Summary: "<b>x</b>"}}
	var buf bytes.Buffer
	if err := account.WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"<script>", "<b>x</b>"} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML contains raw %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;", "张伟", "分级报告", `<meta charset="utf-8">`, "2025-07-01T08:00:00Z",
		`<html lang="zh-CN">`, "摘要", "第70百分位", "处方潜力从不作为选择讲者或顾问的依据"} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

func TestMarkdownEscapes(t *testing.T) {
	r := reportOf(t, "a|b", "[x](http://evil)", "<img src=x>", "李娜\n新行")
	var buf bytes.Buffer
	if err := account.WriteMarkdown(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	var rows []string
	for _, l := range strings.Split(out, "\n") {
		// the account rows: the four named ones and the unclassified one
		if strings.HasPrefix(l, "| ") && (strings.Contains(l, "杭州泽馨中心医院") || strings.Contains(l, "=unknown")) {
			rows = append(rows, l)
		}
	}
	if len(rows) != 5 {
		t.Fatalf("%d account rows, want 5:\n%s", len(rows), out)
	}
	for _, l := range rows {
		// 24 columns: 25 unescaped pipes.
		if n := strings.Count(l, "|") - strings.Count(l, `\|`); n != 25 {
			t.Errorf("row has %d cell separators: %s", n, l)
		}
	}
	for _, want := range []string{`a\|b`, `\[x\](http://evil)`, `\<img src=x\>`, "李娜 新行"} {
		if !strings.Contains(out, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, out)
		}
	}
}
