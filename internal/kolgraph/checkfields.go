package kolgraph

import "fmt"

// CheckFields checks every record of cs on its own (Validate) and the
// audit entries, and returns every problem at once (EINVALID), naming each
// record as kind/id (kind[i] when it has no id) or kind/a->b for
// relationships. It is the first pass of every store's Apply; the checks
// against the stored graph (conflicts, references) are the store's.
func (cs *ChangeSet) CheckFields() error { return cs.checkFields(false) }

// CheckFieldsToDerive is CheckFields for a change set the writer still
// completes: a field it derives may be empty (Kind.Derivable; an HCP's
// hospital_id, which its department decides).
func (cs *ChangeSet) CheckFieldsToDerive() error { return cs.checkFields(true) }

func (cs *ChangeSet) checkFields(derivable bool) error {
	var p fieldProblems
	for _, k := range changeSetKinds {
		k.checkFields(cs, &p, derivable)
	}
	cs.checkKeep(&p, derivable)
	for i := range cs.Audit {
		p.fields(fmt.Sprintf("audit[%d]", i), cs.Audit[i].Validate())
		switch {
		case cs.Audit[i].Op == OpRead:
			p.add(fmt.Sprintf("audit[%d]", i), "op", "a change set records changes; reads are appended with AppendAudit")
		case cs.Audit[i].Kind == KindSettings:
			p.add(fmt.Sprintf("audit[%d]", i), "kind", "a change set records graph records; settings versions are appended with AppendAudit")
		}
	}
	return Invalid(p.ps)
}

// maxFieldProblems bounds the problems CheckFields reports.
const maxFieldProblems = 1000

type fieldProblems struct{ ps []Problem }

func (p *fieldProblems) add(file, field, format string, args ...any) {
	if len(p.ps) == maxFieldProblems {
		p.ps = append(p.ps, Problem{Message: "too many problems; stopped here"})
	}
	if len(p.ps) > maxFieldProblems {
		return
	}
	p.ps = append(p.ps, Problem{File: file, Field: field, Message: fmt.Sprintf(format, args...)})
}

// missing adds the problem of a reference to a record that does not exist
// after the change.
func (p *fieldProblems) missing(file, field, kind, id string) {
	p.add(file, field, "references %s %q, which does not exist after this change set", kind, id)
}

func (p *fieldProblems) fields(file string, ps []Problem) {
	for _, q := range ps {
		p.add(file, q.Field, "%s", q.Message)
	}
}

func recName(kind, id string, i int) string {
	if id == "" {
		return fmt.Sprintf("%s[%d]", kind, i)
	}
	return kind + "/" + id
}

func pairName(kind, a, b string) string { return kind + "/" + a + "->" + b }
