package main

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/auth"
)

// TestSettingsChangeTheMatrix: an admin changes the HCP potential cut-off
// and the DRG/DIP threshold through updateSettings; the T01/RX01 matrix
// then classifies by the new cut-off (checked member by member against the
// rule, not against the code's own numbers), flags the departments under
// the new threshold, and says which settings version it used; the audit
// log shows who changed what; a kam may not; a bad document is refused
// naming its field and changes nothing.
func TestSettingsChangeTheMatrix(t *testing.T) {
	m := ownService(t)
	h := m.Handler()
	admin := bearer(t, "U001", auth.RoleAdmin, nil)

	type settingsV struct {
		Version   int
		UpdatedBy string
		Source    string
		Document  string
	}
	var before struct{ Settings settingsV }
	mustQueryAuth(t, h, admin, `{ settings { version updatedBy source document } }`, nil, &before)
	if s := before.Settings; s.Version != 1 || s.UpdatedBy != "system" || s.Source != "defaults" ||
		!strings.Contains(s.Document, `"potentialCutOff"`) {
		t.Fatalf("settings at start: %+v", s)
	}

	const update = `mutation($d: String!, $v: Int) { updateSettings(document: $d, expectedVersion: $v) { version updatedBy source } }`
	doc := `{"matrices":{"hcp":{"potentialCutOff":{"mode":"absolute","value":50}}},
		"potential":{"drg":{"form":"linear","threshold":0.6,"coefficient":0.3}}}`
	kam := bearer(t, "U004", auth.RoleKAM, []string{"T01"})
	if x := ask(t, h, kam, update, map[string]any{"d": doc}); !slices.Equal(x.codes(), []string{"FORBIDDEN"}) {
		t.Errorf("kam updateSettings: got %s", x.body)
	}
	x := ask(t, h, admin, update, map[string]any{"d": `{"matrices":{"hcp":{"potentialCutOff":{"mode":"absolute","value":-5}}}}`})
	if !slices.Equal(x.codes(), []string{"BAD_USER_INPUT"}) || !strings.Contains(string(x.body), "potential cut-off") {
		t.Errorf("bad document: got %s", x.body)
	}
	if x := ask(t, h, admin, update, map[string]any{"d": doc, "v": 7}); !slices.Equal(x.codes(), []string{"CONFLICT"}) {
		t.Errorf("stale expectedVersion: got %s", x.body)
	}
	var up struct{ UpdateSettings settingsV }
	mustQueryAuth(t, h, admin, update, map[string]any{"d": doc, "v": 1}, &up)
	if s := up.UpdateSettings; s.Version != 2 || s.UpdatedBy != "U001" || s.Source != "mutation updateSettings" {
		t.Fatalf("updateSettings: %+v", s)
	}

	var got struct {
		AccountMatrix struct {
			PotentialCutOff struct {
				Mode      string
				Value     float64
				Threshold float64
			}
			Settings struct{ Version int }
			Cells    []struct {
				Segment string
				Members struct {
					Edges []struct {
						Node struct {
							ID        string
							Potential float64
						}
					}
				}
			}
			AtRiskDepartments []struct {
				Department     struct{ ID string }
				EnrollmentRate float64
			}
		}
	}
	mustQueryAuth(t, h, admin, `{ accountMatrix(scope: {territory: "T01"}, product: "RX01") {
		potentialCutOff { mode value threshold } settings { version }
		cells { segment members(first: 500) { edges { node { id potential } } } }
		atRiskDepartments { department { id } enrollmentRate } } }`, nil, &got)
	mx := got.AccountMatrix
	if mx.PotentialCutOff.Mode != "ABSOLUTE" || mx.PotentialCutOff.Threshold != 50 || mx.Settings.Version != 2 {
		t.Errorf("matrix after the update: cut-off %+v, settings version %d", mx.PotentialCutOff, mx.Settings.Version)
	}
	members := 0
	for _, c := range mx.Cells {
		for _, e := range c.Members.Edges {
			members++
			high := e.Node.Potential > 0 && e.Node.Potential >= 50
			if wantHigh := c.Segment == "A" || c.Segment == "B"; high != wantHigh {
				t.Errorf("%s: potential %.2f in segment %s under an absolute cut-off of 50", e.Node.ID, e.Node.Potential, c.Segment)
			}
		}
	}
	if members == 0 {
		t.Fatal("the matrix has no members")
	}
	between := 0
	for _, d := range mx.AtRiskDepartments {
		if d.EnrollmentRate >= 0.6 {
			t.Errorf("%s at risk with enrollment %.2f, threshold 0.6", d.Department.ID, d.EnrollmentRate)
		}
		if d.EnrollmentRate >= 0.5 {
			between++
		}
	}
	if between == 0 {
		t.Error("no department with enrollment in [0.5, 0.6) is at risk under the 0.6 threshold")
	}

	// The audit log says who changed what.
	var log struct {
		AuditLog struct {
			Edges []struct {
				Node struct{ Actor, Op, Before, After string }
			}
		}
	}
	mustQueryAuth(t, h, admin, `{ auditLog(kind: SETTINGS) { edges { node { actor op before after } } } }`, nil, &log)
	es := log.AuditLog.Edges
	if len(es) != 2 || es[1].Node.Actor != "U001" || es[1].Node.Op != "update" ||
		!strings.Contains(es[1].Node.Before, `"mode":"percentile","value":70`) || !strings.Contains(es[1].Node.After, `"mode":"absolute","value":50`) {
		t.Errorf("audit log of the settings: %+v", es)
	}

	// The report states the version and the values it used.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/reports/tiering?territory=T01&product=RX01&format=markdown&lang=en", nil)
	req.Header.Set("Authorization", admin)
	h.ServeHTTP(rec, req)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, "- Settings version: 2") || !strings.Contains(body, "DRG/DIP enrollment threshold: 0.6") {
		t.Errorf("report: %d, settings lines missing:\n%.2000s", rec.Code, body)
	}
	// Version 1 stays readable.
	var v1 struct{ Settings *settingsV }
	mustQueryAuth(t, h, admin, `{ settings(version: 1) { version document } }`, nil, &v1)
	if v1.Settings == nil || v1.Settings.Document != before.Settings.Document {
		t.Errorf("settings(version: 1): %+v", v1.Settings)
	}
}
