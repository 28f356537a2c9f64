package seedfile_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/seed"
)

// encode returns text in enc, failing the test if it cannot be.
func encode(t *testing.T, enc encoding.Encoding, text string) string {
	t.Helper()
	b, err := enc.NewEncoder().String(text)
	if err != nil {
		t.Fatalf("encode %q: %v", text, err)
	}
	return b
}

// notes reads fsys, failing on problems, and returns the HCPs' names and
// the notes as "file: message" lines.
func readNotes(t *testing.T, replace map[string]*string) ([]string, []string) {
	t.Helper()
	cs, ns, err := seedfile.ReadWithNotes(files(replace), seedfile.ReadOptions{})
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var names, notes []string
	for _, h := range cs.HCPs {
		names = append(names, h.Name)
	}
	for _, n := range ns {
		notes = append(notes, n.String())
	}
	return names, notes
}

func hasNote(notes []string, want string) bool {
	for _, n := range notes {
		if strings.Contains(n, want) {
			return true
		}
	}
	return false
}

const hcpsHead = "id,name,role,department_id,hospital_id\n"

// TestEncodings reads hcps.csv as the encodings people's tools save it in:
// the names must come out intact and a note must say which encoding was
// read.
func TestEncodings(t *testing.T) {
	gbk := simplifiedchinese.GB18030
	utf16le := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	utf16be := unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
	rows := "P1,郑伟伟,physician,D1,H1\nP2,李娜,nurse,D1,H1\n"
	tests := []struct {
		name  string
		data  func(t *testing.T) string
		names []string
		notes []string
	}{
		{"UTF-8", func(*testing.T) string { return hcpsHead + rows },
			[]string{"郑伟伟", "李娜"}, []string{"hcps.csv: read as UTF-8"}},
		{"UTF-8 with BOM", func(*testing.T) string { return "\xEF\xBB\xBF" + hcpsHead + rows },
			[]string{"郑伟伟", "李娜"}, []string{"hcps.csv: read as UTF-8 (with a byte order mark)"}},
		{"a UTF-8 byte order mark decides, though the bytes read as GB18030 too", func(t *testing.T) string {
			return "\xEF\xBB\xBF" + encode(t, gbk, hcpsHead+"P1,郑伟伟,physician,D1,H1\nP2,Li,nurse,D1,H1\n")
		}, []string{"֣ΰΰ", "Li"}, []string{"hcps.csv: read as UTF-8 (with a byte order mark)"}},
		{"GBK as Excel on Chinese Windows saves CSV", func(t *testing.T) string { return encode(t, gbk, hcpsHead+rows) },
			[]string{"郑伟伟", "李娜"}, []string{"hcps.csv: read as GB18030"}},
		// D6A3 CEB0 CEB0 is valid UTF-8 ("֣ΰΰ"): it must not be read so.
		{"GBK whose bytes are valid UTF-8", func(t *testing.T) string {
			return encode(t, gbk, hcpsHead+"P1,郑伟伟,physician,D1,H1\nP2,Li,nurse,D1,H1\n")
		}, []string{"郑伟伟", "Li"}, []string{"hcps.csv: read as GB18030 (its bytes are also valid UTF-8"}},
		{"GB18030 four-byte characters", func(t *testing.T) string {
			return encode(t, gbk, hcpsHead+"P1,𠀀伟,physician,D1,H1\nP2,李娜,nurse,D1,H1\n")
		},
			[]string{"𠀀伟", "李娜"}, []string{"read as GB18030"}},
		{"UTF-16LE Unicode text (tabs)", func(t *testing.T) string {
			return encode(t, utf16le, strings.ReplaceAll(hcpsHead+rows, ",", "\t"))
		}, []string{"郑伟伟", "李娜"}, []string{"hcps.csv: read as UTF-16LE", "hcps.csv: columns separated by tabs"}},
		{"UTF-16BE", func(t *testing.T) string { return encode(t, utf16be, hcpsHead+rows) },
			[]string{"郑伟伟", "李娜"}, []string{"hcps.csv: read as UTF-16BE"}},
		{"UTF-8 Cyrillic stays UTF-8", func(*testing.T) string {
			return hcpsHead + "P1,Иван Петров,physician,D1,H1\nP2,Мария,nurse,D1,H1\n"
		}, []string{"Иван Петров", "Мария"}, []string{"hcps.csv: read as UTF-8"}},
		{"UTF-8 Chinese and Cyrillic stay UTF-8", func(*testing.T) string {
			return hcpsHead + "P1,王伟,physician,D1,H1\nP2,Иван Петров,nurse,D1,H1\n"
		}, []string{"王伟", "Иван Петров"}, []string{"hcps.csv: read as UTF-8"}},
		{"UTF-8 Latin, pinyin and Greek stay UTF-8", func(*testing.T) string {
			return hcpsHead + "P1,José Müller,physician,D1,H1\nP2,Wáng Wěi β,nurse,D1,H1\n"
		}, []string{"José Müller", "Wáng Wěi β"}, []string{"hcps.csv: read as UTF-8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			names, notes := readNotes(t, map[string]*string{seedfile.HCPsFile: s(tt.data(t))})
			if strings.Join(names, "|") != strings.Join(tt.names, "|") {
				t.Errorf("names: got %q, want %q", names, tt.names)
			}
			for _, w := range tt.notes {
				if !hasNote(notes, w) {
					t.Errorf("no note %q in %q", w, notes)
				}
			}
		})
	}
}

// TestEncodingProblems checks that a file that cannot be decoded gets one
// problem naming the encoding and the fix, not one per cell, and that
// text damaged by an earlier decoding (U+FFFD) is refused where it is.
func TestEncodingProblems(t *testing.T) {
	gbkRow := func(t *testing.T) string {
		return encode(t, simplifiedchinese.GB18030, "P2,李娜,nurse,D1,H1\n")
	}
	tests := []struct {
		name string
		data func(t *testing.T) string
		want kolgraph.Problem
	}{
		{"mixed UTF-8 and GBK", func(t *testing.T) string {
			return hcpsHead + "P1,王伟,physician,D1,H1\n" + gbkRow(t) + "P3,张敏,nurse,D1,H1\n"
		}, kolgraph.Problem{File: "hcps.csv", Line: 3, Message: "mixes two encodings: line 2 is UTF-8 text but line 3 is not"}},
		{"GBK that is valid UTF-8 inside a UTF-8 file", func(t *testing.T) string {
			gbk := encode(t, simplifiedchinese.GB18030, "P2,郑伟伟,nurse,D1,H1\n")
			return hcpsHead + "P1,王伟,physician,D1,H1\n" + gbk
		}, kolgraph.Problem{File: "hcps.csv", Line: 3, Message: `line 2 is UTF-8 text but line 3 reads as "֣ΰΰ"`}},
		{"neither UTF-8 nor GB18030", func(*testing.T) string {
			return hcpsHead + strings.Repeat("P1,\xFF\xFF,physician,D1,H1\n", 50)
		}, kolgraph.Problem{File: "hcps.csv", Line: 2, Message: "is neither UTF-8 nor GB18030"}},
		{"UTF-8 BOM then GBK", func(t *testing.T) string { return "\xEF\xBB\xBF" + hcpsHead + gbkRow(t) },
			kolgraph.Problem{File: "hcps.csv", Line: 2, Message: "starts with a UTF-8 byte order mark but line 2 is not UTF-8"}},
		{"unpaired UTF-16 surrogate", func(*testing.T) string { return "\xFF\xFEi\x00d\x00\x00\xD8\n\x00" },
			kolgraph.Problem{File: "hcps.csv", Line: 1, Message: "is not valid UTF-16LE"}},
		{"replacement character", func(*testing.T) string { return hcpsHead + "P1,王\uFFFD,physician,D1,H1\nP2,李娜,nurse,D1,H1\n" },
			kolgraph.Problem{File: "hcps.csv", Line: 2, Field: "name", Message: "U+FFFD"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problems(t, files(map[string]*string{seedfile.HCPsFile: s(tt.data(t))}), seedfile.ReadOptions{})
			if len(got) != 1 {
				t.Fatalf("got %d problems, want 1:\n%s", len(got), list(got))
			}
			g, w := got[0], tt.want
			if g.File != w.File || g.Line != w.Line || g.Field != w.Field || !strings.Contains(g.Message, w.Message) {
				t.Errorf("got %v, want %v", g, w)
			}
			if w.Field == "" && !strings.Contains(g.Message, "CSV UTF-8") {
				t.Errorf("%q does not say how to fix it", g.Message)
			}
		})
	}
}

// TestGBKNamesOfTheSeed writes the seed's HCP names alone in a GBK
// hcps.csv (the hard case: a short file, and some names' bytes are valid
// UTF-8; all of those, a tenth of the others) and in a UTF-8 one: each
// must read back as written.
func TestGBKNamesOfTheSeed(t *testing.T) {
	cs, err := seedfile.Read(seed.FS)
	if err != nil {
		t.Fatal(err)
	}
	validUTF8 := 0
	for i, h := range cs.HCPs {
		text := hcpsHead + "P1," + h.Name + ",physician,D1,H1\nP2,Li,nurse,D1,H1\n"
		gbk := encode(t, simplifiedchinese.GB18030, text)
		if utf8.ValidString(gbk) {
			validUTF8++
		} else if i%10 != 0 {
			continue // every hard case, and a tenth of the others
		}
		for enc, data := range map[string]string{"GB18030": gbk, "UTF-8": text} {
			got, err := seedfile.Read(fstest.MapFS{
				seedfile.HospitalsFile:   {Data: []byte("id,name,tier\nH1,Hospital,3A\n")},
				seedfile.DepartmentsFile: {Data: []byte("id,hospital_id,name,specialty\nD1,H1,Cardiology,cardiology\n")},
				seedfile.HCPsFile:        {Data: []byte(data)},
			})
			if err != nil || got.HCPs[0].Name != h.Name {
				t.Errorf("%s in %s: got %v, %v", h.Name, enc, err, got)
			}
		}
	}
	if validUTF8 == 0 {
		t.Errorf("no name's GBK bytes are valid UTF-8: the test does not test the hard case")
	}
	t.Logf("%d of %d names are valid UTF-8 in GBK", validUTF8, len(cs.HCPs))
}

// TestLargeFileEncodings: a file over the in-memory window is decided by a
// first pass (and a third read for the GB18030 reading) and reads the same.
func TestLargeFileEncodings(t *testing.T) {
	var b strings.Builder
	b.WriteString(hcpsHead)
	for i := range 45000 { // about 1.3 MB
		fmt.Fprintf(&b, "P%06d,郑伟伟,physician,D1,H1\n", i)
	}
	for _, tt := range []struct{ enc, data string }{
		{"UTF-8", b.String()},
		{"GB18030", encode(t, simplifiedchinese.GB18030, b.String())},
	} {
		t.Run(tt.enc, func(t *testing.T) {
			if len(tt.data) <= 1<<20 {
				t.Fatalf("the file is %d bytes, not over the window", len(tt.data))
			}
			cs, ns, err := seedfile.ReadWithNotes(fstest.MapFS{
				seedfile.HospitalsFile:   {Data: []byte("id,name,tier\nH1,Hospital,3A\n")},
				seedfile.DepartmentsFile: {Data: []byte("id,hospital_id,name,specialty\nD1,H1,Cardiology,cardiology\n")},
				seedfile.HCPsFile:        {Data: []byte(tt.data)},
			}, seedfile.ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(cs.HCPs) != 45000 || cs.HCPs[44999].Name != "郑伟伟" {
				t.Errorf("got %d HCPs, the last %+v", len(cs.HCPs), cs.HCPs[len(cs.HCPs)-1])
			}
			if !slices.ContainsFunc(ns, func(n seedfile.Note) bool {
				return n.String() == "hcps.csv: read as "+tt.enc ||
					strings.HasPrefix(n.String(), "hcps.csv: read as "+tt.enc+" (")
			}) {
				t.Errorf("notes %v do not say %s", ns, tt.enc)
			}
		})
	}
}
