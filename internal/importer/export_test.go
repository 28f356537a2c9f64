package importer

import (
	"context"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// SetClock makes js read the time from now (tests of expiry).
func SetClock(js *Jobs, now func() time.Time) { js.now = now }

// Read is read for the tests: the reading alone, without the writer.
func Read(ctx context.Context, format Format, files []File, st Scanner, opts Options) (*kolgraph.ChangeSet, []string, error) {
	r, err := read(ctx, format, files, st, opts)
	if err != nil {
		return nil, nil, err
	}
	return r.cs, r.notes, nil
}
