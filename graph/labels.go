package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/kolgraph/kolgraph/graph/model"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/labels"
)

// lang is the request's label language: its Accept-Language header's
// preference between zh-CN and en, else English (the API's wording so far).
func lang(ctx context.Context) labels.Lang {
	if !graphql.HasOperationContext(ctx) {
		return labels.EN
	}
	return labels.FromAcceptLanguage(graphql.GetOperationContext(ctx).Headers.Get("Accept-Language"), labels.EN)
}

// say translates a label into the request's language.
func say(ctx context.Context, s string) string { return labels.T(lang(ctx), s) }

// memberPlaybook is a matrix member's playbook in the request's language:
// access first where the product is not listed, else its segment's.
func memberPlaybook(ctx context.Context, m *model.AccountMember) string {
	if m.AccessFirst {
		return labels.AccessFirst(lang(ctx), m.Account.ProductID, m.Member.Listing)
	}
	return say(ctx, m.Playbook)
}

// positionLabel says an HCP's position and title for people: "科主任 ·
// 主任医师", "department_head · chief"; staff is left out as saying
// nothing.
func positionLabel(ctx context.Context, h *kolgraph.HCP) string {
	var parts []string
	if h.Position != "" && h.Position != "staff" {
		parts = append(parts, say(ctx, h.Position))
	}
	if h.Title != "" {
		parts = append(parts, say(ctx, h.Title))
	}
	return strings.Join(parts, " · ")
}
