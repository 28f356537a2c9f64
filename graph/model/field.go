package model

import (
	"github.com/kolgraph/kolgraph/internal/fieldwork"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// AccountOwnership is the owner of an account and the account the owner
// was assigned to (itself or one above it).
type AccountOwnership struct {
	Account    string
	OwnerID    string
	AssignedTo string
}

// Activity is an academic activity with its evaluation.
type Activity struct {
	*kolgraph.Activity
	Result *fieldwork.Result
	Config fieldwork.Config
}

// AttendeeCount is the number of attendees.
func (a *Activity) AttendeeCount() int { return len(a.AttendeeIDs) }

// Roi is the activity's ROI with the targets it is held to.
func (a *Activity) Roi() *ActivityROI { return &ActivityROI{ROI: &a.Result.ROI, Config: a.Config} }

// CostPerAttendee is the evaluation's.
func (a *Activity) CostPerAttendee() *float64 { return a.Result.CostPerAttendee }

// Flags are the evaluation's findings.
func (a *Activity) Flags() []*fieldwork.Flag {
	out := make([]*fieldwork.Flag, len(a.Result.Flags))
	for i := range a.Result.Flags {
		out[i] = &a.Result.Flags[i]
	}
	return out
}

// ActivityROI is an activity's ROI with its targets.
type ActivityROI struct {
	*fieldwork.ROI
	Config fieldwork.Config
}

func (r *ActivityROI) CostShareTarget() float64 { return r.Config.CostShareMax }
func (r *ActivityROI) LiftTarget() float64      { return r.Config.LiftMin }
func (r *ActivityROI) LatestFactMonth() *string {
	if r.ROI.LatestFactMonth == "" {
		return nil
	}
	return &r.ROI.LatestFactMonth
}
