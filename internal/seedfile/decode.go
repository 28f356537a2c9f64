package seedfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encodings a file can be read as, as the notes name them.
const (
	EncodingUTF8    = "UTF-8"
	EncodingGB18030 = "GB18030"
	EncodingUTF16LE = "UTF-16LE"
	EncodingUTF16BE = "UTF-16BE"
)

// Signatures of files that are not CSV at all.
var (
	magicZip = []byte("PK\x03\x04")                       // XLSX (any zip)
	magicOLE = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") // .xls (BIFF in an OLE2 container)
	bomUTF8  = []byte("\xEF\xBB\xBF")
	bomLE    = []byte("\xFF\xFE")
	bomBE    = []byte("\xFE\xFF")
)

// saveAs is the fix every encoding problem names.
const saveAs = `save it as "CSV UTF-8 (逗号分隔)" in Excel or WPS and import that`

// XLSNotSupported says how to convert an Excel 97-2003 workbook; the
// importer uses it for .xls files given as workbooks too.
const XLSNotSupported = "is an Excel 97-2003 workbook (.xls), which kolgraph does not read; " +
	"open it in Excel or WPS and save it as .xlsx (Excel Workbook), or each sheet as CSV UTF-8"

// XLSXAsCSV says that a workbook was sent where CSV was expected.
const XLSXAsCSV = "is an XLSX workbook, not a CSV file; import it as .xlsx " +
	"(kolgraph import -file region.xlsx, or importRegion with format XLSX)"

// sniffWindow is how much of a file is held to decide its encoding from
// memory; a larger file is read twice (a first pass decides).
const sniffWindow = 1 << 20

// sniffed is what the first pass over a file found: how to decode it, or
// the one problem that stops it from being read.
type sniffed struct {
	enc    string
	skip   int    // bytes of byte order mark to skip
	detail string // said after "read as ENC" in the note, if not ""

	problem string // the file cannot be decoded: the whole message
	line    int    // where the problem shows first, 0 if nowhere in particular
}

// decoder wraps r, positioned after the BOM, to produce UTF-8.
func (s sniffed) decoder(r io.Reader) io.Reader {
	switch s.enc {
	case EncodingGB18030:
		return transform.NewReader(r, simplifiedchinese.GB18030.NewDecoder())
	case EncodingUTF16LE:
		return transform.NewReader(r, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder())
	case EncodingUTF16BE:
		return transform.NewReader(r, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder())
	}
	return r
}

// sniff reads a whole file (of about size bytes) once to decide its
// encoding. A byte order mark decides (UTF-8, UTF-16); otherwise the bytes
// must be valid UTF-8 or valid GB18030 (of which GBK, what Chinese Windows
// and WPS save as "CSV", is a subset).
//
// Some GBK text is also valid UTF-8 (郑伟伟 is D6A3 CEB0 CEB0, which UTF-8
// reads as "֣ΰΰ"). Such a file is read as GB18030 when its UTF-8 reading
// holds characters a Chinese region's file does not (Hebrew accents,
// Armenian, rare Greek, ...; see plausible), more of them than
// Chinese characters, its GB18030 reading holds fewer, and it has no byte
// 0x80-0xA0 (UTF-8 text has them; GB2312, the common part of GBK, never
// does); otherwise as UTF-8. A file that is neither, or has lines of both
// (a line of UTF-8 Chinese and one of GB2312-shaped bytes that reads as
// odd characters only), is refused with one problem. O(bytes).
//
// again, if not nil, reads the file again from its start; the GB18030
// reading is then done only when the UTF-8 one does not decide (most
// files), else it runs alongside.
func sniff(r io.Reader, size int, again func() io.Reader) (sniffed, error) {
	br := bufio.NewReaderSize(r, min(max(size, 16), 64<<10))
	head, err := br.Peek(8)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return sniffed{}, err
	}
	switch {
	case bytes.HasPrefix(head, magicZip):
		return sniffed{problem: XLSXAsCSV}, nil
	case bytes.HasPrefix(head, magicOLE):
		return sniffed{problem: XLSNotSupported}, nil
	case bytes.HasPrefix(head, bomUTF8):
		s, err := sniffBytes(br, 3, again)
		switch {
		case err != nil || s.problem != "" || s.enc == EncodingUTF8:
		case s.line == 0:
			// Valid UTF-8 that also reads as GB18030: the mark decides.
			s = sniffed{enc: EncodingUTF8}
		default:
			// A UTF-8 mark before bytes that are not UTF-8: mixed.
			s = sniffed{problem: fmt.Sprintf("starts with a UTF-8 byte order mark but line %d is not UTF-8; %s", s.line, saveAs), line: s.line}
		}
		s.skip = 3
		if s.problem == "" {
			s.detail = "with a byte order mark"
		}
		return s, err
	case bytes.HasPrefix(head, bomLE):
		return sniffUTF16(br, EncodingUTF16LE, 2)
	case bytes.HasPrefix(head, bomBE):
		return sniffUTF16(br, EncodingUTF16BE, 2)
	case len(head) >= 4 && head[0] != 0 && head[1] == 0 && head[2] != 0 && head[3] == 0:
		return sniffUTF16(br, EncodingUTF16LE, 0)
	case len(head) >= 4 && head[0] == 0 && head[1] != 0 && head[2] == 0 && head[3] != 0:
		return sniffUTF16(br, EncodingUTF16BE, 0)
	}
	return sniffBytes(br, 0, again)
}

// sniffUTF16 checks that the rest of r decodes as UTF-16 (no unpaired
// surrogate, an even length).
func sniffUTF16(br *bufio.Reader, enc string, skip int) (sniffed, error) {
	if _, err := br.Discard(skip); err != nil {
		return sniffed{}, err
	}
	s := sniffed{enc: enc, skip: skip}
	if skip == 0 {
		s.detail = "without a byte order mark"
	}
	dec := bufio.NewReader(s.decoder(br))
	line := 1
	for {
		r, _, err := dec.ReadRune()
		if errors.Is(err, io.EOF) {
			return s, nil
		}
		if err != nil {
			return sniffed{}, err
		}
		switch r {
		case '\n':
			line++
		case utf8.RuneError:
			return sniffed{problem: fmt.Sprintf("is not valid %s text (line %d); %s", enc, line, saveAs), line: line}, nil
		}
	}
}

// sniffBytes classifies the rest of br as UTF-8, GB18030 or neither.
func sniffBytes(br *bufio.Reader, skip int, again func() io.Reader) (sniffed, error) {
	if _, err := br.Discard(skip); err != nil {
		return sniffed{}, err
	}
	u := &utf8Scan{line: 1}
	g := &gbScan{}
	gw := transform.NewWriter(g, simplifiedchinese.GB18030.NewDecoder())
	var alongside io.Writer = io.Discard
	if again == nil {
		alongside = gw
	}
	buf := make([]byte, br.Size())
	var carry []byte
	for {
		n, err := br.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if len(carry) > 0 { // a rune split between reads
				chunk = append(carry, chunk...)
			}
			carry = append([]byte(nil), u.scan(chunk, false)...)
			if _, werr := alongside.Write(buf[:n]); werr != nil {
				return sniffed{}, werr
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return sniffed{}, err
		}
	}
	u.scan(carry, true)
	u.endLine()
	if again != nil && (!u.valid || (u.odd > 0 && u.han < u.odd && !u.low)) {
		r := again()
		if _, err := io.CopyN(io.Discard, r, int64(skip)); err != nil {
			return sniffed{}, err
		}
		if _, err := io.Copy(gw, r); err != nil {
			return sniffed{}, err
		}
	}
	if err := gw.Close(); err != nil {
		return sniffed{}, err
	}

	switch {
	case u.valid && u.utf8Line > 0 && u.gbkLine > 0:
		// UTF-8 Chinese, and a line that reads as nothing but odd
		// characters: GBK text pasted into a UTF-8 file.
		return sniffed{line: u.gbkLine, problem: fmt.Sprintf(
			"mixes two encodings: line %d is UTF-8 text but line %d reads as %q, which looks like GBK text read as UTF-8; %s",
			u.utf8Line, u.gbkLine, u.gbkSample, saveAs)}, nil
	case u.valid && (u.nonASCII == 0 || g.bad > 0 || u.odd == 0 || u.han >= u.odd || u.odd <= g.odd || u.low):
		return sniffed{enc: EncodingUTF8}, nil
	case u.valid:
		return sniffed{enc: EncodingGB18030, detail: fmt.Sprintf(
			"its bytes are also valid UTF-8, but read so they would say %q", u.sample)}, nil
	case u.utf8Line > 0 && u.badLine > 0:
		return sniffed{line: u.badLine, problem: fmt.Sprintf(
			"mixes two encodings: line %d is UTF-8 text but line %d is not (GBK or another encoding?); %s",
			u.utf8Line, u.badLine, saveAs)}, nil
	case g.bad == 0:
		return sniffed{enc: EncodingGB18030, line: u.badLine}, nil
	}
	return sniffed{line: u.badLine, problem: fmt.Sprintf(
		"is neither UTF-8 nor GB18030 (GBK) text: line %d has bytes that are not a character in either "+
			"(is it Big5, Latin-1 or a binary file?); %s", u.badLine, saveAs)}, nil
}

// utf8Scan follows a byte stream as UTF-8.
type utf8Scan struct {
	valid    bool
	started  bool
	line     int
	nonASCII int // runes
	odd      int // non-ASCII runes that are not plausible
	han      int // Chinese characters
	sample   string

	// low marks bytes 0x80-0xA0, which UTF-8 has (continuation bytes) and
	// GB2312, the common characters of GBK, never has.
	low, lineLow bool

	lineBad, lineCJK, lineOdd bool
	lineOdds                  int    // odd runes of the line
	lineSample                string // its first odd runes
	badLine                   int    // first line with a byte that is not UTF-8
	utf8Line                  int    // first line that is UTF-8 with Chinese text and nothing odd
	gbkLine                   int    // first line with odd runes and no Chinese text
	gbkSample                 string
}

// scan reads b and returns the incomplete rune at its end, if more is to
// come (!atEOF).
func (u *utf8Scan) scan(b []byte, atEOF bool) []byte {
	if !u.started {
		u.started, u.valid = true, true
	}
	for i := 0; i < len(b); {
		if c := b[i]; c < utf8.RuneSelf {
			// An ASCII stretch at once: count its lines, end the current.
			j := i + 1
			for j < len(b) && b[j] < utf8.RuneSelf {
				j++
			}
			if n := bytes.Count(b[i:j], []byte{'\n'}); n > 0 {
				u.endLine()
				u.line += n
			}
			i = j
			continue
		}
		c := b[i]
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			if !atEOF && !utf8.FullRune(b[i:]) {
				return b[i:]
			}
			if c <= 0xA0 {
				u.low, u.lineLow = true, true
			}
			u.valid, u.lineBad = false, true
			i++
			continue
		}
		u.nonASCII++
		for _, c := range b[i : i+size] {
			if c <= 0xA0 {
				u.low, u.lineLow = true, true
			}
		}
		if !plausible(r) {
			u.odd++
			u.lineOdd = true
			u.lineOdds++
			if utf8.RuneCountInString(u.lineSample) < 8 {
				u.lineSample += string(r)
			}
		}
		if isHan(r) {
			u.lineCJK = true
			u.han++
		}
		if utf8.RuneCountInString(u.sample) < 8 {
			u.sample += string(r)
		}
		i += size
	}
	return nil
}

func (u *utf8Scan) endLine() {
	switch {
	case u.lineBad:
		if u.badLine == 0 {
			u.badLine = u.line
		}
	case u.lineCJK && !u.lineOdd:
		if u.utf8Line == 0 {
			u.utf8Line = u.line
		}
	case !u.lineCJK && !u.lineLow && u.lineOdds >= 2:
		if u.gbkLine == 0 {
			u.gbkLine, u.gbkSample = u.line, u.lineSample
		}
	}
	u.lineBad, u.lineCJK, u.lineOdd, u.lineOdds, u.lineSample, u.lineLow = false, false, false, 0, "", false
}

// gbScan receives the GB18030 decoding of a stream (valid UTF-8, whole
// runes per Write) and counts what does not decode.
type gbScan struct {
	bad int // U+FFFD: bytes that are not GB18030
	odd int
}

func (g *gbScan) Write(b []byte) (int, error) {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		i += size
		switch {
		case r < utf8.RuneSelf:
		case r == utf8.RuneError:
			g.bad++
		case !plausible(r):
			g.odd++
		}
	}
	return len(b), nil
}

// isHan reports Chinese characters (CJK Unified Ideographs and extension
// A, compatibility ideographs).
func isHan(r rune) bool {
	return (0x4E00 <= r && r <= 0x9FFF) || (0x3400 <= r && r <= 0x4DBF) || (0xF900 <= r && r <= 0xFAFF)
}

// plausible reports non-ASCII characters a Chinese region's file holds:
// Chinese characters and punctuation, full-width forms, Latin-1 (é, ×, °,
// µ) and the letters of pinyin with tones, typographic punctuation (“” — …), letterlike symbols and number forms
// (℃, №, Ⅱ), circled numbers, basic shapes, the euro sign, and the basic
// Greek letters of medicine (α, β, γ, ...). GBK text misread as UTF-8 gives
// others: the rest of Latin Extended, IPA, combining marks, accented Greek, Cyrillic,
// Armenian, Hebrew, Arabic.
func plausible(r rune) bool {
	switch {
	case isHan(r),
		0x3000 <= r && r <= 0x303F, // CJK symbols and punctuation
		0xFF00 <= r && r <= 0xFFEF, // full-width and half-width forms
		0x2E80 <= r && r <= 0x2FDF, // radicals
		0x00A0 <= r && r <= 0x017F, // Latin-1, Latin Extended-A (pinyin ā ě ī ō ū)
		0x01CD <= r && r <= 0x01DC, // pinyin ǎ ǐ ǒ ǔ ǖ ǘ ǚ ǜ
		0x2000 <= r && r <= 0x206F, // general punctuation
		0x2100 <= r && r <= 0x21FF, // letterlike, number forms, arrows
		0x2460 <= r && r <= 0x24FF, // enclosed alphanumerics
		0x25A0 <= r && r <= 0x25FF, // geometric shapes
		r == 0x20AC,
		0x0391 <= r && r <= 0x03A9, 0x03B1 <= r && r <= 0x03C9: // Α-Ω, α-ω
		return true
	}
	return false
}
