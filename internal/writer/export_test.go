package writer

import "time"

// SetClock makes s stamp its writes with now.
func SetClock(s *Service, now func() time.Time) { s.now = now }
