package fieldwork_test

import (
	"errors"
	"testing"

	"github.com/kolgraph/kolgraph/internal/fieldwork"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

func TestConfigValidate(t *testing.T) {
	if err := fieldwork.Default().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for field, change := range map[string]func(*fieldwork.Config){
		"costShareMax":       func(c *fieldwork.Config) { c.CostShareMax = 0 },
		"liftMin":            func(c *fieldwork.Config) { c.LiftMin = -2 },
		"beforeMonths":       func(c *fieldwork.Config) { c.BeforeMonths = 25 },
		"afterMonths":        func(c *fieldwork.Config) { c.AfterMonths = 0 },
		"maxCostPerAttendee": func(c *fieldwork.Config) { c.MaxCostPerAttendee = -1 },
		"maxSpendPerHcpYear": func(c *fieldwork.Config) { c.MaxSpendPerHCPYear = 0 },
		"kamMonthlyCapacity": func(c *fieldwork.Config) { c.KAMMonthlyCapacity = 0 },
		"visitKinds":         func(c *fieldwork.Config) { c.VisitKinds = []string{"visit", "lunch"} },
	} {
		c := fieldwork.Default()
		change(&c)
		err := c.Validate()
		var e *kolgraph.Error
		if !errors.As(err, &e) || e.Code != kolgraph.EINVALID || len(e.Problems) != 1 || e.Problems[0].Field != field {
			t.Errorf("%s: got %v, want one EINVALID problem naming it", field, err)
		}
	}
}
