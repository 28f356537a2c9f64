package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// auditEntry is a valid entry as a writer would pass it.
func auditEntry(kind, id, op, before, after string) kolgraph.AuditEntry {
	return kolgraph.AuditEntry{Actor: "U01", Source: "storetest", Kind: kind, EntityID: id, Op: op,
		Before: before, After: after}
}

// auditLog reads every entry matching f, page by page of size first, and
// checks the pages chain correctly.
func auditLog(t *testing.T, s kolgraph.Store, f kolgraph.AuditFilter, first int) []*kolgraph.AuditEntry {
	t.Helper()
	var out []*kolgraph.AuditEntry
	if first == 0 {
		first = kolgraph.MaxPageSize
	}
	p := kolgraph.Page{First: first}
	for range 1000 {
		pg, err := s.AuditLog(t.Context(), f, p)
		if err != nil {
			t.Fatalf("AuditLog(%+v, %+v): %v", f, p, err)
		}
		if first > 0 && len(pg.Items) > first {
			t.Fatalf("AuditLog page of %d items, asked for %d", len(pg.Items), first)
		}
		out = append(out, pg.Items...)
		if !pg.HasNext {
			return out
		}
		if len(pg.Items) == 0 {
			t.Fatal("AuditLog: HasNext with an empty page")
		}
		p.After = pg.Items[len(pg.Items)-1].Cursor()
	}
	t.Fatal("AuditLog: more than 1000 pages")
	return nil
}

func auditIDs(es []*kolgraph.AuditEntry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, fmt.Sprintf("%d.%d %s/%s %s", e.Version, e.Seq, e.Kind, e.EntityID, e.Op))
	}
	return out
}

func (r *runner) testAudit(t *testing.T) {
	t.Run("StoredWithTheChange", func(t *testing.T) {
		s := r.loaded(t)
		if pg, err := s.AuditLog(t.Context(), kolgraph.AuditFilter{}, kolgraph.Page{}); err != nil || len(pg.Items) != 0 || pg.HasNext {
			t.Fatalf("AuditLog of a store written without entries: got %+v, %v; want empty", pg, err)
		}
		before := `{"id":"P001","name":"old"}`
		after := `{"id":"P001","name":"王伟 new"}`
		t0 := time.Now().Add(-time.Second)
		v := apply(t, s, &kolgraph.ChangeSet{
			HCPs: []*kolgraph.HCP{newHCP("P011", "New", "D001-01", "H001")},
			Audit: []kolgraph.AuditEntry{
				auditEntry(kolgraph.KindHCPs, "P001", kolgraph.OpUpdate, before, after),
				auditEntry(kolgraph.KindHCPs, "P011", kolgraph.OpCreate, "", `{"id":"P011"}`),
			},
		})
		t1 := time.Now().Add(time.Second)
		got := auditLog(t, s, kolgraph.AuditFilter{}, 0)
		if len(got) != 2 {
			t.Fatalf("AuditLog: got %d entries %q, want 2", len(got), auditIDs(got))
		}
		e := got[0]
		if e.Version != v || e.Seq != 0 || got[1].Version != v || got[1].Seq != 1 {
			t.Errorf("Version, Seq: got %q, want %d.0 and %d.1", auditIDs(got), v, v)
		}
		if e.Actor != "U01" || e.Source != "storetest" || e.Kind != kolgraph.KindHCPs || e.EntityID != "P001" ||
			e.Op != kolgraph.OpUpdate || e.Before != before || e.After != after {
			t.Errorf("entry 0: got %+v, want the fields written", e)
		}
		if got[1].Before != "" || got[1].After != `{"id":"P011"}` {
			t.Errorf("entry 1: Before %q After %q, want \"\" and the JSON", got[1].Before, got[1].After)
		}
		if e.At.Before(t0) || e.At.After(t1) || !e.At.Equal(got[1].At) {
			t.Errorf("At: got %v and %v, want one time between %v and %v", e.At, got[1].At, t0, t1)
		}
		if e.At.Location() != time.UTC {
			t.Errorf("At location: got %v, want UTC", e.At.Location())
		}
	})

	t.Run("RejectedChangeWritesNoEntries", func(t *testing.T) {
		s := r.loaded(t)
		e := rejects(t, s, &kolgraph.ChangeSet{
			HCPs:  []*kolgraph.HCP{newHCP("P011", "Bad", "DX", "H001")},
			Audit: []kolgraph.AuditEntry{auditEntry(kolgraph.KindHCPs, "P011", kolgraph.OpCreate, "", "{}")},
		}, kolgraph.EINVALID)
		wantProblem(t, e, "hcps", "P011", "department_id")
		if got := auditLog(t, s, kolgraph.AuditFilter{}, 0); len(got) != 0 {
			t.Errorf("AuditLog after a rejected Apply: got %q, want none", auditIDs(got))
		}
	})

	t.Run("InvalidEntry", func(t *testing.T) {
		s := r.loaded(t)
		bad := auditEntry(kolgraph.KindHCPs, "P001", kolgraph.OpUpdate, "", "{}") // update without Before
		e := rejects(t, s, &kolgraph.ChangeSet{
			HCPs:  []*kolgraph.HCP{newHCP("P011", "New", "D001-01", "H001")},
			Audit: []kolgraph.AuditEntry{auditEntry(kolgraph.KindHCPs, "P011", kolgraph.OpCreate, "", "{}"), bad},
		}, kolgraph.EINVALID)
		wantProblem(t, e, "audit[1]", "", "op")
		e = rejects(t, s, &kolgraph.ChangeSet{
			Audit: []kolgraph.AuditEntry{auditEntry("doctors", "P001", kolgraph.OpDelete, "{}", "")},
		}, kolgraph.EINVALID)
		wantProblem(t, e, "audit[0]", "", "kind")
	})

	t.Run("IfVersion", func(t *testing.T) {
		s := r.loaded(t)
		v := version(t, s)
		stale := v - 1
		before := takeSnapshot(t, s)
		_, err := s.Apply(t.Context(), &kolgraph.ChangeSet{
			IfVersion: &stale,
			HCPs:      []*kolgraph.HCP{newHCP("P011", "New", "D001-01", "H001")},
			Audit:     []kolgraph.AuditEntry{auditEntry(kolgraph.KindHCPs, "P011", kolgraph.OpCreate, "", "{}")},
		})
		if !errors.Is(err, kolgraph.ErrStale) || kolgraph.ErrorCode(err) != kolgraph.ECONFLICT {
			t.Fatalf("Apply with a stale IfVersion: got %v, want ErrStale (CONFLICT)", err)
		}
		if got := version(t, s); got != v {
			t.Errorf("Version after a stale Apply: got %d, want %d", got, v)
		}
		if d := takeSnapshot(t, s).diff(before); len(d) > 0 {
			t.Errorf("a stale Apply changed the store:\n%s", joinLines(d))
		}
		if got := auditLog(t, s, kolgraph.AuditFilter{}, 0); len(got) != 0 {
			t.Errorf("AuditLog after a stale Apply: got %q, want none", auditIDs(got))
		}
		// Stale is judged before validation: an invalid change at a stale
		// version is stale, not invalid.
		_, err = s.Apply(t.Context(), &kolgraph.ChangeSet{IfVersion: &stale,
			HCPs: []*kolgraph.HCP{newHCP("P011", "Bad", "DX", "H001")}})
		if !errors.Is(err, kolgraph.ErrStale) {
			t.Errorf("invalid Apply with a stale IfVersion: got %v, want ErrStale", err)
		}
		if got := apply(t, s, &kolgraph.ChangeSet{IfVersion: &v,
			HCPs: []*kolgraph.HCP{newHCP("P011", "New", "D001-01", "H001")}}); got != v+1 {
			t.Errorf("Apply with the current IfVersion returned %d, want %d", got, v+1)
		}
		if got := hcpsOf(t, s, "P011"); got[0] == nil {
			t.Error("Apply with the current IfVersion did not write P011")
		}
	})

	t.Run("Query", func(t *testing.T) {
		s := r.loaded(t)
		// Five writes; entity P001 changes in three, in different kinds
		// (an HCP and a relationship id that mentions it do not mix).
		writes := [][]kolgraph.AuditEntry{
			{auditEntry(kolgraph.KindHCPs, "P001", kolgraph.OpUpdate, "{}", `{"v":1}`),
				auditEntry(kolgraph.KindInfluences, kolgraph.PairID("P001", "P002"), kolgraph.OpUpdate, "{}", `{"w":1}`)},
			{auditEntry(kolgraph.KindHospitals, "H001", kolgraph.OpUpdate, "{}", `{"v":2}`)},
			{auditEntry(kolgraph.KindHCPs, "P001", kolgraph.OpUpdate, `{"v":1}`, `{"v":3}`),
				auditEntry(kolgraph.KindHCPs, "P002", kolgraph.OpUpdate, "{}", `{"v":3}`),
				auditEntry(kolgraph.KindHCPs, "P003", kolgraph.OpUpdate, "{}", `{"v":3}`)},
			{auditEntry(kolgraph.KindTerritories, "P001", kolgraph.OpCreate, "", `{"odd":"same id, other kind"}`)},
			{auditEntry(kolgraph.KindHCPs, "P001", kolgraph.OpDelete, `{"v":3}`, "")},
		}
		var times []time.Time
		for _, w := range writes {
			apply(t, s, &kolgraph.ChangeSet{Audit: w})
			got := auditLog(t, s, kolgraph.AuditFilter{}, 0)
			times = append(times, got[len(got)-1].At)
			time.Sleep(20 * time.Millisecond) // distinct At per write
		}
		all := auditLog(t, s, kolgraph.AuditFilter{}, 0)
		want := []string{"2.0 hcps/P001 update", "2.1 influences/P001->P002 update", "3.0 hospitals/H001 update",
			"4.0 hcps/P001 update", "4.1 hcps/P002 update", "4.2 hcps/P003 update",
			"5.0 territories/P001 create", "6.0 hcps/P001 delete"}
		wantIDs(t, "whole log", auditIDs(all), want)
		for _, first := range []int{1, 2, 3} {
			wantIDs(t, fmt.Sprintf("whole log in pages of %d", first), auditIDs(auditLog(t, s, kolgraph.AuditFilter{}, first)), want)
		}
		for i := 1; i < len(all); i++ {
			if all[i].At.Before(all[i-1].At) || all[i].Cursor() <= all[i-1].Cursor() {
				t.Errorf("entry %d: At or cursor decreases along the log", i)
			}
		}
		hcp := kolgraph.AuditFilter{Kind: kolgraph.KindHCPs, EntityID: "P001"}
		wantIDs(t, "hcps/P001", auditIDs(auditLog(t, s, hcp, 0)),
			[]string{"2.0 hcps/P001 update", "4.0 hcps/P001 update", "6.0 hcps/P001 delete"})
		wantIDs(t, "hcps/P001 in pages of 1", auditIDs(auditLog(t, s, hcp, 1)),
			[]string{"2.0 hcps/P001 update", "4.0 hcps/P001 update", "6.0 hcps/P001 delete"})
		wantIDs(t, "P001 of any kind", auditIDs(auditLog(t, s, kolgraph.AuditFilter{EntityID: "P001"}, 2)),
			[]string{"2.0 hcps/P001 update", "4.0 hcps/P001 update", "5.0 territories/P001 create", "6.0 hcps/P001 delete"})
		wantIDs(t, "influences/P001->P002", auditIDs(auditLog(t, s,
			kolgraph.AuditFilter{Kind: kolgraph.KindInfluences, EntityID: "P001->P002"}, 0)),
			[]string{"2.1 influences/P001->P002 update"})
		wantIDs(t, "kind hcps", auditIDs(auditLog(t, s, kolgraph.AuditFilter{Kind: kolgraph.KindHCPs}, 2)),
			[]string{"2.0 hcps/P001 update", "4.0 hcps/P001 update", "4.1 hcps/P002 update", "4.2 hcps/P003 update",
				"6.0 hcps/P001 delete"})
		// Time range [At of write 2, At of write 4): writes 2 and 3.
		rng := kolgraph.AuditFilter{From: times[1], To: times[3]}
		wantIDs(t, "time range", auditIDs(auditLog(t, s, rng, 1)),
			[]string{"3.0 hospitals/H001 update", "4.0 hcps/P001 update", "4.1 hcps/P002 update", "4.2 hcps/P003 update"})
		rng.EntityID, rng.Kind = "P001", kolgraph.KindHCPs
		wantIDs(t, "time range and entity", auditIDs(auditLog(t, s, rng, 0)), []string{"4.0 hcps/P001 update"})
		wantIDs(t, "from only", auditIDs(auditLog(t, s, kolgraph.AuditFilter{From: times[4]}, 0)),
			[]string{"6.0 hcps/P001 delete"})
		wantIDs(t, "unknown entity", auditIDs(auditLog(t, s, kolgraph.AuditFilter{EntityID: "P999"}, 0)), nil)
		// A cursor past the end, and the last cursor: empty, no next page.
		pg, err := s.AuditLog(t.Context(), kolgraph.AuditFilter{}, kolgraph.Page{After: all[len(all)-1].Cursor()})
		if err != nil || len(pg.Items) != 0 || pg.HasNext {
			t.Errorf("page after the last entry: got %d items, HasNext %v, %v; want none", len(pg.Items), pg.HasNext, err)
		}
		// Exactly full page: HasNext false.
		pg, err = s.AuditLog(t.Context(), kolgraph.AuditFilter{Kind: kolgraph.KindHCPs, EntityID: "P001"}, kolgraph.Page{First: 3})
		if err != nil || len(pg.Items) != 3 || pg.HasNext {
			t.Errorf("page exactly as large as the result: got %d items, HasNext %v, %v; want 3, false", len(pg.Items), pg.HasNext, err)
		}

		for name, q := range map[string]struct {
			f kolgraph.AuditFilter
			p kolgraph.Page
		}{
			"bad cursor":     {kolgraph.AuditFilter{}, kolgraph.Page{After: "P001"}},
			"negative first": {kolgraph.AuditFilter{}, kolgraph.Page{First: -1}},
			"unknown kind":   {kolgraph.AuditFilter{Kind: "doctors"}, kolgraph.Page{}},
			"empty range":    {kolgraph.AuditFilter{From: times[2], To: times[1]}, kolgraph.Page{}},
		} {
			_, err := s.AuditLog(t.Context(), q.f, q.p)
			if kolgraph.ErrorCode(err) != kolgraph.EINVALID {
				t.Errorf("AuditLog with %s: got %v, want %s", name, err, kolgraph.EINVALID)
			}
		}
	})

	t.Run("Persistence", func(t *testing.T) {
		if r.h.Reopen == nil {
			t.Skip("the harness cannot reopen stores")
		}
		s := r.loaded(t)
		long := `{"evidence":"` + strings.Repeat("长", 2000) + `"}`
		apply(t, s, &kolgraph.ChangeSet{Audit: []kolgraph.AuditEntry{
			auditEntry(kolgraph.KindHCPs, "P001", kolgraph.OpUpdate, "{}", long)}})
		want := auditLog(t, s, kolgraph.AuditFilter{}, 0)
		s = r.reopen(t, s)
		got := auditLog(t, s, kolgraph.AuditFilter{EntityID: "P001"}, 0)
		if len(got) != 1 || got[0].After != long || !got[0].At.Equal(want[0].At) || got[0].Cursor() != want[0].Cursor() {
			t.Fatalf("audit log after reopen: got %q, want %q with the same At and After", auditIDs(got), auditIDs(want))
		}
		apply(t, s, &kolgraph.ChangeSet{Audit: []kolgraph.AuditEntry{
			auditEntry(kolgraph.KindHCPs, "P001", kolgraph.OpDelete, "{}", "")}})
		got = auditLog(t, s, kolgraph.AuditFilter{EntityID: "P001"}, 0)
		if len(got) != 2 || got[1].At.Before(got[0].At) {
			t.Errorf("after reopen and a write: got %q, want 2 entries in time order", auditIDs(got))
		}
	})

	t.Run("AppendedReads", func(t *testing.T) { r.testAuditAppend(t) })
}

// readEntry is a read of an HCP's contact fields as the service records it.
func readEntry(hcp string) kolgraph.AuditEntry {
	return auditEntry(kolgraph.KindHCPs, hcp, kolgraph.OpRead, "", `{"fields":["email","phone"]}`)
}

func (r *runner) testAuditAppend(t *testing.T) {
	t.Run("AfterTheChangesOfTheVersion", func(t *testing.T) {
		s := r.loaded(t)
		v := apply(t, s, &kolgraph.ChangeSet{
			HCPs: []*kolgraph.HCP{newHCP("P011", "New", "D001-01", "H001")},
			Audit: []kolgraph.AuditEntry{
				auditEntry(kolgraph.KindHCPs, "P011", kolgraph.OpCreate, "", `{"id":"P011"}`),
				auditEntry(kolgraph.KindHCPs, "P001", kolgraph.OpUpdate, "{}", `{"id":"P001"}`),
			},
		})
		before := takeSnapshot(t, s)
		t0 := time.Now().Add(-time.Second)
		if err := s.AppendAudit(t.Context(), []kolgraph.AuditEntry{readEntry("P001"), readEntry("P011")}); err != nil {
			t.Fatalf("AppendAudit: %v", err)
		}
		if err := s.AppendAudit(t.Context(), []kolgraph.AuditEntry{readEntry("P002")}); err != nil {
			t.Fatalf("AppendAudit: %v", err)
		}
		t1 := time.Now().Add(time.Second)
		if got := version(t, s); got != v {
			t.Errorf("Version after AppendAudit: got %d, want %d (reads change nothing)", got, v)
		}
		if d := takeSnapshot(t, s).diff(before); len(d) > 0 {
			t.Errorf("AppendAudit changed the graph:\n%s", joinLines(d))
		}
		got := auditIDs(auditLog(t, s, kolgraph.AuditFilter{}, 2))
		want := []string{
			fmt.Sprintf("%d.0 hcps/P011 create", v), fmt.Sprintf("%d.1 hcps/P001 update", v),
			fmt.Sprintf("%d.2 hcps/P001 read", v), fmt.Sprintf("%d.3 hcps/P011 read", v),
			fmt.Sprintf("%d.4 hcps/P002 read", v),
		}
		if !slices.Equal(got, want) {
			t.Fatalf("AuditLog (pages of 2): got %q, want %q", got, want)
		}
		reads := auditLog(t, s, kolgraph.AuditFilter{Op: kolgraph.OpRead, EntityID: "P001"}, 0)
		if len(reads) != 1 || reads[0].Seq != 2 || reads[0].Actor != "U01" || reads[0].Before != "" ||
			reads[0].After != `{"fields":["email","phone"]}` {
			t.Fatalf("reads of P001: got %+v, want the one read with its fields", reads)
		}
		if at := reads[0].At; at.Before(t0) || at.After(t1) || at.Location() != time.UTC {
			t.Errorf("At of a read: got %v, want UTC between %v and %v", at, t0, t1)
		}
		if got := auditIDs(auditLog(t, s, kolgraph.AuditFilter{Op: kolgraph.OpUpdate}, 0)); len(got) != 1 || got[0] != want[1] {
			t.Errorf("AuditLog(op update): got %q, want %q", got, want[1:2])
		}
		// The next change starts its version's entries from 0 again, after
		// the reads in log order.
		v2 := apply(t, s, &kolgraph.ChangeSet{Audit: []kolgraph.AuditEntry{
			auditEntry(kolgraph.KindHCPs, "P002", kolgraph.OpUpdate, "{}", `{"id":"P002"}`)}})
		if err := s.AppendAudit(t.Context(), []kolgraph.AuditEntry{readEntry("P002")}); err != nil {
			t.Fatalf("AppendAudit: %v", err)
		}
		got = auditIDs(auditLog(t, s, kolgraph.AuditFilter{EntityID: "P002"}, 0))
		want = []string{want[4], fmt.Sprintf("%d.0 hcps/P002 update", v2), fmt.Sprintf("%d.1 hcps/P002 read", v2)}
		if !slices.Equal(got, want) {
			t.Errorf("AuditLog(P002): got %q, want %q", got, want)
		}
	})

	// The settings document's versions live in the log alone: appended as
	// creates and updates of entity "settings", read back in order by
	// kind and entity, never carried by a change set.
	t.Run("Settings", func(t *testing.T) {
		s := r.loaded(t)
		v := version(t, s)
		set := func(op, before, after string) kolgraph.AuditEntry {
			return auditEntry(kolgraph.KindSettings, kolgraph.SettingsEntity, op, before, after)
		}
		if err := s.AppendAudit(t.Context(), []kolgraph.AuditEntry{set(kolgraph.OpCreate, "", `{"version":1}`)}); err != nil {
			t.Fatalf("AppendAudit(settings create): %v", err)
		}
		if err := s.AppendAudit(t.Context(), []kolgraph.AuditEntry{readEntry("P001")}); err != nil {
			t.Fatalf("AppendAudit(read): %v", err)
		}
		if err := s.AppendAudit(t.Context(), []kolgraph.AuditEntry{set(kolgraph.OpUpdate, `{"version":1}`, `{"version":2}`)}); err != nil {
			t.Fatalf("AppendAudit(settings update): %v", err)
		}
		if got := version(t, s); got != v {
			t.Errorf("Version after settings entries: got %d, want %d", got, v)
		}
		got := auditLog(t, s, kolgraph.AuditFilter{Kind: kolgraph.KindSettings, EntityID: kolgraph.SettingsEntity}, 1)
		if ids := auditIDs(got); !slices.Equal(ids, []string{fmt.Sprintf("%d.0 settings/settings create", v), fmt.Sprintf("%d.2 settings/settings update", v)}) {
			t.Fatalf("AuditLog(settings): got %q", ids)
		}
		if got[1].Before != `{"version":1}` || got[1].After != `{"version":2}` {
			t.Errorf("settings update entry: got before %q after %q", got[1].Before, got[1].After)
		}
		for name, e := range map[string]kolgraph.AuditEntry{
			"another entity": auditEntry(kolgraph.KindSettings, "H001", kolgraph.OpUpdate, "{}", "{}"),
			"a read":         auditEntry(kolgraph.KindSettings, kolgraph.SettingsEntity, kolgraph.OpRead, "", "{}"),
			"a delete":       auditEntry(kolgraph.KindSettings, kolgraph.SettingsEntity, kolgraph.OpDelete, "{}", ""),
		} {
			if err := s.AppendAudit(t.Context(), []kolgraph.AuditEntry{e}); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
				t.Errorf("AppendAudit(settings, %s): got %v, want EINVALID", name, err)
			}
		}
		e := rejects(t, s, &kolgraph.ChangeSet{Audit: []kolgraph.AuditEntry{set(kolgraph.OpUpdate, "{}", "{}")}}, kolgraph.EINVALID)
		wantProblem(t, e, "audit[0]", "", "kind")
	})

	t.Run("Invalid", func(t *testing.T) {
		s := r.loaded(t)
		for name, tc := range map[string]struct {
			entries []kolgraph.AuditEntry
			field   string
		}{
			"a change":     {[]kolgraph.AuditEntry{readEntry("P001"), auditEntry(kolgraph.KindHCPs, "P001", kolgraph.OpCreate, "", "{}")}, "op"},
			"no After":     {[]kolgraph.AuditEntry{auditEntry(kolgraph.KindHCPs, "P001", kolgraph.OpRead, "", "")}, "op"},
			"unknown kind": {[]kolgraph.AuditEntry{auditEntry("doctors", "P001", kolgraph.OpRead, "", "{}")}, "kind"},
			"no actor":     {[]kolgraph.AuditEntry{{Source: "x", Kind: kolgraph.KindHCPs, EntityID: "P001", Op: kolgraph.OpRead, After: "{}"}}, "actor"},
		} {
			err := s.AppendAudit(t.Context(), tc.entries)
			if kolgraph.ErrorCode(err) != kolgraph.EINVALID {
				t.Errorf("%s: got %v, want EINVALID", name, err)
				continue
			}
			var e *kolgraph.Error
			errors.As(err, &e)
			wantProblem(t, e, fmt.Sprintf("audit[%d]", len(tc.entries)-1), "", tc.field)
		}
		if got := auditLog(t, s, kolgraph.AuditFilter{}, 0); len(got) != 0 {
			t.Errorf("AuditLog after rejected appends: got %q, want none", auditIDs(got))
		}
		// A read cannot ride in a change set: it would be filed as a change.
		e := rejects(t, s, &kolgraph.ChangeSet{Audit: []kolgraph.AuditEntry{readEntry("P001")}}, kolgraph.EINVALID)
		wantProblem(t, e, "audit[0]", "", "op")
		if _, err := s.AuditLog(t.Context(), kolgraph.AuditFilter{Op: "peek"}, kolgraph.Page{}); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
			t.Errorf("AuditLog(op peek): got %v, want EINVALID", err)
		}
		if err := s.AppendAudit(t.Context(), nil); err != nil {
			t.Errorf("AppendAudit(nil): got %v, want nil", err)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		s := r.loaded(t)
		const writers, each = 4, 5
		var wg sync.WaitGroup
		errs := make(chan error, writers*each+writers)
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					errs <- s.AppendAudit(t.Context(), []kolgraph.AuditEntry{readEntry(fmt.Sprintf("P%03d", 1+(w*each+i)%10))})
				}
			})
		}
		wg.Go(func() {
			errs <- func() error {
				_, err := s.Apply(t.Context(), &kolgraph.ChangeSet{Audit: []kolgraph.AuditEntry{
					auditEntry(kolgraph.KindHCPs, "P001", kolgraph.OpUpdate, "{}", `{"id":"P001"}`)}})
				return err
			}()
		})
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent AppendAudit/Apply: %v", err)
			}
		}
		got := auditLog(t, s, kolgraph.AuditFilter{}, 0)
		if len(got) != writers*each+1 {
			t.Fatalf("AuditLog: got %d entries, want %d", len(got), writers*each+1)
		}
		seen := map[string]bool{}
		for i, e := range got {
			if seen[e.Cursor()] {
				t.Errorf("cursor %s repeats", e.Cursor())
			}
			seen[e.Cursor()] = true
			if i > 0 && e.Cursor() <= got[i-1].Cursor() {
				t.Errorf("entries out of order: %s after %s", e.Cursor(), got[i-1].Cursor())
			}
		}
	})

	t.Run("Persistence", func(t *testing.T) {
		if r.h.Reopen == nil {
			t.Skip("the harness cannot reopen stores")
		}
		s := r.loaded(t)
		if err := s.AppendAudit(t.Context(), []kolgraph.AuditEntry{readEntry("P001")}); err != nil {
			t.Fatalf("AppendAudit: %v", err)
		}
		s = r.reopen(t, s)
		if err := s.AppendAudit(t.Context(), []kolgraph.AuditEntry{readEntry("P002")}); err != nil {
			t.Fatalf("AppendAudit after reopen: %v", err)
		}
		got := auditLog(t, s, kolgraph.AuditFilter{Op: kolgraph.OpRead}, 0)
		if len(got) != 2 || got[0].EntityID != "P001" || got[1].EntityID != "P002" || got[1].Seq != got[0].Seq+1 {
			t.Errorf("reads after reopen: got %q, want P001 then P002 with consecutive Seq", auditIDs(got))
		}
	})
}
