package tiering_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/labels"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/tiering"
)

// TestReportAManagerActsOn writes the T01/RX01 report in Chinese (the
// default) as HTML, CSV and XLSX: the HTML starts with the summary (the
// segments with their plans, the cut-offs in words, the 20/80 line, the
// departments at risk, the hottest cells drawn as an SVG picture, the
// speaker shortlist), then one section per segment; the XLSX opens with
// excelize and its accounts sheet has the CSV's rows, cell for cell.
func TestReportAManagerActsOn(t *testing.T) {
	e := shared(t)
	req := tiering.Request{Scope: snapshot.Scope{Territory: "T01"}, ProductID: "RX01"}
	rep, err := e.svc.Report(context.Background(), req, account.LevelHCP)
	if err != nil {
		t.Fatal(err)
	}
	var html bytes.Buffer
	if err := tiering.HTML.Write(&html, rep); err != nil {
		t.Fatal(err)
	}
	out := html.String()
	summary := strings.Index(out, "<h2>摘要</h2>")
	firstSection := strings.Index(out, `<h2 class="seg-A">A类`)
	if summary < 0 || firstSection < summary {
		t.Fatalf("summary at %d, segment A at %d: the summary comes first", summary, firstSection)
	}
	for _, want := range []string{`<html lang="zh-CN">`, "客户分级报告", "潜力阈值", "第70百分位", "20/80线", "DRG/DIP风险科室",
		"D004-01", "热力图最热单元", "<svg", "合规讲者候选名单", "准入关键人", "药剂科审核", "负责人", "影响力百分位", "下次拜访截止", "重点监控", "医保",
		"与该医生共同制定科室三年联合计划", "准入优先"} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	if strings.Contains(out, "Speaker seats") {
		t.Error("the report still offers speaker seats by segment")
	}

	var csvBuf, xlsxBuf bytes.Buffer
	if err := tiering.CSV.Write(&csvBuf, rep); err != nil {
		t.Fatal(err)
	}
	if err := tiering.XLSX.Write(&xlsxBuf, rep); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvBuf.Bytes(), []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&xlsxBuf)
	if err != nil {
		t.Fatalf("excelize cannot open the XLSX report: %v", err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"摘要", "客户"}) {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows("客户")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(recs) {
		t.Fatalf("XLSX has %d rows, CSV %d", len(rows), len(recs))
	}
	for i := 1; i < len(recs); i++ {
		x := append(rows[i], make([]string, len(recs[i])-len(rows[i]))...) // GetRows drops trailing empty cells
		for j := range recs[i] {
			c := strings.TrimPrefix(recs[i][j], "'") // the CSV's formula guard
			if x[j] != c && !sameNumber(x[j], c) {
				t.Errorf("row %d column %s: XLSX %q, CSV %q", i, account.CSVHeader[j], x[j], recs[i][j])
			}
		}
	}
	// Owners: T01's KAMs, by the seed's users.
	owner := rows[1][slices.Index(account.CSVHeader, "owner")]
	var kams []string
	for _, u := range e.cs.Users {
		if u.Role == "kam" && slices.Contains(u.Territories, "T01") {
			kams = append(kams, u.Name)
		}
	}
	slices.Sort(kams)
	if owner != strings.Join(kams, ", ") || owner == "" {
		t.Errorf("owner %q, want T01's KAMs %v", owner, kams)
	}

	// English on request.
	req.Lang = labels.EN
	en, err := e.svc.Report(context.Background(), req, account.LevelHCP)
	if err != nil {
		t.Fatal(err)
	}
	html.Reset()
	if err := tiering.HTML.Write(&html, en); err != nil {
		t.Fatal(err)
	}
	if out := html.String(); !strings.Contains(out, `<html lang="en">`) || !strings.Contains(out, "<h2>Summary</h2>") || !strings.Contains(out, "70th percentile") {
		t.Error("the English report is not in English")
	}
}

// sameNumber: excelize reads a number back in its shortest form (80.5 for
// the CSV's 80.50).
func sameNumber(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	var x, y float64
	if _, err := fmt.Sscan(a, &x); err != nil {
		return false
	}
	if _, err := fmt.Sscan(b, &y); err != nil {
		return false
	}
	return x == y
}
