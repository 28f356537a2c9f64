package labels_test

import (
	"testing"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/labels"
	"github.com/kolgraph/kolgraph/internal/tiering"
)

// TestDefaultWordingIsTranslated: every playbook, cadence and kind of
// contact of the default settings, every access playbook and stage has a
// Chinese label, so a Chinese report never falls back to English for them.
func TestDefaultWordingIsTranslated(t *testing.T) {
	var want []string
	m := account.DefaultMatrices()
	for _, l := range []account.Level{account.LevelHCP, account.LevelDepartment, account.LevelHospital} {
		for _, s := range account.Segments {
			p := m.For(l).Plans.Of(s)
			want = append(want, p.Playbook, p.Cadence.Label, p.Cadence.ContactLabel, string(s))
		}
		want = append(want, string(l))
	}
	for stage, play := range tiering.DefaultAccessPlaybooks() {
		want = append(want, string(stage), play)
	}
	for _, s := range want {
		if !labels.Known(s) {
			t.Errorf("no Chinese for %q", s)
		}
		if labels.T(labels.EN, s) != s {
			t.Errorf("English changed %q", s)
		}
	}
}

func TestLanguageChoice(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want labels.Lang
		ok   bool
	}{
		{"", labels.ZH, true}, {"zh", labels.ZH, true}, {"zh-CN", labels.ZH, true}, {"zh-Hans", labels.ZH, true},
		{"en", labels.EN, true}, {"en-US", labels.EN, true}, {"fr", labels.ZH, false}, {"!!", labels.ZH, false},
	} {
		if got, ok := labels.Parse(tc.in, labels.ZH); got != tc.want || ok != tc.ok {
			t.Errorf("Parse(%q) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	for _, tc := range []struct {
		header string
		want   labels.Lang
	}{
		{"", labels.ZH}, {"en-US,en;q=0.9", labels.EN}, {"zh-CN,zh;q=0.9,en;q=0.8", labels.ZH},
		{"fr-FR", labels.ZH}, {"fr;q=1, en;q=0.5", labels.EN},
	} {
		if got := labels.FromAcceptLanguage(tc.header, labels.ZH); got != tc.want {
			t.Errorf("FromAcceptLanguage(%q) = %s, want %s", tc.header, got, tc.want)
		}
	}
}
