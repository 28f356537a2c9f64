package importer_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/importer"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/writer"
)

// zeros is an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// rezip rewrites the workbook xlsx: parts replace or add entries, each
// written by its function (streamed, so a test never holds what it packs).
func rezip(t *testing.T, xlsx []byte, parts map[string]func(io.Writer) error) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if _, replaced := parts[f.Name]; replaced {
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	for name, write := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := write(w); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestWorkbookBombs: a workbook under the import limit never costs more
// than the limit (issue 20: a 0.9 MB workbook whose picture unpacked to
// 900 MB held 2.8 GB; 900 MB of blank rows took 185 s on the server).
func TestWorkbookBombs(t *testing.T) {
	base := workbook(t, map[string][][]any{"influences": {{"from", "to", "weight", "kind"}, {"P001", "P002", 0.5, "mentor"}}})
	const limit = 1 << 20 // unpacked parts: at most 16 MiB
	run := func(t *testing.T, data []byte) (*importer.Result, error) {
		s := store(t)
		svc := &importer.Service{Store: s, Writer: writer.New(s, nil), Opts: importer.Options{MaxBytes: limit}}
		if len(data) > limit {
			t.Fatalf("the workbook is %d bytes, over the limit: it would not test a bomb", len(data))
		}
		return svc.Import(t.Context(), "U01", importer.XLSX, []importer.File{{Name: "bomb.xlsx", Data: data}}, true)
	}

	t.Run("a picture that unpacks to 256 MiB is never unpacked", func(t *testing.T) {
		data := rezip(t, base, map[string]func(io.Writer) error{
			"xl/media/image1.png": func(w io.Writer) error { _, err := io.CopyN(w, zeros{}, 256<<20); return err },
		})
		res, err := run(t, data)
		if err != nil {
			t.Fatalf("a workbook with a large picture: %v", err)
		}
		if got := *res.Counts[kolgraph.KindInfluences]; got.Updated+got.Created+got.Unchanged != 1 {
			t.Errorf("influences: %+v", got)
		}
	})

	t.Run("a sheet that unpacks beyond the limit is refused before it is read", func(t *testing.T) {
		data := rezip(t, base, map[string]func(io.Writer) error{
			"xl/worksheets/sheet1.xml": func(w io.Writer) error {
				if _, err := io.WriteString(w, `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`); err != nil {
					return err
				}
				_, err := io.CopyN(w, zeros{}, 64<<20)
				return err
			},
		})
		_, err := run(t, data)
		if ps := problems(t, err); len(ps) != 1 || !strings.Contains(ps[0].Message, "unpacks to more than") || !strings.Contains(ps[0].Message, "sheet1.xml") {
			t.Errorf("got %v", ps)
		}
	})

	t.Run("blank rows past Excel's last row are refused", func(t *testing.T) {
		data := rezip(t, base, map[string]func(io.Writer) error{
			"xl/worksheets/sheet1.xml": func(w io.Writer) error {
				var b strings.Builder
				b.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
				b.WriteString(`<row r="1"><c r="A1" t="inlineStr"><is><t>from</t></is></c><c r="B1" t="inlineStr"><is><t>to</t></is></c>` +
					`<c r="C1" t="inlineStr"><is><t>weight</t></is></c><c r="D1" t="inlineStr"><is><t>kind</t></is></c></row>`)
				b.WriteString(`<row r="5000000"/></sheetData></worksheet>`)
				_, err := io.WriteString(w, b.String())
				return err
			},
		})
		_, err := run(t, data)
		if ps := problems(t, err); len(ps) != 1 || !strings.Contains(ps[0].Message, "more than Excel allows") {
			t.Errorf("got %v", ps)
		}
	})

	t.Run("reading stops at the deadline", func(t *testing.T) {
		// 15 MiB of empty cells: under every limit, and work a deadline
		// must cut short rather than wait for.
		data := rezip(t, base, map[string]func(io.Writer) error{
			"xl/worksheets/sheet1.xml": func(w io.Writer) error {
				if _, err := io.WriteString(w, `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`); err != nil {
					return err
				}
				row := `<row>` + strings.Repeat(`<c/>`, 1000) + `</row>`
				for range (15 << 20) / len(row) {
					if _, err := io.WriteString(w, row); err != nil {
						return err
					}
				}
				_, err := io.WriteString(w, `</sheetData></worksheet>`)
				return err
			},
		})
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, _, err := importer.Read(ctx, importer.XLSX, []importer.File{{Name: "bomb.xlsx", Data: data}}, nil, importer.Options{MaxBytes: limit})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("a cancelled import of a blank-cell bomb: got %v, want context.Canceled", err)
		}
	})
}
