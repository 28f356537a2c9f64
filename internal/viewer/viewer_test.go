package viewer_test

import (
	"context"
	"testing"

	"github.com/kolgraph/kolgraph/internal/viewer"
)

func TestUserID(t *testing.T) {
	ctx := context.Background()
	if id, ok := viewer.UserID(ctx); ok || id != "" {
		t.Errorf("empty context: UserID = %q, %v; want none", id, ok)
	}
	if _, ok := viewer.UserID(viewer.WithUser(ctx, "")); ok {
		t.Error("WithUser(\"\") set a user")
	}
	if id, ok := viewer.UserID(viewer.WithUser(ctx, "U004")); !ok || id != "U004" {
		t.Errorf("UserID = %q, %v; want U004, true", id, ok)
	}
}
