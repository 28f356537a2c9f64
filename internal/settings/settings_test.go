package settings_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/analyses"
	"github.com/kolgraph/kolgraph/internal/embedded"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/settings"
)

func defaults() settings.Document { return settings.From(analyses.DefaultConfig()) }

func openStore(t *testing.T) *embedded.Store {
	t.Helper()
	s, err := embedded.Open(filepath.Join(t.TempDir(), "kolgraph.db"), embedded.WithNoSync())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func settingsEntries(t *testing.T, s kolgraph.Store) []*kolgraph.AuditEntry {
	t.Helper()
	p, err := s.AuditLog(t.Context(), kolgraph.AuditFilter{Kind: kolgraph.KindSettings}, kolgraph.Page{First: 100})
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

// TestParse: a document is strict JSON over the base; what it leaves out
// keeps the base's values; every wrong value is EINVALID naming its field.
func TestParse(t *testing.T) {
	d, err := settings.Parse([]byte(`{"matrices":{"hcp":{"potentialCutOff":{"mode":"percentile","value":80}}}}`), defaults())
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Matrices.HCP.Potential; got != (account.CutOffSpec{Mode: account.Percentile, Value: 80}) {
		t.Errorf("hcp potential cut-off: got %+v, want percentile 80", got)
	}
	def := defaults()
	if d.Matrices.HCP.Influence != def.Matrices.HCP.Influence || d.Matrices.HCP.Plans != def.Matrices.HCP.Plans ||
		d.Potential.DRG != def.Potential.DRG || d.InfluenceWeights != def.InfluenceWeights {
		t.Errorf("fields left out changed: got %+v", d.Matrices.HCP)
	}
	// The base is not changed by parsing over it.
	if def.Matrices.HCP.Potential.Value != 70 {
		t.Fatalf("default hcp potential cut-off: got %v, want 70", def.Matrices.HCP.Potential.Value)
	}

	for doc, want := range map[string]string{
		`{"matrices":{"hcp":{"potentialCutOff":{"mode":"percentile","value":120}}}}`:   "percentile must be in [0, 100]",
		`{"matrices":{"hcp":{"potentialCutof":{}}}}`:                                   `unknown field "potentialCutof"`,
		`{"potential":{"drg":{"threshold":"half"}}}`:                                   `"potential.drg.threshold" must be a number`,
		`{"potential":{"drg":{"threshold":1.5}}}`:                                      "DRG threshold must be in (0, 1]",
		`{"influenceWeights":{"pagerank":-1}}`:                                         "influenceWeights",
		`{"matrices":{"department":{"plans":{"A":{"playbook":"=HYPERLINK(\"x\")"}}}}}`: "matrices.department.plans.A.playbook must not start like a spreadsheet formula",
		`{"matrices":{"hcp":{"plans":{"B":{"cadence":{"intervalDays":400}}}}}}`:        "matrices.hcp.plans.B.cadence.intervalDays",
		`{"accessPlaybooks":{"LUNCH":"x"}}`:                                            `"LUNCH" is not a decision-chain stage`,
		`{"groupInfluence":"median"}`:                                                  "group influence must be",
		`{} {}`:                                                                        "text after the JSON object",
		``:                                                                             "empty",
		`{"paretoFraction":0.2`:                                                        "settings document",
	} {
		_, err := settings.Parse([]byte(doc), defaults())
		if kolgraph.ErrorCode(err) != kolgraph.EINVALID || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%s): got %v, want EINVALID saying %q", doc, err, want)
		}
	}
}

// TestDocumentRoundTrip: the defaults' document reads back as itself, and
// applying it gives the default configuration's domain settings.
func TestDocumentRoundTrip(t *testing.T) {
	def := defaults()
	d, err := settings.Parse([]byte(def.JSON()), settings.Document{})
	if err != nil {
		t.Fatal(err)
	}
	if d.JSON() != def.JSON() {
		t.Errorf("round trip changed the document:\n%s\nwant\n%s", d.JSON(), def.JSON())
	}
	// The JSON names are the documented ones.
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(def.JSON()), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"influenceWeights", "potential", "groupInfluence", "matrices", "heatMap", "paretoFraction", "speakers", "accessPlaybooks"} {
		if _, ok := m[k]; !ok {
			t.Errorf("document has no %q: %s", k, def.JSON())
		}
	}
	c := d.Apply(analyses.DefaultConfig())
	base := analyses.DefaultConfig()
	if c.Scoring.Weights != base.Scoring.Weights || c.Tiering.Account.Speakers.Limit != base.Tiering.Account.Speakers.Limit ||
		c.Tiering.Account.Matrices.Hospital.Potential != base.Tiering.Account.Matrices.Hospital.Potential {
		t.Errorf("Apply(defaults) changed the configuration")
	}
}

// TestVersions: a new store records the defaults as version 1; an update
// is version 2 in the audit log with who made it and the document before
// and after; expectedVersion guards against lost updates; an equal
// document records nothing; a reopened service finds version 2.
func TestVersions(t *testing.T) {
	st := openStore(t)
	svc, err := settings.Open(t.Context(), st, settings.Options{Defaults: defaults()})
	if err != nil {
		t.Fatal(err)
	}
	if v := svc.Current(); v.Number != 1 || v.Actor != "system" || v.Source != "defaults" || v.At.IsZero() {
		t.Fatalf("first version: got %d by %q (%q) at %v", v.Number, v.Actor, v.Source, v.At)
	}
	var told []int
	svc.OnChange(func(v *settings.Version) { told = append(told, v.Number) })

	doc := `{"matrices":{"hcp":{"potentialCutOff":{"mode":"percentile","value":80}}}}`
	one := 1
	v2, err := svc.Update(t.Context(), "U001", "mutation updateSettings", []byte(doc), &one)
	if err != nil {
		t.Fatal(err)
	}
	if v2.Number != 2 || v2.Actor != "U001" || v2.Document.Matrices.HCP.Potential.Value != 80 || svc.Current() != v2 {
		t.Fatalf("update: got version %d by %q, cut-off %v", v2.Number, v2.Actor, v2.Document.Matrices.HCP.Potential.Value)
	}
	if len(told) != 1 || told[0] != 2 {
		t.Errorf("OnChange calls: got %v, want [2]", told)
	}
	es := settingsEntries(t, st)
	if len(es) != 2 || es[0].Op != kolgraph.OpCreate || es[1].Op != kolgraph.OpUpdate || es[1].Actor != "U001" ||
		!strings.Contains(es[1].Before, `"value":70`) || !strings.Contains(es[1].After, `"value":80`) || !strings.Contains(es[1].After, `"version":2`) {
		t.Fatalf("audit entries: got %+v", es)
	}

	// A stale expected version is a conflict, and records nothing.
	if _, err := svc.Update(t.Context(), "U002", "mutation updateSettings", []byte(`{}`), &one); kolgraph.ErrorCode(err) != kolgraph.ECONFLICT {
		t.Errorf("update against version 1: got %v, want CONFLICT", err)
	}
	// The same document again records nothing.
	if v, err := svc.Update(t.Context(), "U002", "mutation updateSettings", []byte(doc), nil); err != nil || v != v2 {
		t.Errorf("equal document: got %v, %v; want version 2 unchanged", v, err)
	}
	// A bad one neither.
	if _, err := svc.Update(t.Context(), "U002", "mutation updateSettings", []byte(`{"paretoFraction":2}`), nil); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("bad document: got %v, want EINVALID", err)
	}
	if n := len(settingsEntries(t, st)); n != 2 {
		t.Errorf("entries after refused updates: got %d, want 2", n)
	}

	// Another instance over the same store finds version 2, with version 1
	// still readable.
	again, err := settings.Open(t.Context(), st, settings.Options{Defaults: defaults()})
	if err != nil {
		t.Fatal(err)
	}
	if v := again.Current(); v.Number != 2 || v.Document.Matrices.HCP.Potential.Value != 80 {
		t.Errorf("reopened: got version %d with cut-off %v", v.Number, v.Document.Matrices.HCP.Potential.Value)
	}
	if v, ok := again.At(1); !ok || v.Document.Matrices.HCP.Potential.Value != 70 {
		t.Errorf("version 1 after reopening: got %v, %v", v, ok)
	}
	// ... and sees the first instance's next change on Refresh.
	if _, err := svc.Update(t.Context(), "U001", "mutation updateSettings", []byte(`{"paretoFraction":0.3}`), nil); err != nil {
		t.Fatal(err)
	}
	var seen []int
	again.OnChange(func(v *settings.Version) { seen = append(seen, v.Number) })
	if err := again.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if v := again.Current(); v.Number != 3 || v.Document.ParetoFraction != 0.3 || len(seen) != 1 {
		t.Errorf("after Refresh: got version %d, pareto %v, told %v", v.Number, v.Document.ParetoFraction, seen)
	}
	// Version 3 left the cut-off at its default: a document replaces the
	// whole settings, it does not patch the previous version.
	if got := again.Current().Document.Matrices.HCP.Potential.Value; got != 70 {
		t.Errorf("version 3 hcp cut-off: got %v, want the default 70", got)
	}
}

// TestSettingsFile: the file overlays the defaults and is version 1; an
// unchanged file leaves an administrator's later version in force; an
// edited file wins at the next start, as a new version.
func TestSettingsFile(t *testing.T) {
	st := openStore(t)
	file := filepath.Join(t.TempDir(), "settings.json")
	write := func(doc string) {
		if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	open := func() *settings.Service {
		t.Helper()
		s, err := settings.Open(t.Context(), st, settings.Options{Defaults: defaults(), File: file})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	write(`{"potential":{"drg":{"form":"linear","threshold":0.6,"coefficient":0.3}}}`)
	s := open()
	if v := s.Current(); v.Number != 1 || v.Source != "settings file" || v.Document.Potential.DRG.Threshold != 0.6 {
		t.Fatalf("from the file: got version %d (%s), threshold %v", v.Number, v.Source, v.Document.Potential.DRG.Threshold)
	}
	// An update's fields left out take the file's values.
	if _, err := s.Update(t.Context(), "U001", "mutation updateSettings", []byte(`{"paretoFraction":0.25}`), nil); err != nil {
		t.Fatal(err)
	}
	if v := s.Current(); v.Number != 2 || v.Document.Potential.DRG.Threshold != 0.6 {
		t.Fatalf("update over the file: got version %d, threshold %v", v.Number, v.Document.Potential.DRG.Threshold)
	}
	if v := open().Current(); v.Number != 2 || v.Document.ParetoFraction != 0.25 {
		t.Errorf("restart with the same file: got version %d, pareto %v; want the admin's version 2", v.Number, v.Document.ParetoFraction)
	}
	write(`{"potential":{"drg":{"form":"linear","threshold":0.4,"coefficient":0.3}}}`)
	if v := open().Current(); v.Number != 3 || v.Actor != "system" || v.Document.Potential.DRG.Threshold != 0.4 || v.Document.ParetoFraction != 0.2 {
		t.Errorf("restart with an edited file: got version %d by %s, threshold %v, pareto %v", v.Number, v.Actor,
			v.Document.Potential.DRG.Threshold, v.Document.ParetoFraction)
	}
	// A bad file stops the start, naming the file and the problem.
	write(`{"potential":{"drg":{"threshold":7}}}`)
	if _, err := settings.Open(t.Context(), st, settings.Options{Defaults: defaults(), File: file}); err == nil ||
		!strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), "DRG threshold") {
		t.Errorf("bad file: got %v", err)
	}
}

// TestReadOnly: a one-shot command records nothing and uses the latest
// stored version, or the defaults as version 0.
func TestReadOnly(t *testing.T) {
	st := openStore(t)
	s, err := settings.Open(t.Context(), st, settings.Options{Defaults: defaults(), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if v := s.Current(); v.Number != 0 || len(settingsEntries(t, st)) != 0 {
		t.Errorf("read-only on an empty store: got version %d, %d entries", v.Number, len(settingsEntries(t, st)))
	}
	if _, err := settings.Open(t.Context(), st, settings.Options{Defaults: defaults()}); err != nil {
		t.Fatal(err)
	}
	s, err = settings.Open(t.Context(), st, settings.Options{Defaults: defaults(), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if v := s.Current(); v.Number != 1 {
		t.Errorf("read-only after a recorded version: got %d, want 1", v.Number)
	}
}
