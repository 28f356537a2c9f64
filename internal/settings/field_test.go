package settings_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/fieldwork"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/settings"
)

// TestFieldSettings: the document carries field execution's settings under
// "field" with fieldwork's defaults; a document changes them field by field
// over the base without touching the base, and a wrong value is EINVALID
// naming its path in the document.
func TestFieldSettings(t *testing.T) {
	def := defaults()
	if got, want := def.Field.CostShareMax, 0.30; got != want {
		t.Errorf("default costShareMax: got %v, want %v", got, want)
	}
	if got, want := def.Field.VisitKinds, []string{"visit", "meeting"}; !slices.Equal(got, want) {
		t.Errorf("default visitKinds: got %q, want %q", got, want)
	}
	if !strings.Contains(def.JSON(), `"kamMonthlyCapacity": 80`) {
		t.Errorf("the document's JSON has no field.kamMonthlyCapacity: %s", def.JSON())
	}

	d, err := settings.Parse([]byte(`{"field":{"liftMin":0.2,"visitKinds":["visit"]}}`), def)
	if err != nil {
		t.Fatal(err)
	}
	if d.Field.LiftMin != 0.2 || !slices.Equal(d.Field.VisitKinds, []string{"visit"}) {
		t.Errorf("parsed field: got %+v, want liftMin 0.2 and visitKinds [visit]", d.Field)
	}
	if d.Field.BeforeMonths != 3 || d.Field.MaxSpendPerHCPYear != fieldwork.Default().MaxSpendPerHCPYear {
		t.Errorf("fields left out changed: got %+v", d.Field)
	}
	if !slices.Equal(def.Field.VisitKinds, []string{"visit", "meeting"}) {
		t.Errorf("parsing changed the base's visitKinds: %q", def.Field.VisitKinds)
	}

	for doc, want := range map[string]string{
		`{"field":{"costShareMax":0}}`:               `field "field.costShareMax"`,
		`{"field":{"afterMonths":0}}`:                `field "field.afterMonths"`,
		`{"field":{"maxCostPerAttendee":-5}}`:        `field "field.maxCostPerAttendee"`,
		`{"field":{"kamMonthlyCapacity":0}}`:         `field "field.kamMonthlyCapacity"`,
		`{"field":{"visitKinds":["lunch"]}}`:         `"lunch" is not an interaction kind`,
		`{"field":{"visitKinds":[]}}`:                `field "field.visitKinds"`,
		`{"field":{"liftMin":"half"}}`:               `"field.liftMin" must be a number`,
		`{"field":{"maxSpendPerHcpYaer":1}}`:         `unknown field "maxSpendPerHcpYaer"`,
		`{"field":{"visitKinds":["visit","visit"]}}`: `names "visit" twice`,
	} {
		_, err := settings.Parse([]byte(doc), def)
		if kolgraph.ErrorCode(err) != kolgraph.EINVALID || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%s): got %v, want EINVALID saying %q", doc, err, want)
		}
	}
}
