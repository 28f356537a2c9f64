// Package settings is kolgraph's domain settings document: the cut-offs,
// DRG/DIP parameters, cadences and playbooks of the account matrix, the
// INFLUENCE blend weights, the heat-map, Pareto and speaker parameters and
// the access playbooks, as one JSON document (DESIGN.md, "Settings").
//
// The document starts from the services' defaults, optionally overlaid by
// a file (-settings); administrators change it at run time
// (updateSettings). Every version is numbered and kept in the audit log
// (kind settings), so it survives restarts, other instances pick it up, and
// compliance sees who changed what. Results state the version they used
// (account.SettingsStamp).
package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/analyses"
	"github.com/kolgraph/kolgraph/internal/fieldwork"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/tiering"
)

// Document is the settings document. Its JSON names are the API's (see
// the README's settings section); a field left out of a document takes its
// default value.
type Document struct {
	// InfluenceWeights blend the INFLUENCE score.
	InfluenceWeights scoring.Weights `json:"influenceWeights"`
	// The account matrix: potential model (DRG/DIP, HCP weights), group
	// influence, the matrices of each level (cut-offs, playbooks,
	// cadences), heat map, Pareto fraction, speaker selection.
	account.Config
	// AccessPlaybooks say what to bring each decision-chain stage.
	AccessPlaybooks tiering.AccessPlaybooks `json:"accessPlaybooks"`
	// Field is field execution: activity ROI targets and windows,
	// compliance caps, KAM capacity and the kinds of interaction that
	// count as a visit.
	Field fieldwork.Config `json:"field"`
}

// From returns the document of configuration c, with field execution's
// defaults (fieldwork.Default: no service configures it on start).
func From(c analyses.Config) Document {
	return Document{InfluenceWeights: c.Scoring.Weights, Config: c.Tiering.Account, AccessPlaybooks: c.Tiering.AccessPlaybooks,
		Field: fieldwork.Default()}
}

// Apply returns c with the document's settings in place of its own.
func (d Document) Apply(c analyses.Config) analyses.Config {
	limit := c.Tiering.Account.Speakers.Limit // the service's, not a domain setting
	c.Scoring.Weights = d.InfluenceWeights
	c.Tiering.Account = d.Config
	c.Tiering.Account.Speakers.Limit = limit
	c.Tiering.AccessPlaybooks = d.AccessPlaybooks
	return c
}

// MaxBytes bounds a document: the defaults take about 7 KB, and a version
// is kept whole in an audit entry.
const MaxBytes = 48 << 10

// Parse reads a document given by a person (the -settings file, the
// updateSettings mutation): strict JSON, every field known, over base (the
// fields it leaves out keep base's values), then validated. Errors are
// EINVALID and name the field.
func Parse(data []byte, base Document) (Document, error) {
	if len(data) > MaxBytes {
		return Document{}, kolgraph.Errorf(kolgraph.EINVALID, "the settings document is %d bytes, more than %d", len(data), MaxBytes)
	}
	d := base.clone()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return Document{}, kolgraph.Errorf(kolgraph.EINVALID, "settings document: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Document{}, kolgraph.Errorf(kolgraph.EINVALID, "settings document: text after the JSON object")
	}
	if err := d.Validate(); err != nil {
		return Document{}, err
	}
	return d, nil
}

// decodeStored reads a document kept by an earlier version of the service:
// fields it does not know are ignored and missing ones are base's, so an
// upgrade that adds or drops a setting still reads old versions.
func decodeStored(data []byte, base Document) (Document, error) {
	d := base.clone()
	if err := json.Unmarshal(data, &d); err != nil {
		return Document{}, err
	}
	return d, nil
}

// jsonProblem says what is wrong with a document in a person's words.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		// The embedded account.Config's fields are at the top level.
		return fmt.Sprintf("field %q must be %s (got %s)", strings.TrimPrefix(te.Field, "Config."), kindWords(te.Type.Kind().String()), te.Value)
	case errors.As(err, &se):
		return fmt.Sprintf("not valid JSON at byte %d: %s", se.Offset, se.Error())
	case errors.Is(err, io.EOF):
		return "empty; give a JSON object"
	}
	// json: unknown field "x" is the remaining common case.
	return strings.TrimPrefix(err.Error(), "json: ")
}

func kindWords(k string) string {
	switch k {
	case "float64", "int":
		return "a number"
	case "string":
		return "a string"
	case "map", "struct":
		return "an object"
	case "slice":
		return "a list"
	}
	return k
}

// Validate checks every part, as the services would on start.
func (d Document) Validate() error {
	if err := d.InfluenceWeights.Validate(); err != nil {
		return kolgraph.Errorf(kolgraph.EINVALID, "influenceWeights: %s", kolgraph.ErrorMessage(err))
	}
	if err := d.Config.Validate(); err != nil {
		return err
	}
	for _, l := range []account.Level{account.LevelHCP, account.LevelDepartment, account.LevelHospital} {
		ps := d.Matrices.For(l).Plans
		for _, s := range []account.Segment{account.SegmentA, account.SegmentB, account.SegmentC, account.SegmentD} {
			if err := checkPlan(fmt.Sprintf("matrices.%s.plans.%s", l, s), ps.Of(s)); err != nil {
				return err
			}
		}
	}
	if err := d.Field.Validate(); err != nil {
		return underField("field", err)
	}
	for stage, text := range d.AccessPlaybooks {
		if !slices.Contains(access.StageKinds, stage) {
			return kolgraph.Errorf(kolgraph.EINVALID, "accessPlaybooks: %q is not a decision-chain stage (one of %q)", stage, access.StageKinds)
		}
		if err := checkText("accessPlaybooks."+string(stage), text); err != nil {
			return err
		}
	}
	return nil
}

// underField names err's problems by their path in the document (part's
// fields are inside the object part).
func underField(part string, err error) error {
	var e *kolgraph.Error
	if !errors.As(err, &e) || len(e.Problems) == 0 {
		return kolgraph.Errorf(kolgraph.EINVALID, "%s: %s", part, kolgraph.ErrorMessage(err))
	}
	ps := slices.Clone(e.Problems)
	for i := range ps {
		ps[i].Field = part + "." + ps[i].Field
	}
	return kolgraph.Invalid(ps)
}

func checkPlan(name string, p account.Plan) error {
	if err := checkText(name+".playbook", p.Playbook); err != nil {
		return err
	}
	c := p.Cadence
	if c.IntervalDays < 0 || c.IntervalDays > 366 {
		return kolgraph.Errorf(kolgraph.EINVALID, "%s.cadence.intervalDays must be 0 (digital only) to 366 (got %d)", name, c.IntervalDays)
	}
	for f, v := range map[string]string{"code": c.Code, "label": c.Label, "contact": c.Contact, "contactLabel": c.ContactLabel} {
		if err := checkText(name+".cadence."+f, v); err != nil {
			return err
		}
	}
	return nil
}

// checkText is the rule for the texts a person writes into the document:
// present, short, and not read as a formula by a spreadsheet (they end up
// in CSV and XLSX reports).
func checkText(name, s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return kolgraph.Errorf(kolgraph.EINVALID, "%s is required", name)
	case len(s) > 500:
		return kolgraph.Errorf(kolgraph.EINVALID, "%s is longer than 500 bytes", name)
	case kolgraph.FormulaLike(s):
		return kolgraph.Errorf(kolgraph.EINVALID, "%s must not start like a spreadsheet formula (got %q)", name, s)
	}
	return nil
}

// JSON is the document's canonical text: indented, fields in declaration
// order, map keys sorted, so equal documents have equal text.
func (d Document) JSON() string {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil { // every field is a plain value
		panic(fmt.Sprintf("settings: encode: %v", err))
	}
	return string(b)
}

// clone is a deep copy (the maps and lists are shared otherwise).
func (d Document) clone() Document {
	var c Document
	if err := json.Unmarshal([]byte(d.JSON()), &c); err != nil {
		panic(fmt.Sprintf("settings: clone: %v", err))
	}
	c.Potential.ShareOverrides = d.Potential.ShareOverrides
	c.Speakers.Limit = d.Speakers.Limit
	return c
}

// Values are the settings a report states beside its version: those it
// does not show with its segments (cut-offs, playbooks and cadences are).
func (d Document) Values() []account.SettingValue {
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	pct := func(x float64) string { return f(x*100) + "%" }
	w := d.InfluenceWeights
	drg := d.Potential.DRG
	return []account.SettingValue{
		{Name: "Influence weights", Value: fmt.Sprintf("PageRank %s, Betweenness %s, Reach %s, Degree %s, Position %s, Committee %s, KOL %s",
			f(w.PageRank), f(w.Betweenness), f(w.Reach), f(w.Degree), f(w.Position), f(w.Committee), f(w.KOL))},
		{Name: "DRG/DIP correction", Value: string(drg.Form)},
		{Name: "DRG/DIP enrollment threshold", Value: f(drg.Threshold)},
		{Name: "DRG/DIP largest reduction", Value: pct(drg.Coefficient)},
		{Name: "Weeks per month", Value: f(d.Potential.WeeksPerMonth)},
		{Name: "Group influence", Value: string(d.GroupInfluence)},
		{Name: "Pareto fraction", Value: pct(d.ParetoFraction)},
	}
}
