package importer

import "time"

// SetClock makes js read the time from now (tests of expiry).
func SetClock(js *Jobs, now func() time.Time) { js.now = now }
