package tiering_test

import (
	"context"
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// matrixMembers lists a result's HCP-level members by segment and id,
// each resolved through the result's own snapshot (as the GraphQL layer
// does).
func matrixMembers(t *testing.T, e *env, sc snapshot.Scope) ([]string, uint64) {
	t.Helper()
	res := tiers(t, e, sc, "")
	var out []string
	for _, c := range res.HCPs.Matrix.Cells {
		for _, m := range c.Members {
			v, ok := res.Snapshot.Index(m.ID)
			if !ok || res.Snapshot.HCPs[v].ID != m.ID {
				t.Errorf("member %s is not in the result's snapshot", m.ID)
			}
			out = append(out, string(c.Segment)+" "+m.ID)
		}
	}
	slices.Sort(out)
	return out, res.Snapshot.Version
}

// After a write to its hospital, a matrix is answered at once from the
// previous version, on that version's snapshot (the write adds an HCP
// whose id sorts first, shifting every node index), while the new one is
// computed in the background; then the new one is served.
func TestStaleMatrixWhileRecomputing(t *testing.T) {
	e := private(t)
	ctx := context.Background()
	sc := snapshot.Scope{Hospital: "H001"}
	before, v0 := matrixMembers(t, e, sc)
	d := e.cs.HCPs[0]
	h := &kolgraph.HCP{ID: "P000000", Name: "new", Role: kolgraph.RolePhysician, Title: "attending", Position: "staff",
		DepartmentID: d.DepartmentID, HospitalID: d.HospitalID}
	if d.HospitalID != "H001" {
		t.Fatalf("the seed's first HCP is in %s, want H001", d.HospitalID)
	}
	if _, err := e.store.Apply(ctx, &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{h}}); err != nil {
		t.Fatal(err)
	}
	if err := e.snaps.Refresh(ctx); err != nil { // installed, not yet revalidated
		t.Fatal(err)
	}
	stale, v := matrixMembers(t, e, sc)
	if v != v0 || !slices.Equal(stale, before) {
		t.Errorf("right after the write: version %d, want the previous %d with the same members", v, v0)
	}
	e.pool.Wait()
	fresh, v := matrixMembers(t, e, sc)
	if v == v0 || !slices.ContainsFunc(fresh, func(m string) bool { return m[2:] == "P000000" }) {
		t.Errorf("after the recomputation: version %d (previous %d), members %v; want the new HCP", v, v0, fresh)
	}
}

// A write elsewhere makes a matrix stale (it is keyed by version) but its
// scope's INFLUENCE ranking is carried over, not recomputed. (The store
// lists committee seats in no fixed order, so a fingerprint of the seats
// as listed, rather than of the priors they give, failed here.)
func TestMatrixRecomputedOnCarriedRanking(t *testing.T) {
	e := private(t)
	ctx := context.Background()
	sc := snapshot.Scope{Hospital: "H001"}
	a := tiers(t, e, sc, "RX01")
	rk, err := e.scores.RankingOn(ctx, a.Snapshot, sc, "INFLUENCE")
	if err != nil {
		t.Fatal(err)
	}
	var other *kolgraph.HCP
	for _, h := range e.cs.HCPs {
		if h.HospitalID != "H001" {
			other = h
			break
		}
	}
	c := *other
	c.Name += " (renamed)"
	if _, err := e.store.Apply(ctx, &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{&c}}); err != nil {
		t.Fatal(err)
	}
	if err := e.refresh(ctx); err != nil {
		t.Fatal(err)
	}
	b := tiers(t, e, sc, "RX01")
	if b.Snapshot.Version == a.Snapshot.Version {
		t.Fatal("the matrix was not recomputed after the write")
	}
	rk2, err := e.scores.RankingOn(ctx, b.Snapshot, sc, "INFLUENCE")
	if err != nil {
		t.Fatal(err)
	}
	if !rk2.ComputedAt.Equal(rk.ComputedAt) || rk2.Snapshot != b.Snapshot {
		t.Errorf("H001's INFLUENCE ranking was recomputed (computed at %v, then %v) for a write to %s of %s",
			rk.ComputedAt, rk2.ComputedAt, other.ID, other.HospitalID)
	}
}
