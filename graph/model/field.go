package model

// AccountOwnership is the owner of an account and the account the owner
// was assigned to (itself or one above it).
type AccountOwnership struct {
	Account    string
	OwnerID    string
	AssignedTo string
}
