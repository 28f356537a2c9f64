package graph

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/graph/model"
	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/writer"
)

// newID is a fresh record id: <prefix>-<date>-<8 random base32 chars>.
func newID(prefix string, now time.Time) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return prefix + "-" + now.UTC().Format("20060102") + "-" + base32.StdEncoding.EncodeToString(b)
}

// actsFor checks that the caller may act for user: itself, or anyone for
// an admin (ManageUsers). A kam logs and plans its own work only.
func actsFor(ctx context.Context, user, what string) error {
	p, err := auth.Authenticated(ctx)
	if err != nil {
		return err
	}
	if user == writer.Actor(ctx) || p.Can(auth.ManageUsers) {
		return nil
	}
	return kolgraph.Errorf(kolgraph.EFORBIDDEN, "the %s role may %s only as itself (%s), not as %s", p.Role, what, writer.Actor(ctx), user)
}

func (r *Resolver) interaction(ctx context.Context, id string) (*kolgraph.Interaction, error) {
	ins, err := r.deps(ctx).Store.Interactions(ctx, []string{id})
	if err != nil || len(ins) == 0 {
		return nil, err
	}
	return ins[0], nil
}

func (r *Resolver) listInteractions(ctx context.Context, in *model.InteractionFilter, first *int, after *string) (*model.InteractionConnection, error) {
	p, err := pageArgs(first, after)
	if err != nil {
		return nil, err
	}
	var f kolgraph.InteractionFilter
	if in != nil {
		f = kolgraph.InteractionFilter{HCPID: str(in.Hcp), KAMID: str(in.Kam), ProductID: str(in.Product), From: str(in.From), To: str(in.To)}
	}
	res, err := r.deps(ctx).Store.ListInteractions(ctx, f, p)
	if err != nil {
		return nil, err
	}
	conn := &model.InteractionConnection{Edges: make([]*model.InteractionEdge, len(res.Items)), TotalCount: res.Total}
	ids := make([]string, len(res.Items))
	for i, it := range res.Items {
		ids[i] = it.ID
		conn.Edges[i] = &model.InteractionEdge{Cursor: encodeCursor(it.ID), Node: it}
	}
	conn.PageInfo = pageInfo(ids, res.HasNext)
	return conn, nil
}

// maxFutureDays is how far ahead of UTC's today an interaction's date may
// be: a day, for a KAM east of UTC logging this morning's visit.
const maxFutureDays = 1

// logInteraction writes a new interaction.
func (r *Resolver) logInteraction(ctx context.Context, in model.InteractionInput, now time.Time) (*model.InteractionPayload, error) {
	it := &kolgraph.Interaction{ID: newID("IN", now), HCPID: in.Hcp, KAMID: str(in.Kam), Date: str(in.Date),
		Kind: strings.ToLower(string(in.Kind)), ProductID: str(in.Product), Notes: str(in.Notes)}
	if it.KAMID == "" {
		it.KAMID = writer.Actor(ctx)
	}
	if it.Date == "" {
		it.Date = now.UTC().Format(time.DateOnly)
	}
	if err := actsFor(ctx, it.KAMID, "log interactions"); err != nil {
		return nil, err
	}
	if d, ok := kolgraph.ParseDate(it.Date); ok && d.After(now.UTC().AddDate(0, 0, maxFutureDays)) {
		return nil, kolgraph.Invalid([]kolgraph.Problem{{File: kolgraph.KindInteractions + "/" + it.ID, Field: "date",
			Message: "is in the future (" + it.Date + "): log a contact once it happened; the call plan plans the next ones"}})
	}
	res, err := r.write(ctx, "logInteraction", &kolgraph.ChangeSet{Interactions: []*kolgraph.Interaction{it}})
	if err != nil {
		return nil, err
	}
	return &model.InteractionPayload{Interaction: it, GraphVersion: graphVersion(res.Version)}, nil
}

// deleteInteraction deletes an interaction of the caller (any, for an
// admin).
func (r *Resolver) deleteInteraction(ctx context.Context, id string) (*model.DeletePayload, error) {
	it, err := r.interaction(ctx, id)
	if err != nil {
		return nil, err
	}
	if it != nil {
		if err := actsFor(ctx, it.KAMID, "delete interactions"); err != nil {
			return nil, err
		}
	}
	res, err := r.write(ctx, "deleteInteraction", &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Interactions: []string{id}}})
	if err != nil {
		return nil, err
	}
	return deleted(res), nil
}

// interactionNotes hands out an interaction's notes under the contact-data
// rules: FORBIDDEN for a role that may not read contact data, and every
// read recorded as a read of the HCP's personal data.
func interactionNotes(ctx context.Context, it *kolgraph.Interaction) (*string, error) {
	if err := contactsDenied(ctx, "notes"); err != nil {
		return nil, err
	}
	if it.Notes == "" {
		return nil, nil
	}
	noteContactRead(ctx, it.HCPID, "interaction_notes")
	return &it.Notes, nil
}
