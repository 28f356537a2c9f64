package kolgraph

import "time"

// Field execution (issue 15): what a key-account team does after tiering.
// Interactions log the contacts made, account owners say who is
// responsible for an account, and academic activities are the meetings a
// team runs with their speakers, attendees, budget and registration. All
// three are territory-scoped data written through the writer and audited
// like every record.

// Record kinds of field execution.
const (
	KindInteractions = "interactions"
	KindOwners       = "owners"
	KindActivities   = "activities"
)

// Interaction kinds.
const (
	InteractionVisit   = "visit"
	InteractionCall    = "call"
	InteractionMeeting = "meeting"
	InteractionDigital = "digital"
)

// InteractionKinds lists the interaction kinds.
var InteractionKinds = []string{InteractionVisit, InteractionCall, InteractionMeeting, InteractionDigital}

// MaxInteractionNotes bounds an interaction's notes, in bytes.
const MaxInteractionNotes = 4000

// Interaction is one logged contact of a KAM with an HCP: a visit, call,
// meeting or digital touch on Date, optionally about a product. Notes is
// free text about a person and follows the contact-data rules: only roles
// that may read contact data read it, every read is audited, and audit
// entries mask it for the others. Its territory is its HCP's. Deleting
// the HCP deletes its interactions.
type Interaction struct {
	ID        string `json:"id"`
	HCPID     string `json:"hcpId"`
	KAMID     string `json:"kamId"` // the user who made the contact
	Date      string `json:"date"`  // YYYY-MM-DD
	Kind      string `json:"kind"`  // visit | call | meeting | digital
	ProductID string `json:"productId,omitempty"`
	Notes     string `json:"notes,omitempty"`
}

// Validate reports the problems of the interaction's own fields.
func (in *Interaction) Validate() []Problem {
	var c checker
	c.id("id", in.ID)
	c.id("hcp_id", in.HCPID)
	c.id("kam_id", in.KAMID)
	c.date("date", in.Date)
	c.oneOf("kind", in.Kind, InteractionKinds)
	c.optID("product_id", in.ProductID)
	c.longText("notes", in.Notes, MaxInteractionNotes)
	return c.ps
}

// AccountOwner says which user (a KAM) owns an account: AccountID is a
// territory, hospital, department or HCP id. The most specific owner
// wins: an HCP's own, else its department's, its hospital's, its
// territory's. The owner must hold the account's territory. Deleting the
// account or the user deletes the ownership.
type AccountOwner struct {
	AccountID string `json:"accountId"`
	UserID    string `json:"userId"`
}

// Validate reports the problems of the ownership's own fields.
func (o *AccountOwner) Validate() []Problem {
	var c checker
	c.id("account_id", o.AccountID)
	c.id("user_id", o.UserID)
	return c.ps
}

// Academic activity kinds.
const (
	ActivityDepartmentMeeting = "department_meeting"
	ActivityCityMeeting       = "city_meeting"
	ActivityRegionalCongress  = "regional_congress"
	ActivityOnline            = "online"
)

// ActivityKinds lists the academic activity kinds.
var ActivityKinds = []string{ActivityDepartmentMeeting, ActivityCityMeeting, ActivityRegionalCongress, ActivityOnline}

// Registration statuses of an academic activity with compliance.
const (
	RegistrationPending    = "pending"    // not registered (yet)
	RegistrationRegistered = "registered" // registered on RegisteredOn
)

// RegistrationStatuses lists the registration statuses.
var RegistrationStatuses = []string{RegistrationPending, RegistrationRegistered}

// Bounds of an academic activity.
const (
	MaxActivitySpeakers  = 50
	MaxActivityAttendees = 2000
)

// Activity is an academic activity a team runs in a territory for a
// product: a department meeting (at HospitalID), city meeting, regional
// congress or online session on Date, with its budget, actual cost (nil
// until known), speakers and attendees (HCP ids) and its compliance
// registration. Speakers must come from the compliant candidate list
// (checked by the service that records it, not here); ROI and the
// compliance flags are computed from it and the prescription facts.
// An activity is a compliance record that must not lose what it is about:
// deleting its territory, hospital, product, owner or one of its speakers
// or attendees is refused (ECONFLICT) unless the activity goes too.
type Activity struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	Date         string   `json:"date"` // YYYY-MM-DD
	TerritoryID  string   `json:"territoryId"`
	HospitalID   string   `json:"hospitalId,omitempty"`
	ProductID    string   `json:"productId"`
	OwnerID      string   `json:"ownerId"` // the user organising it
	Budget       float64  `json:"budget"`
	ActualCost   *float64 `json:"actualCost,omitempty"`
	SpeakerIDs   []string `json:"speakerIds,omitempty"`
	AttendeeIDs  []string `json:"attendeeIds,omitempty"`
	Registration string   `json:"registration"`           // pending | registered
	RegisteredOn string   `json:"registeredOn,omitempty"` // YYYY-MM-DD, set iff registered
}

// Validate reports the problems of the activity's own fields.
func (a *Activity) Validate() []Problem {
	var c checker
	c.id("id", a.ID)
	c.text("name", a.Name, true)
	c.oneOf("kind", a.Kind, ActivityKinds)
	c.date("date", a.Date)
	c.id("territory_id", a.TerritoryID)
	c.optID("hospital_id", a.HospitalID)
	if a.Kind == ActivityDepartmentMeeting && a.HospitalID == "" {
		c.add("hospital_id", "is required for a department meeting")
	}
	c.id("product_id", a.ProductID)
	c.id("owner_id", a.OwnerID)
	c.nonNeg("budget", &a.Budget)
	c.nonNeg("actual_cost", a.ActualCost)
	c.idList("speaker_ids", a.SpeakerIDs, MaxActivitySpeakers)
	c.idList("attendee_ids", a.AttendeeIDs, MaxActivityAttendees)
	c.oneOf("registration", a.Registration, RegistrationStatuses)
	switch {
	case a.Registration == RegistrationRegistered && a.RegisteredOn == "":
		c.add("registered_on", "is required when the activity is registered")
	case a.Registration != RegistrationRegistered && a.RegisteredOn != "":
		c.add("registered_on", "must be empty unless the activity is registered")
	case a.RegisteredOn != "":
		c.date("registered_on", a.RegisteredOn)
	}
	return c.ps
}

// idList checks a list of distinct ids of at most limit entries.
func (c *checker) idList(field string, ids []string, limit int) {
	if len(ids) > limit {
		c.add(field, "has %d entries, more than %d", len(ids), limit)
		return
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !ValidID(id) {
			c.add(field, "must hold ids of 1-64 letters, digits and _.:- (got %q)", Clip(id))
			return
		}
		if seen[id] {
			c.add(field, "names %q twice", id)
			return
		}
		seen[id] = true
	}
}

// ParseDate parses a date YYYY-MM-DD (UTC midnight).
func ParseDate(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil && datePattern.MatchString(s)
}
