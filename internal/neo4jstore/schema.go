package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// schemaVersion is the version of the graph layout this package reads and
// writes, recorded on the meta node. Bump it, and add a step to migrate,
// when the layout changes.
const schemaVersion = 5

// The graph layout:
//
//	(:Territory {id, name})
//	(:Hospital {id, name, nameLower, tier, province, city, beds, ownership, paymentModel, territoryId})
//	(:Department {id, hospitalId, name, specialty, weeklyOutpatients, ...})-[:PART_OF]->(:Hospital)
//	(:HCP[:KOL] {id, name, nameLower, role, ..., departmentId, hospitalId, kolLevel, kolEvidence})-[:WORKS_IN]->(:Department)
//	(:Committee {id, name, kind, hospitalId})-[:GOVERNS]->(:Hospital)
//	(:HCP)-[:MEMBER_OF {role}]->(:Committee)
//	(:Hospital)-[:LISTS {status, since, keyMonitoring, nationalInsurance}]->(:Product {id, name, indications, specialties})
//	(:Department)-[:TREATS {share}]->(:Product): a department's indication share for one product
//	(:User {id, name, role, territories})-[:KNOWS {strength}]->(:HCP)
//	(:HCP)-[:INFLUENCES {weight, kind, evidence, updatedAt}]->(:HCP)
//	(:AccountPlan {id, hospitalId, departmentId, productId, ownerId, status, body}): body is the plan's JSON (see plans.go)
//	(:KolgraphMeta {id: "kolgraph", version, schemaVersion})
//	(:AuditEntry {version, seq, at, actor, source, kind, entityId, op, before, after}) (see audit.go)
//	(:HistoryPoint {id, scope, metric, version, at, body}): a point of the influence history (see history.go)
//	(:PrescriptionFact {id, entityId, hcpId, departmentId, productId, month, volume}) (see facts.go)
//	(:Interaction {id, hcpId, kamId, productId, date, body}) (see interactions.go)
//	(:AccountOwner {id, accountId, userId}) (see owners.go)
//	(:Activity {id, territoryId, hospitalId, productId, ownerId, date, hcpIds, body}) (see activities.go)
//
// A record's parent ids are kept both as properties (what reads use: a
// keyed property lookup is the most portable and fastest query on every
// server) and as the relationships above (what graph queries and Neo4j
// Browser use); Apply keeps the two in step in one transaction. A hospital's
// territory is a property only: it scopes access, it is not part of the
// influence graph. nameLower is the name lower-cased by Go, so that
// NameContains matches exactly as the embedded store does on any server.

// labels are the node labels keyed by id.
var labels = []string{"Territory", "Hospital", "Department", "HCP", "Committee", "Product", "User", "AccountPlan", "HistoryPoint", "PrescriptionFact",
	"Interaction", "AccountOwner", "Activity", "KolgraphMeta"}

// secondaryIndexes serve the filters and navigation by parent id.
var secondaryIndexes = []string{
	"CREATE INDEX kolgraph_hospital_territory IF NOT EXISTS FOR (n:Hospital) ON (n.territoryId)",
	"CREATE INDEX kolgraph_department_hospital IF NOT EXISTS FOR (n:Department) ON (n.hospitalId)",
	"CREATE INDEX kolgraph_hcp_department IF NOT EXISTS FOR (n:HCP) ON (n.departmentId)",
	"CREATE INDEX kolgraph_hcp_hospital IF NOT EXISTS FOR (n:HCP) ON (n.hospitalId)",
	"CREATE INDEX kolgraph_committee_hospital IF NOT EXISTS FOR (n:Committee) ON (n.hospitalId)",
	"CREATE INDEX kolgraph_plan_hospital IF NOT EXISTS FOR (n:AccountPlan) ON (n.hospitalId)",
	"CREATE INDEX kolgraph_plan_department IF NOT EXISTS FOR (n:AccountPlan) ON (n.departmentId)",
	"CREATE INDEX kolgraph_plan_product IF NOT EXISTS FOR (n:AccountPlan) ON (n.productId)",
	"CREATE INDEX kolgraph_plan_owner IF NOT EXISTS FOR (n:AccountPlan) ON (n.ownerId)",
	"CREATE INDEX kolgraph_audit_entity IF NOT EXISTS FOR (n:AuditEntry) ON (n.entityId)",
	"CREATE INDEX kolgraph_audit_version IF NOT EXISTS FOR (n:AuditEntry) ON (n.version)",
	"CREATE INDEX kolgraph_history_scope IF NOT EXISTS FOR (n:HistoryPoint) ON (n.scope)",
	"CREATE INDEX kolgraph_fact_entity IF NOT EXISTS FOR (n:PrescriptionFact) ON (n.entityId)",
	"CREATE INDEX kolgraph_fact_product IF NOT EXISTS FOR (n:PrescriptionFact) ON (n.productId)",
	"CREATE INDEX kolgraph_interaction_hcp IF NOT EXISTS FOR (n:Interaction) ON (n.hcpId)",
	"CREATE INDEX kolgraph_interaction_kam IF NOT EXISTS FOR (n:Interaction) ON (n.kamId)",
	"CREATE INDEX kolgraph_interaction_product IF NOT EXISTS FOR (n:Interaction) ON (n.productId)",
	"CREATE INDEX kolgraph_owner_user IF NOT EXISTS FOR (n:AccountOwner) ON (n.userId)",
	"CREATE INDEX kolgraph_activity_territory IF NOT EXISTS FOR (n:Activity) ON (n.territoryId)",
	"CREATE INDEX kolgraph_activity_hospital IF NOT EXISTS FOR (n:Activity) ON (n.hospitalId)",
	"CREATE INDEX kolgraph_activity_product IF NOT EXISTS FOR (n:Activity) ON (n.productId)",
	"CREATE INDEX kolgraph_activity_owner IF NOT EXISTS FOR (n:Activity) ON (n.ownerId)",
}

// schemaStatements are the idempotent statements that create the schema.
//
// On Neo4j every id has a uniqueness constraint, which also backs the id
// lookups with an index. On NornicDB (v1.2.3) a uniqueness constraint does
// not make lookups use an index (a keyed MATCH scans the label), and its
// commit-time check compares every new node with every other pending node of
// the transaction, so a 70k-record load would be quadratic; there ids get a
// plain index, and uniqueness rests on Apply: every write is a MERGE by id,
// and Applies are serialised on the meta node (see apply.go).
func (s *Store) schemaStatements() []string {
	var out []string
	for _, l := range labels {
		name := "kolgraph_" + strings.ToLower(l) + "_id"
		if s.unique {
			out = append(out, "CREATE CONSTRAINT "+name+" IF NOT EXISTS FOR (n:"+l+") REQUIRE n.id IS UNIQUE")
		} else {
			out = append(out, "CREATE INDEX "+name+" IF NOT EXISTS FOR (n:"+l+") ON (n.id)")
		}
	}
	return append(out, secondaryIndexes...)
}

// migrate brings the schema to schemaVersion: constraints and indexes (each
// statement on its own, as schema changes may not share a transaction with
// data), then the meta node, created with version 0 if missing. It refuses
// a database written by a newer layout.
func (s *Store) migrate(ctx context.Context) error {
	for _, stmt := range s.schemaStatements() {
		err := s.write(ctx, "migrate", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
			return exec1(ctx, tx, stmt, nil)
		})
		if err != nil && !alreadyExists(err) {
			return err
		}
	}
	var found int
	err := s.write(ctx, "migrate", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		found = 0
		p := map[string]any{"id": metaID}
		if err := exec1(ctx, tx, "MERGE (m:KolgraphMeta {id: $id}) ON CREATE SET m.version = 0", p); err != nil {
			return err
		}
		err := each(ctx, tx, "MATCH (m:KolgraphMeta {id: $id}) RETURN m.schemaVersion", p, func(vals []any) error {
			d := decoder{vals: vals}
			found = max(found, d.int(0))
			return d.err
		})
		if err != nil {
			return err
		}
		if found > schemaVersion {
			return nil
		}
		return exec1(ctx, tx, "MATCH (m:KolgraphMeta {id: $id}) SET m.schemaVersion = $v",
			map[string]any{"id": metaID, "v": schemaVersion})
	})
	if err != nil {
		return err
	}
	if found > schemaVersion {
		return fmt.Errorf("neo4jstore: migrate: the database has schema version %d, newer than this program's %d; upgrade kolgraph",
			found, schemaVersion)
	}
	return nil
}

// alreadyExists reports a schema statement failing because an equivalent
// index or constraint exists under another name, which IF NOT EXISTS does
// not cover on every Neo4j version.
func alreadyExists(err error) bool {
	var ne *neo4j.Neo4jError
	return errors.As(err, &ne) && strings.HasPrefix(ne.Code, "Neo.ClientError.Schema.") &&
		(strings.Contains(ne.Code, "AlreadyExists") || strings.Contains(ne.Code, "Equivalent"))
}
