package kolgraph

import "time"

// Hospital is an account: a hospital in a territory.
type Hospital struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Tier         string `json:"tier"` // 3A, 3B, 2A, 2B, 1A ...
	Province     string `json:"province"`
	City         string `json:"city"`
	Beds         int    `json:"beds"`
	Ownership    string `json:"ownership"`    // public | private
	PaymentModel string `json:"paymentModel"` // DRG | DIP | FFS
	TerritoryID  string `json:"territoryId"`
}

// Department is a clinical or pharmacy department of a hospital. The potential
// inputs are pointers because a department's data may lack them; a missing
// input makes potential unknown, never zero.
type Department struct {
	ID         string `json:"id"`
	HospitalID string `json:"hospitalId"`
	Name       string `json:"name"`
	Specialty  string `json:"specialty"`

	WeeklyOutpatients     *int     `json:"weeklyOutpatients,omitempty"`
	IndicationShare       *float64 `json:"indicationShare,omitempty"` // [0,1]
	ManagedBeds           *int     `json:"managedBeds,omitempty"`
	BedTurnover           *float64 `json:"bedTurnover,omitempty"` // patients per bed per month
	DischargePenetration  *float64 `json:"dischargePenetration,omitempty"`
	DRGEnrollmentRate     *float64 `json:"drgEnrollmentRate,omitempty"`
	CompetitorPenetration *float64 `json:"competitorPenetration,omitempty"`
	PolicySensitivity     *float64 `json:"policySensitivity,omitempty"`
}

// HCP roles, titles and KOL levels used by the seed and the scoring priors.
const (
	RolePhysician     = "physician"
	RolePharmacist    = "pharmacist"
	RoleNurse         = "nurse"
	RoleAdministrator = "administrator"

	KOLNational = "national"
	KOLRegional = "regional"
	KOLLocal    = "local"
)

// HCP is a health-care professional working in one department. KOLLevel is
// empty unless the HCP carries the KOL label. Phone, Email and WeChat are
// personal data.
type HCP struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Role         string   `json:"role"`     // physician | pharmacist | nurse | administrator
	Title        string   `json:"title"`    // chief | associate_chief | attending | resident | ""
	Position     string   `json:"position"` // president | vice_president | pharmacy_director | department_head | ...
	Specialty    string   `json:"specialty"`
	DepartmentID string   `json:"departmentId"`
	HospitalID   string   `json:"hospitalId"`
	KOLLevel     string   `json:"kolLevel,omitempty"`
	KOLEvidence  []string `json:"kolEvidence,omitempty"`
	Phone        string   `json:"phone,omitempty"`
	Email        string   `json:"email,omitempty"`
	WeChat       string   `json:"wechat,omitempty"`
}

// IsKOL reports whether the HCP carries the KOL label.
func (h *HCP) IsKOL() bool { return h.KOLLevel != "" }

// Committee kinds.
const (
	CommitteePT          = "pt" // pharmacy & therapeutics / formulary
	CommitteeProcurement = "procurement"
	CommitteeDRG         = "drg"
	CommitteeEthics      = "ethics"
)

// Committee is a decision body of a hospital.
type Committee struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	HospitalID string `json:"hospitalId"`
}

// Membership is (HCP)-[:MEMBER_OF {role}]->(Committee).
type Membership struct {
	HCPID       string `json:"hcpId"`
	CommitteeID string `json:"committeeId"`
	Role        string `json:"role"` // chair | member | secretary
}

// Product is a medicine the account team promotes. Specialties lists the
// specialties whose departments treat its indications.
type Product struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Indications []string `json:"indications"`
	Specialties []string `json:"specialties"`
}

// Listing is (Hospital)-[:LISTS {status, since, keyMonitoring,
// nationalInsurance}]->(Product): the product's market access at the
// hospital.
type Listing struct {
	HospitalID string `json:"hospitalId"`
	ProductID  string `json:"productId"`
	Status     string `json:"status"`          // listed | pending | not_listed | delisted
	Since      string `json:"since,omitempty"` // YYYY-MM-DD
	// KeyMonitoring: the product is on the hospital's key-monitoring list
	// (重点监控目录), whose prescriptions are reviewed and capped.
	KeyMonitoring bool `json:"keyMonitoring,omitempty"`
	// NationalInsurance: the product is reimbursed by national medical
	// insurance (医保) there.
	NationalInsurance bool `json:"nationalInsurance,omitempty"`
}

// ProductShare is (Department)-[:TREATS {share}]->(Product): the share of
// the department's patients who have one of the product's indications,
// in [0,1]. It replaces the department's default IndicationShare in the
// product's potential; departments without one use the default.
type ProductShare struct {
	DepartmentID string  `json:"departmentId"`
	ProductID    string  `json:"productId"`
	Share        float64 `json:"share"`
}

// Territory is a set of hospitals a team covers.
type Territory struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// User is a key-account manager or other user of kolgraph.
type User struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Role        string   `json:"role"` // admin | strategist | kam | compliance | viewer
	Territories []string `json:"territories"`
}

// Knows is (User)-[:KNOWS {strength}]->(HCP): an entry point for access paths.
type Knows struct {
	UserID   string  `json:"userId"`
	HCPID    string  `json:"hcpId"`
	Strength float64 `json:"strength"` // (0,1]
}

// Influence kinds.
const (
	InfluenceReportsTo     = "reports_to"
	InfluenceMentor        = "mentor"
	InfluenceCoAuthor      = "co_author"
	InfluenceReferral      = "referral"
	InfluenceCommitteePeer = "committee_peer"
	InfluenceSocietyPeer   = "society_peer"
)

// Influence is (From)-[:INFLUENCES]->(To): From sways To's decisions with
// Weight in (0,1]. There is at most one edge per ordered pair.
type Influence struct {
	From      string    `json:"from"`
	To        string    `json:"to"`
	Weight    float64   `json:"weight"`
	Kind      string    `json:"kind"`
	Evidence  string    `json:"evidence,omitempty"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Key is the identity of an influence edge.
func (e *Influence) Key() EdgeKey { return EdgeKey{From: e.From, To: e.To} }

// EdgeKey identifies an INFLUENCES edge by its ordered pair of HCP ids.
type EdgeKey struct{ From, To string }
