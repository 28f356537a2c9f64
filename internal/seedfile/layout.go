package seedfile

import (
	"bufio"
	"strings"
	"unicode"
)

// separator finds the separator of a file from its header line: the most
// frequent of comma, semicolon (Excel where the decimal mark is a comma)
// and tab (Excel's "Unicode text"), outside quotes; comma when there is
// none. A separator other than comma is noted.
func (p *parser) separator(file string, br *bufio.Reader) rune {
	head, _ := br.Peek(br.Size())
	counts := map[rune]int{}
	quoted := false
	for _, c := range string(head) {
		if c == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if c == '\n' {
			break
		}
		counts[c]++
	}
	sep, name := ',', ""
	if counts[';'] > counts[sep] {
		sep, name = ';', "semicolons"
	}
	if counts['\t'] > counts[sep] {
		sep, name = '\t', "tabs"
	}
	if name != "" {
		p.note(file, NoteLayout, "columns separated by %s", name)
	}
	return sep
}

// headerName is a header cell as the format names columns: trimmed of
// spaces (also full-width ones) and byte order marks, lower case.
func headerName(s string) string {
	return strings.ToLower(strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' }))
}

// blankRecord reports a record whose cells are all blank: the ",,,," rows
// a spreadsheet leaves below (or between) the data.
func blankRecord(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
