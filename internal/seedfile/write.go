package seedfile

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Write writes cs as the format's files into dir (created if needed),
// replacing files of the same names. See WriteFiles.
func Write(dir string, cs *kolgraph.ChangeSet) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("seedfile: %w", err)
	}
	return WriteFiles(func(name string) (io.WriteCloser, error) {
		return os.Create(filepath.Join(dir, name))
	}, cs)
}

// WriteFiles writes the upserts of cs as the format's files, every file with
// its header even when it has no rows (prescriptions.csv only when it has
// some), each opened with create. Output is
// deterministic: columns in the documented order, rows sorted by id (or by
// key for relationships), floats in their shortest exact form, so
// WriteFiles then Read round-trips exactly and the committed seed diffs
// cleanly. It refuses what the format cannot express: deletions, nil
// records, and list values that are empty, contain "|" or have surrounding
// spaces.
func WriteFiles(create func(name string) (io.WriteCloser, error), cs *kolgraph.ChangeSet) error {
	if !emptyDeletion(&cs.Delete) {
		return errors.New("seedfile: the file format holds upserts only; the change set has deletions")
	}
	rows, err := encode(cs)
	if err != nil {
		return err
	}
	for i, t := range tables {
		if t.sparse() && len(rows[i]) == 0 {
			continue
		}
		if err := writeFile(create, &t, rows[i]); err != nil {
			return err
		}
	}
	return nil
}

func emptyDeletion(d *kolgraph.Deletion) bool {
	return (&kolgraph.ChangeSet{Delete: *d}).Empty()
}

func writeFile(create func(string) (io.WriteCloser, error), t *table, rows [][]string) (err error) {
	f, err := create(t.file)
	if err != nil {
		return fmt.Errorf("seedfile: create %s: %w", t.file, err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("seedfile: close %s: %w", t.file, cerr)
		}
	}()
	w := csv.NewWriter(f)
	header := make([]string, len(t.cols))
	for i, c := range t.cols {
		header[i] = c.name
	}
	w.Write(header)
	for _, r := range rows {
		w.Write(r)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("seedfile: write %s: %w", t.file, err)
	}
	return nil
}

// encode turns cs into sorted rows per table, in the order of tables.
func encode(cs *kolgraph.ChangeSet) ([][][]string, error) {
	var e encoder
	rows := [][][]string{
		sortedRows(cs.Territories, func(t *kolgraph.Territory) []string { return []string{t.ID, t.Name} }, &e),
		sortedRows(cs.Hospitals, func(h *kolgraph.Hospital) []string {
			return []string{h.ID, h.Name, h.Tier, h.Province, h.City, strconv.Itoa(h.Beds),
				h.Ownership, h.PaymentModel, h.TerritoryID}
		}, &e),
		sortedRows(cs.Departments, func(d *kolgraph.Department) []string {
			return []string{d.ID, d.HospitalID, d.Name, d.Specialty,
				optInt(d.WeeklyOutpatients), optFloat(d.IndicationShare), optInt(d.ManagedBeds),
				optFloat(d.BedTurnover), optFloat(d.DischargePenetration), optFloat(d.DRGEnrollmentRate),
				optFloat(d.CompetitorPenetration), optFloat(d.PolicySensitivity)}
		}, &e),
		sortedRows(cs.HCPs, func(h *kolgraph.HCP) []string {
			return []string{h.ID, h.Name, h.Role, h.Title, h.Position, h.Specialty, h.DepartmentID,
				h.HospitalID, h.KOLLevel, e.list(h.ID, "kol_evidence", h.KOLEvidence), h.Phone, h.Email, h.WeChat}
		}, &e),
		sortedRows(cs.Committees, func(c *kolgraph.Committee) []string {
			return []string{c.ID, c.Name, c.Kind, c.HospitalID}
		}, &e),
		sortedRows(ptrs(cs.Memberships), func(m *kolgraph.Membership) []string {
			return []string{m.CommitteeID, m.HCPID, m.Role}
		}, &e),
		sortedRows(cs.Products, func(p *kolgraph.Product) []string {
			return []string{p.ID, p.Name, e.list(p.ID, "indications", p.Indications), e.list(p.ID, "specialties", p.Specialties)}
		}, &e),
		sortedRows(ptrs(cs.Listings), func(l *kolgraph.Listing) []string {
			return []string{l.HospitalID, l.ProductID, l.Status, l.Since, yesNo(l.KeyMonitoring), yesNo(l.NationalInsurance)}
		}, &e),
		sortedRows(ptrs(cs.IndicationShares), func(s *kolgraph.ProductShare) []string {
			return []string{s.DepartmentID, s.ProductID, formatFloat(s.Share)}
		}, &e),
		sortedRows(cs.Users, func(u *kolgraph.User) []string {
			return []string{u.ID, u.Name, u.Role, e.list(u.ID, "territories", u.Territories)}
		}, &e),
		sortedRows(ptrs(cs.Knows), func(k *kolgraph.Knows) []string {
			return []string{k.UserID, k.HCPID, formatFloat(k.Strength)}
		}, &e),
		sortedRows(cs.Influences, func(i *kolgraph.Influence) []string {
			return []string{i.From, i.To, formatFloat(i.Weight), i.Kind, i.Evidence, formatTime(i.UpdatedAt)}
		}, &e),
		sortedRows(factsByKey(cs.Prescriptions), func(f *kolgraph.PrescriptionFact) []string {
			return []string{f.HCPID, f.DepartmentID, f.ProductID, f.Month, formatFloat(f.Volume)}
		}, &e),
	}
	return rows, e.err
}

// encoder remembers the first value the format cannot express.
type encoder struct{ err error }

func (e *encoder) list(id, field string, vs []string) string {
	for _, v := range vs {
		if e.err == nil && (v == "" || strings.Contains(v, ListSeparator) || strings.TrimSpace(v) != v) {
			e.err = fmt.Errorf("seedfile: %s of %s: value %q cannot be written in a %q-separated cell", field, id, v, ListSeparator)
		}
	}
	return strings.Join(vs, ListSeparator)
}

func ptrs[T any](s []T) []*T {
	out := make([]*T, len(s))
	for i := range s {
		out[i] = &s[i]
	}
	return out
}

// sortedRows encodes records sorted by their leading columns (id, or the
// relationship key), which are what identifies them.
func sortedRows[T any](recs []*T, enc func(*T) []string, e *encoder) [][]string {
	rows := make([][]string, 0, len(recs))
	for _, r := range recs {
		if r == nil {
			if e.err == nil {
				e.err = errors.New("seedfile: the change set holds a nil record")
			}
			continue
		}
		rows = append(rows, enc(r))
	}
	slices.SortStableFunc(rows, func(a, b []string) int {
		return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1]))
	})
	return rows
}

// formatFloat writes the shortest decimal that parses back to f exactly,
// without an exponent, so that cells read well in a spreadsheet.
func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func optFloat(f *float64) string {
	if f == nil {
		return ""
	}
	return formatFloat(*f)
}

func optInt(i *int) string {
	if i == nil {
		return ""
	}
	return strconv.Itoa(*i)
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

// yesNo writes a flag as the readers' yes or no.
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// factsByKey returns pointers to facts ordered by entity, product and
// month: sortedRows orders rows by their first two cells only (hcp_id,
// department_id), stably.
func factsByKey(facts []kolgraph.PrescriptionFact) []*kolgraph.PrescriptionFact {
	out := ptrs(facts)
	slices.SortStableFunc(out, func(a, b *kolgraph.PrescriptionFact) int {
		return cmp.Or(strings.Compare(a.Key().EntityID(), b.Key().EntityID()),
			strings.Compare(a.ProductID, b.ProductID), strings.Compare(a.Month, b.Month))
	})
	return out
}
