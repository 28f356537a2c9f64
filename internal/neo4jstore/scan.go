package neo4jstore

import (
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Scan streams every record of the kinds v has callbacks for, one kind
// after another, in one read transaction (one snapshot where the server
// offers one). Records are decoded as they arrive from the driver, never
// collected, so memory stays flat however large the graph is.
//
// Once a record has reached a callback, a failure is not retried: the
// driver would rerun the transaction and visit records twice.
func (s *Store) Scan(ctx context.Context, v kolgraph.Visitor) error {
	type kind struct {
		on     bool
		cypher string
		visit  func(vals []any) error
	}
	kinds := []kind{
		{v.Territory != nil, "MATCH (n:Territory) RETURN " + territoryCols, func(vals []any) error {
			r, err := decodeTerritory(vals)
			if err != nil {
				return err
			}
			return v.Territory(r)
		}},
		{v.Hospital != nil, "MATCH (n:Hospital) RETURN " + hospitalCols, func(vals []any) error {
			r, err := decodeHospital(vals)
			if err != nil {
				return err
			}
			return v.Hospital(r)
		}},
		{v.Department != nil, "MATCH (n:Department) RETURN " + departmentCols, func(vals []any) error {
			r, err := decodeDepartment(vals)
			if err != nil {
				return err
			}
			return v.Department(r)
		}},
		{v.HCP != nil, "MATCH (n:HCP) RETURN " + hcpCols, func(vals []any) error {
			r, err := decodeHCP(vals)
			if err != nil {
				return err
			}
			return v.HCP(r)
		}},
		{v.Committee != nil, "MATCH (n:Committee) RETURN " + committeeCols, func(vals []any) error {
			r, err := decodeCommittee(vals)
			if err != nil {
				return err
			}
			return v.Committee(r)
		}},
		{v.Membership != nil, "MATCH (a:HCP)-[r:MEMBER_OF]->(b:Committee) RETURN " + membershipCols, func(vals []any) error {
			r, err := decodeMembership(vals)
			if err != nil {
				return err
			}
			return v.Membership(r)
		}},
		{v.Product != nil, "MATCH (n:Product) RETURN " + productCols, func(vals []any) error {
			r, err := decodeProduct(vals)
			if err != nil {
				return err
			}
			return v.Product(r)
		}},
		{v.Listing != nil, "MATCH (a:Hospital)-[r:LISTS]->(b:Product) RETURN " + listingCols, func(vals []any) error {
			r, err := decodeListing(vals)
			if err != nil {
				return err
			}
			return v.Listing(r)
		}},
		{v.ProductShare != nil, "MATCH (a:Department)-[r:TREATS]->(b:Product) RETURN " + shareCols, func(vals []any) error {
			r, err := decodeProductShare(vals)
			if err != nil {
				return err
			}
			return v.ProductShare(r)
		}},
		{v.User != nil, "MATCH (n:User) RETURN " + userCols, func(vals []any) error {
			r, err := decodeUser(vals)
			if err != nil {
				return err
			}
			return v.User(r)
		}},
		{v.Knows != nil, "MATCH (a:User)-[r:KNOWS]->(b:HCP) RETURN " + knowsCols, func(vals []any) error {
			r, err := decodeKnows(vals)
			if err != nil {
				return err
			}
			return v.Knows(r)
		}},
		{v.Influence != nil, "MATCH (a:HCP)-[r:INFLUENCES]->(b:HCP) RETURN " + influenceCols, func(vals []any) error {
			r, err := decodeInfluence(vals)
			if err != nil {
				return err
			}
			return v.Influence(r)
		}},
		{v.PrescriptionFact != nil, "MATCH (n:PrescriptionFact) RETURN " + factCols, func(vals []any) error {
			r, err := decodeFact(vals)
			if err != nil {
				return err
			}
			return v.PrescriptionFact(r)
		}},
		{v.Interaction != nil, "MATCH (n:Interaction) RETURN " + docCols, func(vals []any) error {
			r, err := decodeInteraction(vals)
			if err != nil {
				return err
			}
			return v.Interaction(r)
		}},
		{v.AccountOwner != nil, "MATCH (n:AccountOwner) RETURN " + ownerCols, func(vals []any) error {
			r, err := decodeOwner(vals)
			if err != nil {
				return err
			}
			return v.AccountOwner(*r)
		}},
		{v.Activity != nil, "MATCH (n:Activity) RETURN " + docCols, func(vals []any) error {
			r, err := decodeActivity(vals)
			if err != nil {
				return err
			}
			return v.Activity(r)
		}},
	}
	return s.read(ctx, "scan", s.cfg.ScanTimeout, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		visited := false
		for _, k := range kinds {
			if !k.on {
				continue
			}
			err := each(ctx, tx, k.cypher, nil, func(vals []any) error {
				visited = true
				if err := k.visit(vals); err != nil {
					return noRetry{err}
				}
				return nil
			})
			if err != nil {
				if visited {
					if _, ok := err.(noRetry); !ok {
						err = noRetry{err}
					}
				}
				return err
			}
		}
		return nil
	})
}
