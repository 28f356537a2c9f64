// Package storetest is the contract every kolgraph.Store must pass: one
// suite, run by each adapter's tests against a fresh store, so that the
// embedded store and the Neo4j store cannot drift apart.
//
// Use it from an adapter's _test package:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, storetest.Harness{
//			Open:   func(t *testing.T) kolgraph.Store { ... a fresh, empty store ... },
//			Reopen: func(t *testing.T, s kolgraph.Store) kolgraph.Store { ... },
//		})
//	}
//
// The suite only uses the kolgraph.Store interface. Subtests run one after
// another (never in parallel); each top-level subtest opens its own stores
// and uses no store after opening the next, so a harness backed by one
// shared database may simply wipe it in Open.
package storetest

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Harness tells the suite how to get stores.
type Harness struct {
	// Open returns a fresh, empty store. The suite closes it when the
	// subtest ends, possibly after the subtest closed it already: Close must
	// tolerate a second call (its result is ignored).
	Open func(t *testing.T) kolgraph.Store
	// Reopen closes s and opens the same data again, as a restarted process
	// would. Nil if the store cannot; the persistence tests are skipped.
	Reopen func(t *testing.T, s kolgraph.Store) kolgraph.Store
	// Skip names top-level subtests (e.g. "References") that do not apply
	// to the store, with the reason: for a decorator that refuses some
	// writes by design (a territory scope), never for an adapter.
	Skip map[string]string
}

// FileHarness is the harness of a store kept in one file: open opens the
// store at path (Open: a new file in the subtest's temporary directory;
// Reopen: after closing the store, the same file again).
func FileHarness(open func(t *testing.T, path string) kolgraph.Store) Harness {
	paths := map[kolgraph.Store]string{}
	opened := func(t *testing.T, path string) kolgraph.Store {
		s := open(t, path)
		paths[s] = path
		return s
	}
	return Harness{
		Open: func(t *testing.T) kolgraph.Store { return opened(t, filepath.Join(t.TempDir(), "kolgraph.db")) },
		Reopen: func(t *testing.T, s kolgraph.Store) kolgraph.Store {
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			return opened(t, paths[s])
		},
	}
}

// Run runs the whole contract suite against the stores h provides.
func Run(t *testing.T, h Harness) {
	if h.Open == nil {
		t.Fatal("storetest: Harness.Open is nil")
	}
	r := &runner{h: h}
	run := func(name string, f func(*testing.T)) {
		t.Run(name, func(t *testing.T) {
			if why, ok := h.Skip[name]; ok {
				t.Skip(why)
			}
			f(t)
		})
	}
	run("EmptyStore", r.testEmpty)
	run("Lookups", r.testLookups)
	run("RoundTrip", r.testRoundTrip)
	run("Copies", r.testCopies)
	run("ListHospitals", r.testListHospitals)
	run("ListHCPs", r.testListHCPs)
	run("Pagination", r.testPagination)
	run("PaginationUnderWrites", r.testPaginationUnderWrites)
	run("ListProductsAndTerritories", r.testListAll)
	run("Navigation", r.testNavigation)
	run("Scan", r.testScan)
	run("Version", r.testVersion)
	run("Upsert", r.testUpsert)
	run("Validation", r.testValidation)
	run("References", r.testReferences)
	run("Deletion", r.testDeletion)
	run("Atomicity", r.testAtomicity)
	run("CheckOnly", r.testCheckOnly)
	run("Audit", r.testAudit)
	run("AccountPlans", r.testAccountPlans)
	run("AccountPlanValidation", r.testPlanValidation)
	run("AccountPlanReferences", r.testPlanReferences)
	run("PrescriptionFacts", r.testPrescriptionFacts)
	run("PrescriptionFactValidation", r.testPrescriptionFactValidation)
	run("Interactions", r.testInteractions)
	run("InteractionReferences", r.testInteractionReferences)
	run("AccountOwners", r.testOwners)
	run("AccountOwnerReferences", r.testOwnerReferences)
	run("Activities", r.testActivities)
	run("ActivityReferences", r.testActivityReferences)
	run("History", r.testHistory)
	run("HistoryRetention", r.testHistoryRetention)
	run("Concurrency", r.testConcurrency)
	run("Persistence", r.testPersistence)
	run("Close", r.testClose)
}

type runner struct{ h Harness }

// open returns a fresh store that is closed when t ends.
func (r *runner) open(t *testing.T) kolgraph.Store {
	t.Helper()
	s := r.h.Open(t)
	if s == nil {
		t.Fatal("Harness.Open returned nil")
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// loaded returns a fresh store holding Fixture(), at version 1.
func (r *runner) loaded(t *testing.T) kolgraph.Store {
	t.Helper()
	s := r.open(t)
	if v := apply(t, s, Fixture()); v != 1 {
		t.Fatalf("first Apply returned version %d, want 1", v)
	}
	return s
}

// apply applies cs and fails t on error.
func apply(t *testing.T, s kolgraph.Store, cs *kolgraph.ChangeSet) uint64 {
	t.Helper()
	v, err := s.Apply(t.Context(), cs)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return v
}

func version(t *testing.T, s kolgraph.Store) uint64 {
	t.Helper()
	v, err := s.Version(t.Context())
	if err != nil {
		t.Fatalf("Version: %v", err)
	}
	return v
}

// rejects applies cs, expects an error with the given code, and checks
// that the store, its version and every record, is exactly as before.
func rejects(t *testing.T, s kolgraph.Store, cs *kolgraph.ChangeSet, code string) *kolgraph.Error {
	t.Helper()
	before := takeSnapshot(t, s)
	v0 := version(t, s)
	_, err := s.Apply(t.Context(), cs)
	if got := kolgraph.ErrorCode(err); got != code {
		t.Fatalf("Apply: got error %v (code %q), want code %q", err, got, code)
	}
	if v := version(t, s); v != v0 {
		t.Errorf("Version after a rejected Apply: got %d, want %d (unchanged)", v, v0)
	}
	if d := takeSnapshot(t, s).diff(before); len(d) > 0 {
		t.Errorf("a rejected Apply changed the store (got vs before):\n%s", joinLines(d))
	}
	var e *kolgraph.Error
	errors.As(err, &e)
	return e
}

// rejectsChecked is rejects, after checking that a CheckOnly Apply of cs
// refuses it with the same problems (a dry run and the write agree).
func rejectsChecked(t *testing.T, s kolgraph.Store, cs *kolgraph.ChangeSet, code string) *kolgraph.Error {
	t.Helper()
	check := *cs
	check.CheckOnly = true
	dry := rejects(t, s, &check, code)
	e := rejects(t, s, cs, code)
	if fmt.Sprint(dry.Problems) != fmt.Sprint(e.Problems) {
		t.Errorf("CheckOnly and Apply disagree:\n check: %v\n apply: %v", dry.Problems, e.Problems)
	}
	return e
}

// wantProblem fails t unless e carries a Problem about a record of kind
// (Problem.File starts with the kind, e.g. "hcps") naming id (in File or
// Message) and, when field is set, that field.
func wantProblem(t *testing.T, e *kolgraph.Error, kind, id, field string) {
	t.Helper()
	if e == nil {
		t.Fatal("no *kolgraph.Error to check problems of")
	}
	for _, p := range e.Problems {
		if strings.HasPrefix(p.File, kind) && strings.Contains(p.File+" "+p.Message, id) &&
			(field == "" || p.Field == field) {
			return
		}
	}
	t.Errorf("no problem with File %q..., naming %q, Field %q in %v", kind, id, field, e.Problems)
}

func ids[T any](items []T, id func(T) string) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, id(it))
	}
	return out
}

func hcpID(h *kolgraph.HCP) string { return h.ID }

func hospitalID(h *kolgraph.Hospital) string { return h.ID }

func hcpIDs(hs []*kolgraph.HCP) []string { return ids(hs, hcpID) }

func hospitalIDs(hs []*kolgraph.Hospital) []string { return ids(hs, hospitalID) }

// nilIDs maps lookup results to ids, "" for nil, to compare them with the
// ids asked for.
func nilIDs[T any](items []*T, id func(*T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		if it != nil {
			out[i] = id(it)
		}
	}
	return out
}

func wantIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if got == nil {
		got = []string{}
	}
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}

func hcpsOf(t *testing.T, s kolgraph.Store, idList ...string) []*kolgraph.HCP {
	t.Helper()
	got, err := s.HCPs(t.Context(), idList)
	if err != nil {
		t.Fatalf("HCPs: %v", err)
	}
	return got
}

// listHCPs returns the ids of every HCP matching f, reading all pages.
func listHCPs(t *testing.T, s kolgraph.Store, f kolgraph.HCPFilter) []string {
	t.Helper()
	var out []string
	p := kolgraph.Page{First: kolgraph.MaxPageSize}
	for {
		pg, err := s.ListHCPs(t.Context(), f, p)
		if err != nil {
			t.Fatalf("ListHCPs(%+v): %v", f, err)
		}
		out = append(out, hcpIDs(pg.Items)...)
		if !pg.HasNext || len(pg.Items) == 0 {
			return out
		}
		p.After = pg.Items[len(pg.Items)-1].ID
	}
}

func listHospitals(t *testing.T, s kolgraph.Store, f kolgraph.HospitalFilter) []string {
	t.Helper()
	var out []string
	p := kolgraph.Page{First: kolgraph.MaxPageSize}
	for {
		pg, err := s.ListHospitals(t.Context(), f, p)
		if err != nil {
			t.Fatalf("ListHospitals(%+v): %v", f, err)
		}
		out = append(out, hospitalIDs(pg.Items)...)
		if !pg.HasNext || len(pg.Items) == 0 {
			return out
		}
		p.After = pg.Items[len(pg.Items)-1].ID
	}
}

// navIDs flattens a navigation result into one id list per parent.
func navIDs[T any](outer [][]T, id func(T) string) [][]string {
	out := make([][]string, len(outer))
	for i, inner := range outer {
		out[i] = ids(inner, id)
	}
	return out
}

func wantNav(t *testing.T, what string, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d inner slices %q, want %d %q", what, len(got), got, len(want), want)
		return
	}
	for i := range want {
		wantIDs(t, what+"["+strconv.Itoa(i)+"]", got[i], want[i])
	}
}
