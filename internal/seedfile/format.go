// Package seedfile reads and writes the CSV file set that describes a region:
// the committed seed in seed/ and the files a regional manager imports.
//
// The format is one UTF-8 CSV file per kind, each with a header row naming
// its columns (any order). Column names are the snake_case field names that
// kolgraph.Problem uses, so a problem found by validation points at the
// column a user has to fix. Multi-valued cells are separated by "|", an
// empty cell is a missing value, times are RFC 3339. seed/README.md
// documents every file and column.
//
// Reading collects every problem it finds (bad headers, bad cells, invalid
// records, duplicate keys, dangling references) instead of stopping at the
// first, because a user fixing an import wants the whole list in one go.
package seedfile

import "strings"

// File names of the format, one per kind.
const (
	TerritoriesFile = "territories.csv"
	HospitalsFile   = "hospitals.csv"
	DepartmentsFile = "departments.csv"
	HCPsFile        = "hcps.csv"
	CommitteesFile  = "committees.csv"
	MembershipsFile = "memberships.csv"
	ProductsFile    = "products.csv"
	ListingsFile    = "listings.csv"
	// IndicationSharesFile holds per-product indication shares of
	// departments (optional: a department without one uses its default).
	IndicationSharesFile = "indication_shares.csv"
	UsersFile            = "users.csv"
	KnowsFile            = "knows.csv"
	InfluencesFile       = "influences.csv"
	// PrescriptionsFile holds monthly prescription facts of HCPs or
	// departments (optional, and written only when there are some: the
	// sample region has none unless asked for).
	PrescriptionsFile = "prescriptions.csv"
)

// Kinds of records that references point at; ReadOptions.Exists receives
// them.
const (
	KindTerritory  = "territory"
	KindHospital   = "hospital"
	KindDepartment = "department"
	KindHCP        = "hcp"
	KindCommittee  = "committee"
	KindProduct    = "product"
	KindUser       = "user"
)

// ListSeparator separates the values of a multi-valued cell.
const ListSeparator = "|"

// column is one column of a file. Required columns must appear in the
// header; the others may be left out, which reads as empty cells.
type column struct {
	name     string
	required bool
}

// table describes one file: its columns in the order Write emits them.
type table struct {
	file string
	cols []column
}

// sparse reports whether the file is written only when it has rows.
func (t *table) sparse() bool { return t.file == PrescriptionsFile }

func req(name string) column { return column{name, true} }
func opt(name string) column { return column{name, false} }

// tables is the format, in the order files are read, written and reported.
// Node files come before the relationship files that point at them.
var tables = []table{
	{TerritoriesFile, []column{req("id"), req("name")}},
	{HospitalsFile, []column{req("id"), req("name"), req("tier"), opt("province"), opt("city"),
		opt("beds"), opt("ownership"), opt("payment_model"), opt("territory_id")}},
	{DepartmentsFile, []column{req("id"), req("hospital_id"), req("name"), req("specialty"),
		opt("weekly_outpatients"), opt("indication_share"), opt("managed_beds"), opt("bed_turnover"),
		opt("discharge_penetration"), opt("drg_enrollment_rate"), opt("competitor_penetration"),
		opt("policy_sensitivity")}},
	{HCPsFile, []column{req("id"), req("name"), req("role"), opt("title"), opt("position"),
		opt("specialty"), req("department_id"), req("hospital_id"), opt("kol_level"),
		opt("kol_evidence"), opt("phone"), opt("email"), opt("wechat")}},
	{CommitteesFile, []column{req("id"), req("name"), req("kind"), req("hospital_id")}},
	{MembershipsFile, []column{req("committee_id"), req("hcp_id"), req("role")}},
	{ProductsFile, []column{req("id"), req("name"), opt("indications"), opt("specialties")}},
	{ListingsFile, []column{req("hospital_id"), req("product_id"), req("status"), opt("since"), opt("key_monitoring"), opt("national_insurance")}},
	{IndicationSharesFile, []column{req("department_id"), req("product_id"), req("indication_share")}},
	{UsersFile, []column{req("id"), req("name"), req("role"), opt("territories")}},
	{KnowsFile, []column{req("user_id"), req("hcp_id"), req("strength")}},
	{InfluencesFile, []column{req("from"), req("to"), req("weight"), req("kind"), opt("evidence"),
		opt("updated_at")}},
	// One of hcp_id and department_id per row (kolgraph.PrescriptionFact).
	{PrescriptionsFile, []column{opt("hcp_id"), opt("department_id"), req("product_id"), req("month"),
		req("volume")}},
}

// FileNames returns the names of the format's files in the order they are
// read and written.
func FileNames() []string {
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = t.file
	}
	return names
}

// Columns returns the columns of file in the order Write emits them, and
// whether file is part of the format.
func Columns(file string) ([]string, bool) {
	for _, t := range tables {
		if t.file == file {
			cols := make([]string, len(t.cols))
			for i, c := range t.cols {
				cols[i] = c.name
			}
			return cols, true
		}
	}
	return nil, false
}

// kind is the kind of record the file holds, as kolgraph names it
// ("hcps" for hcps.csv).
func (t *table) kind() string { return strings.TrimSuffix(t.file, ".csv") }

// index returns the position of the column named name, -1 if none.
func (t *table) index(name string) int {
	for i := range t.cols {
		if t.cols[i].name == name {
			return i
		}
	}
	return -1
}

func fileIndex(file string) int {
	for i, t := range tables {
		if t.file == file {
			return i
		}
	}
	return -1
}
