package seedfile_test

import (
	"errors"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
)

// FuzzReadChecks feeds arbitrary hcps.csv and influences.csv files to the reader
// (departments and hospitals are fixed so that references can resolve). It
// must never panic, must reject with BAD_USER_INPUT problems that say where,
// and whatever it accepts must be valid records: no invalid UTF-8, no
// formula-like text, weights in (0,1].
//
//	go test -run '^$' -fuzz FuzzReadChecks -fuzztime 30s ./internal/seedfile/
func FuzzReadChecks(f *testing.F) {
	f.Add("id,name,role,department_id,hospital_id\nP1,A,physician,D1,H1\nP2,B,nurse,D1,H1\n",
		"from,to,weight,kind\nP1,P2,0.5,mentor\n")
	f.Add("id,name,role,department_id,hospital_id,phone\nP1,=1+1,physician,D1,H1,+86 1\n", "from,to,weight,kind\nP1,P1,1.5,x\n")
	f.Add("id,name,role,department_id,hospital_id\nP1,\"a\nb\",physician,D1,H1\n", "from,to,weight,kind,evidence,updated_at\nP1,P9,NaN,mentor,@x,2024-01-01T00:00:00Z\n")
	f.Add("\xef\xbb\xbfid,name\n\"unterminated", "from,to\n,,,,\n")
	f.Add("id,id,name\n", "weight\n-0\n")
	f.Fuzz(func(t *testing.T, hcps, influences string) {
		fsys := fstest.MapFS{
			"hospitals.csv":   {Data: []byte("id,name,tier\nH1,Hospital,3A\n")},
			"departments.csv": {Data: []byte("id,hospital_id,name,specialty\nD1,H1,Cardiology,cardiology\n")},
			"hcps.csv":        {Data: []byte(hcps)},
			"influences.csv":  {Data: []byte(influences)},
		}
		cs, err := seedfile.ReadWith(fsys, seedfile.ReadOptions{MaxBytes: 1 << 16, MaxProblems: 50})
		if err != nil {
			var kerr *kolgraph.Error
			if !errors.As(err, &kerr) || kerr.Code != kolgraph.EINVALID || len(kerr.Problems) == 0 {
				t.Fatalf("rejection is not BAD_USER_INPUT with problems: %v", err)
			}
			for _, p := range kerr.Problems[:min(len(kerr.Problems), 50)] {
				if p.File == "" || p.Message == "" {
					t.Fatalf("problem without a file or message: %+v", p)
				}
			}
			return
		}
		for _, h := range cs.HCPs {
			if ps := h.Validate(); len(ps) > 0 {
				t.Fatalf("accepted an invalid HCP %+v: %v", h, ps)
			}
			for _, s := range []string{h.Name, h.Position, h.Specialty, h.Email, h.WeChat} {
				if !utf8.ValidString(s) || kolgraph.FormulaLike(s) {
					t.Fatalf("accepted text %q", s)
				}
			}
		}
		for _, e := range cs.Influences {
			if ps := e.Validate(); len(ps) > 0 || !(e.Weight > 0 && e.Weight <= 1) {
				t.Fatalf("accepted an invalid influence %+v: %v", e, ps)
			}
			if kolgraph.FormulaLike(e.Evidence) {
				t.Fatalf("accepted formula-like evidence %q", e.Evidence)
			}
		}
	})
}
