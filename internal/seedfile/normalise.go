package seedfile

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// What normalise does to a cell, as the notes say it after "N cells".
const (
	normFullWidth = "with full-width digits or punctuation (１２００，３５％) made half-width"
	normThousands = "with thousands separators (1,200) removed"
	normPercent   = "with percentages made fractions (35% -> 0.35)"
	normDates     = "with dates such as 2024/3/1, 2024.3.1 or 2024年3月1日 written as 2024-03-01"
	normLocalTime = "with times without a time zone read as China time (UTC+08:00, Asia/Shanghai)"
)

// Columns whose cells normalise rewrites; every other cell is text and is
// kept as written.
var (
	numberColumns = map[string]bool{
		"beds": true, "weekly_outpatients": true, "managed_beds": true, "bed_turnover": true,
		"strength": true, "weight": true,
	}
	// shareColumns are numbers in [0,1] (kolgraph's Validate checks them
	// with unit), which may be written as percentages.
	shareColumns = map[string]bool{
		"indication_share": true, "discharge_penetration": true, "drg_enrollment_rate": true,
		"competitor_penetration": true, "policy_sensitivity": true,
	}
	dateColumns = map[string]bool{"since": true}
	timeColumns = map[string]bool{"updated_at": true}
)

// norm is what normalise does to a column's cells, decided once per
// header.
type norm uint8

const (
	normText norm = iota // kept as written
	normNumberCol
	normShareCol
	normDateCol
	normTimeCol
)

func normOf(col string) norm {
	switch {
	case numberColumns[col]:
		return normNumberCol
	case shareColumns[col]:
		return normShareCol
	case dateColumns[col]:
		return normDateCol
	case timeColumns[col]:
		return normTimeCol
	}
	return normText
}

// chinaTime is Asia/Shanghai: UTC+8 without daylight saving since 1991,
// fixed so that no time zone database is needed.
var chinaTime = time.FixedZone("CST", 8*60*60)

var (
	thousandsForm = regexp.MustCompile(`^[+-]?\d{1,3}(,\d{3})+(\.\d+)?%?$`)
	percentForm   = regexp.MustCompile(`^([+-]?)(\d+)(?:\.(\d+))?%$`)
	dateForm      = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`)
	localTimeForm = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?$`)
)

// isDecimal reports a decimal number as strconv writes and spreadsheets
// save them: [+-] digits [. digits] [e[+-]digits], at least one digit
// before the exponent. (A regular expression costs a fifth of reading.)
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// plainCell reports a cell that is ASCII without separators or percent
// signs: nothing for normalise to do in a number column.
func plainCell(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c == ',' || c == '%' {
			return false
		}
	}
	return true
}

// isoDate reports YYYY-MM-DD and RFC 3339-looking times (a date, then T):
// already the format's, left to the readers.
func isoDate(s string) bool {
	return len(s) >= 10 && s[4] == '-' && s[7] == '-' && (len(s) == 10 || s[10] == 'T') && plainCell(s)
}

// normalise rewrites the current record's number, date and time cells
// written in local forms to the format's, counting each kind for the
// file's notes. A cell it cannot make sense of is left as written, for the
// readers to refuse with the text the user typed.
func (r *row) normalise() {
	for i, v := range r.rec {
		n := r.norms[i]
		if n == normText || strings.TrimSpace(v) == "" {
			continue
		}
		var out string
		var did []string
		switch n {
		case normNumberCol, normShareCol:
			if plainCell(v) {
				continue
			}
			out, did = normNumber(v, n == normShareCol)
		case normDateCol, normTimeCol:
			if isoDate(v) {
				continue
			}
			if n == normDateCol {
				out, did = normDate(v)
			} else {
				out, did = normTime(v)
			}
		}
		if did == nil {
			continue
		}
		r.rec[i] = out
		for _, d := range did {
			r.p.normalised(d)
		}
	}
}

// halfWidth maps full-width ASCII forms (U+FF01-FF5E) and the ideographic
// space to ASCII; it reports whether it changed anything.
func halfWidth(s string) (string, bool) {
	changed := false
	out := strings.Map(func(c rune) rune {
		switch {
		case 0xFF01 <= c && c <= 0xFF5E:
			changed = true
			return c - 0xFEE0
		case c == 0x3000:
			changed = true
			return ' '
		}
		return c
	}, s)
	return strings.TrimSpace(out), changed
}

func normNumber(v string, share bool) (string, []string) {
	s, fw := halfWidth(v)
	var did []string
	if fw {
		did = append(did, normFullWidth)
	}
	if thousandsForm.MatchString(s) {
		s = strings.ReplaceAll(s, ",", "")
		did = append(did, normThousands)
	}
	if m := percentForm.FindStringSubmatch(s); m != nil && share {
		s = m[1] + shiftPoint(m[2], m[3])
		did = append(did, normPercent)
	}
	if did == nil || !isDecimal(s) {
		return v, nil // unchanged, or still not a number: refused as typed
	}
	return s, did
}

// shiftPoint divides the decimal intPart.frac by 100 exactly, as text.
func shiftPoint(intPart, frac string) string {
	for len(intPart) < 3 {
		intPart = "0" + intPart
	}
	n := len(intPart) - 2
	out := strings.TrimLeft(intPart[:n], "0")
	if out == "" {
		out = "0"
	}
	return out + "." + intPart[n:] + frac
}

func normDate(v string) (string, []string) {
	s, fw := halfWidth(v)
	m := dateForm.FindStringSubmatch(s)
	if m == nil {
		return v, nil
	}
	d, ok := civilDate(m[1], m[2], m[3])
	if !ok {
		return v, nil
	}
	out := d.Format(time.DateOnly)
	var did []string
	if fw {
		did = append(did, normFullWidth)
	}
	if out != s {
		did = append(did, normDates)
	}
	return out, did
}

func normTime(v string) (string, []string) {
	s, fw := halfWidth(v)
	if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
		if fw {
			return s, []string{normFullWidth}
		}
		return v, nil
	}
	m := localTimeForm.FindStringSubmatch(s)
	if m == nil {
		return v, nil
	}
	d, ok := civilDate(m[1], m[2], m[3])
	if !ok {
		return v, nil
	}
	var hh, mm, ss int
	var nanos time.Duration
	if m[4] != "" {
		hh, _ = strconv.Atoi(m[4])
		mm, _ = strconv.Atoi(m[5])
		if m[6] != "" {
			ss, _ = strconv.Atoi(m[6])
		}
		if m[7] != "" {
			f, _ := strconv.ParseFloat("0"+m[7], 64)
			nanos = time.Duration(f * float64(time.Second))
		}
		if hh > 23 || mm > 59 || ss > 59 {
			return v, nil
		}
	}
	t := time.Date(d.Year(), d.Month(), d.Day(), hh, mm, ss, 0, chinaTime).Add(nanos)
	did := []string{normLocalTime}
	if fw {
		did = append(did, normFullWidth)
	}
	return t.UTC().Format(time.RFC3339Nano), did
}

// civilDate is the date y-m-d if it exists (no 2024-02-30).
func civilDate(y, m, d string) (time.Time, bool) {
	yy, _ := strconv.Atoi(y)
	mm, _ := strconv.Atoi(m)
	dd, _ := strconv.Atoi(d)
	t := time.Date(yy, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	return t, t.Year() == yy && int(t.Month()) == mm && t.Day() == dd
}

// numberProblem says why s, which strconv did not take or took wrongly, is
// not a number the format accepts; col is its column.
func numberProblem(col, s string) string {
	low := strings.ToLower(s)
	switch {
	case low == "true" || low == "false":
		return fmt.Sprintf("is a logical value, not a number (got %q)", s)
	case strings.HasPrefix(strings.TrimLeft(low, "+-"), "0x"):
		return fmt.Sprintf("is a hexadecimal number; write a decimal such as 0.5 (got %q)", s)
	case strings.HasSuffix(s, "%") && !shareColumns[col]:
		return fmt.Sprintf("is a percentage, but %s is not a share; write the number itself (got %q)", col, s)
	case strings.Contains(s, ",") && !thousandsForm.MatchString(s):
		return fmt.Sprintf("is not a number: use . for decimals and write thousands as 1200 or 1,200 (got %q)", s)
	}
	return fmt.Sprintf("is not a finite number (got %q)", s)
}

// underflows reports a decimal whose digits are not all zero but that
// float64 rounds to 0 (1e-400): stored as 0 it would be wrong silently.
func underflows(s string, v float64) bool {
	if v != 0 {
		return false
	}
	mant, _, _ := strings.Cut(strings.ToLower(s), "e")
	return strings.ContainsAny(mant, "123456789")
}
