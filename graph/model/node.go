// Package model holds the GraphQL types gqlgen generates (models_gen.go) and
// the few it binds to by hand. Entity types are bound to the domain core's.
package model

// Node is the GraphQL Node interface. It is empty on purpose: the domain types
// bound to Node (kolgraph.Hospital, ...) live in a core package that must not
// carry GraphQL marker methods; the generated executor resolves the concrete
// type with a type switch.
type Node interface{}
