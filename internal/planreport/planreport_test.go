package planreport

import (
	"strings"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/citation"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/labels"
)

func report(lang labels.Lang) *Report {
	target := 40.0
	p := &kolgraph.AccountPlan{ID: "AP-1", HospitalID: "H1", ProductID: "RX1", OwnerID: "U1", Status: kolgraph.PlanActive,
		PeriodStart: "2027-01-01", PeriodEnd: "2027-12-31",
		Goals:        []kolgraph.YearGoal{{Year: 2027, Goal: "40 a month", Target: &target, Unit: "patients/month"}},
		Objectives:   []kolgraph.Objective{{Area: kolgraph.AreaResearch, Year: 2027, Description: "study | <b>x</b>"}},
		Stakeholders: []kolgraph.Stakeholder{{HCPID: "P1", Stage: "PT_DECISION", Segment: "A"}},
		Notes:        "<script>alert(1)</script> *bold* [link](http://x)",
		Citations: []kolgraph.CitedPath{{PathID: "path-abc_def", GraphVersion: "v2", User: "U1", Entry: 0.5, Strength: 0.2, Note: "P&T",
			Nodes: []kolgraph.CitedNode{{ID: "P1", Name: "王"}, {ID: "P2", Name: "李"}, {ID: "P3", Name: "张"}},
			Hops:  []kolgraph.CitedHop{{From: "P1", To: "P2", Kind: "mentor", Weight: 0.8}, {From: "P2", To: "P3", Kind: "referral", Weight: 0.25}}}},
	}
	h := &citation.Health{Status: citation.Broken, BrokenAt: 2, Gone: citation.Gone{From: "P2", To: "P3"}, ReplacementNote: "no replacement: none"}
	return &Report{Plan: p, Lang: lang, Hospital: "医院", Product: "Cardio", Owner: "KAM", HCPs: map[string]string{"P1": "王"},
		Citations: []Citation{{CitedPath: &p.Citations[0], Health: h}}, GraphVersion: "v3", GeneratedAt: time.Unix(0, 0)}
}

// TestDocuments: both formats cite the path by id with its hops and its
// health in the report's language, hide the tie from a reader who may not
// see it, and keep the plan's own text from becoming markup.
func TestDocuments(t *testing.T) {
	var md, html strings.Builder
	if err := Markdown.Write(&md, report(labels.ZH)); err != nil {
		t.Fatal(err)
	}
	if err := HTML.Write(&html, report(labels.EN)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# 客户计划 AP-1", "`path-abc_def`", "王 (P1) —\\[mentor 0.8\\]→ 李 (P2)", "在第 2 跳断开：李 (P2) → 张 (P3) 的影响关系已删除",
		"从 U1 的联系人出发\n", "| 科研合作 | 2027 | study \\| \\<b\\>x\\</b\\> |", "\\<script\\>", "\\*bold\\* \\[link\\]", "| 2027 | 40 a month | 40 patients/month |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	for _, want := range []string{"<h1>Account plan AP-1</h1>", "<code>path-abc_def</code>", "broken at hop 2: the tie 李 (P2) → 张 (P3) was removed",
		"&lt;script&gt;alert(1)&lt;/script&gt;", "study | &lt;b&gt;x&lt;/b&gt;", `<dd class="broken">`, "from the contacts of U1</dd>", "P&amp;T"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("html lacks %q:\n%s", want, html.String())
		}
	}
	if strings.Contains(md.String()+html.String(), "0.5") {
		t.Error("the citing user's tie strength shows to a reader who may not see it")
	}
}
