// Package fieldwork is field execution after tiering: the call plan that
// turns each account's segment cadence and logged interactions into due
// and overdue visits, a KAM's month of planned visits with its workload
// against capacity, cadence adherence, the calendar export of a plan, and
// the return and compliance of academic activities (DESIGN.md, "Academic-
// activity ROI").
//
// It is pure domain logic over plain inputs (kolgraph records the caller
// read from a store, already scoped): no store, no GraphQL, no clock of its
// own (every result is as of a date passed in).
package fieldwork
