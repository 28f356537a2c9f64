package labels

// Known reports whether s is a label T translates (tests check that every
// default label is known).
func Known(s string) bool {
	_, ok := zh[s]
	return ok
}
