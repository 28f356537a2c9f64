package account

import (
	"math"
	"slices"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Level is what an account is: an HCP, a department or a hospital.
type Level string

// The levels.
const (
	LevelHCP        Level = "hcp"
	LevelDepartment Level = "department"
	LevelHospital   Level = "hospital"
)

// Scope is the data an evaluation runs on: one hospital, one territory or
// everything, always whole departments with all their HCPs, because an HCP's
// potential is a share of their department's and the shares are taken over
// the HCPs given.
type Scope struct {
	// Hospitals give hospital names; a hospital listed here without any
	// department has unknown potential at the hospital level. Optional.
	Hospitals   []*kolgraph.Hospital
	Departments []*kolgraph.Department
	// HCPs are every HCP of Departments; each one's department must be there.
	HCPs []*kolgraph.HCP
	// Product selects product-specific potential; nil is the departments'
	// own potential (see PotentialModel).
	Product *kolgraph.Product
	// Influence is each HCP's influence (e.g. the INFLUENCE score), any
	// non-negative scale. An HCP without a value is unclassified; a group's
	// influence aggregates the values its HCPs have (Config.GroupInfluence).
	Influence map[string]float64
}

// Account is one HCP, department or hospital with its potential and
// influence.
type Account struct {
	Level          Level  `json:"level"`
	ID             string `json:"id"`
	Name           string `json:"name"`
	HospitalID     string `json:"hospitalId"`
	HospitalName   string `json:"hospitalName"`
	DepartmentID   string `json:"departmentId,omitempty"` // HCPs and departments
	DepartmentName string `json:"departmentName,omitempty"`
	Specialty      string `json:"specialty,omitempty"`
	ProductID      string `json:"productId,omitempty"`

	// HCP is set for HCP accounts; Department for HCP and department
	// accounts (it carries the heat-map inputs).
	HCP        *kolgraph.HCP        `json:"-"`
	Department *kolgraph.Department `json:"-"`

	Potential Potential `json:"potential"`
	// Influence is nil when no value was given (for groups: for none of
	// their HCPs); InfluenceReason then says so.
	Influence       *float64 `json:"influence"`
	InfluenceReason string   `json:"influenceReason,omitempty"`
	// Actual is what the account prescribed (AttachActuals); nil when no
	// facts cover it, ActualReason then says why.
	Actual       *Actual `json:"actual,omitempty"`
	ActualReason string  `json:"actualReason,omitempty"`
}

// Evaluate computes the potential and influence of the prescribing
// accounts of scope s at the given level (PotentialModel.Prescriber and
// Prescribes): at the HCP level the prescribers of s.Product (physicians of
// the departments it is indicated for; without a product, every physician
// outside the pharmacy), at the department level the departments that
// prescribe it, and every hospital. HCP accounts come in the order of
// s.HCPs, departments in the order of s.Departments, hospitals in ascending
// id order.
//
// Errors (EINVALID): an invalid configuration or level, duplicate ids, an
// HCP whose department is not in the scope, an influence value that is
// negative or not finite.
//
// Cost: O(n) in the number of HCPs and departments plus O(h log h) to order
// the h hospitals.
func Evaluate(cfg Config, s Scope, level Level) ([]Account, error) {
	if err := cfg.Potential.Validate(); err != nil {
		return nil, err
	}
	if err := cfg.GroupInfluence.validate(); err != nil {
		return nil, err
	}
	switch level {
	case LevelHCP, LevelDepartment, LevelHospital:
	default:
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "level must be %q, %q or %q (got %q)", LevelHCP, LevelDepartment, LevelHospital, level)
	}
	productID := ""
	if s.Product != nil {
		productID = s.Product.ID
	}

	deptIndex := make(map[string]int, len(s.Departments))
	for i, d := range s.Departments {
		if _, dup := deptIndex[d.ID]; dup {
			return nil, kolgraph.Errorf(kolgraph.EINVALID, "department %s is in the scope twice", d.ID)
		}
		deptIndex[d.ID] = i
	}
	hospName := make(map[string]string, len(s.Hospitals))
	hospital := make(map[string]*kolgraph.Hospital, len(s.Hospitals))
	for _, h := range s.Hospitals {
		hospName[h.ID] = h.Name
		hospital[h.ID] = h
	}

	// HCPs grouped by department, keeping their scope order.
	deptOf := make([]int32, len(s.HCPs))
	members := make([][]int32, len(s.Departments))
	seen := make(map[string]struct{}, len(s.HCPs))
	for i, h := range s.HCPs {
		if _, dup := seen[h.ID]; dup {
			return nil, kolgraph.Errorf(kolgraph.EINVALID, "HCP %s is in the scope twice", h.ID)
		}
		seen[h.ID] = struct{}{}
		di, ok := deptIndex[h.DepartmentID]
		if !ok {
			return nil, kolgraph.Errorf(kolgraph.EINVALID, "HCP %s: department %s is not in the scope (a scope holds whole departments)", h.ID, h.DepartmentID)
		}
		deptOf[i] = int32(di)
		members[di] = append(members[di], int32(i))
	}
	infl := make([]*float64, len(s.HCPs))
	for i, h := range s.HCPs {
		v, ok := s.Influence[h.ID]
		if !ok {
			continue
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, kolgraph.Errorf(kolgraph.EINVALID, "influence of %s must be finite and non-negative (got %v)", h.ID, v)
		}
		infl[i] = &v
	}

	dpots := make([]Potential, len(s.Departments))
	for i, d := range s.Departments {
		dpots[i] = cfg.Potential.Department(d, hospital[d.HospitalID], s.Product)
	}

	switch level {
	case LevelHCP:
		out := make([]Account, len(s.HCPs))
		keep := make([]bool, len(s.HCPs))
		vals := make([]float64, len(s.HCPs)) // one backing array for the values
		var group []*kolgraph.HCP
		for di, idx := range members {
			d := s.Departments[di]
			group = group[:0]
			for _, i := range idx {
				group = append(group, s.HCPs[i])
			}
			shares := cfg.Potential.Shares(group)
			for k, i := range idx {
				h := s.HCPs[i]
				if keep[i] = cfg.Potential.Prescriber(h, d, s.Product); !keep[i] {
					continue
				}
				p := hcpPotential(dpots[di], h, shares[k], &vals[i])
				a := Account{
					Level: LevelHCP, ID: h.ID, Name: h.Name,
					HospitalID: d.HospitalID, HospitalName: hospName[d.HospitalID],
					DepartmentID: d.ID, DepartmentName: d.Name, Specialty: d.Specialty,
					ProductID: productID, HCP: h, Department: d,
					Potential: p, Influence: infl[i],
				}
				if a.Influence == nil {
					a.InfluenceReason = "no influence value for this HCP"
				}
				out[i] = a
			}
		}
		kept := out[:0]
		for i := range out {
			if keep[i] {
				kept = append(kept, out[i])
			}
		}
		return kept, nil

	case LevelDepartment:
		out := make([]Account, 0, len(s.Departments))
		var xs []float64
		for di, d := range s.Departments {
			if !cfg.Potential.Prescribes(d, s.Product) {
				continue
			}
			xs = xs[:0]
			for _, i := range members[di] {
				if infl[i] != nil {
					xs = append(xs, *infl[i])
				}
			}
			a := Account{
				Level: LevelDepartment, ID: d.ID, Name: d.Name,
				HospitalID: d.HospitalID, HospitalName: hospName[d.HospitalID],
				DepartmentID: d.ID, DepartmentName: d.Name, Specialty: d.Specialty,
				ProductID: productID, Department: d, Potential: dpots[di],
			}
			if len(xs) > 0 {
				v := cfg.GroupInfluence.of(xs)
				a.Influence = &v
			} else {
				a.InfluenceReason = "no influence value for any HCP of the department"
			}
			out = append(out, a)
		}
		return out, nil
	}

	// LevelHospital.
	hospDepts := map[string][]int{}
	var ids []string
	for _, h := range s.Hospitals {
		if _, ok := hospDepts[h.ID]; !ok {
			hospDepts[h.ID] = nil
			ids = append(ids, h.ID)
		}
	}
	for di, d := range s.Departments {
		if _, ok := hospDepts[d.HospitalID]; !ok {
			ids = append(ids, d.HospitalID)
		}
		hospDepts[d.HospitalID] = append(hospDepts[d.HospitalID], di)
	}
	slices.Sort(ids)
	out := make([]Account, len(ids))
	var xs []float64
	for k, id := range ids {
		dis := hospDepts[id]
		ds := make([]*kolgraph.Department, len(dis))
		ps := make([]Potential, len(dis))
		xs = xs[:0]
		for j, di := range dis {
			ds[j], ps[j] = s.Departments[di], dpots[di]
			for _, i := range members[di] {
				if infl[i] != nil {
					xs = append(xs, *infl[i])
				}
			}
		}
		name := hospName[id]
		a := Account{
			Level: LevelHospital, ID: id, Name: name, HospitalID: id, HospitalName: name,
			ProductID: productID, Potential: hospitalPotential(ds, ps),
		}
		if len(xs) > 0 {
			v := cfg.GroupInfluence.of(xs)
			a.Influence = &v
		} else {
			a.InfluenceReason = "no influence value for any HCP of the hospital"
		}
		out[k] = a
	}
	return out, nil
}
