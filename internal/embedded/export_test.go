package embedded

import "time"

// WithLockTimeout sets how long Open waits for another process to release
// the file lock before it fails with ErrLocked (default 1s), so that a test
// of the lock need not wait the full second. Zero or less keeps the default.
func WithLockTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.lockTimeout = d
		}
	}
}
