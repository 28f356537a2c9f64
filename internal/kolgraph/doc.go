// Package kolgraph is the domain core: the entities of a hospital influence
// graph, the Store every storage adapter implements, the write model
// (ChangeSet), and the one error type with its codes.
//
// It imports only the standard library. Adapters (embedded, neo4jstore), the
// GraphQL layer and the algorithms depend on it; it depends on none of them.
package kolgraph
