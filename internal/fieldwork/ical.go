package fieldwork

import (
	"fmt"
	"io"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/kolgraph/kolgraph/internal/labels"
)

// ProdID is the calendar's PRODID.
const ProdID = "-//kolgraph//Call plan//EN"

// WriteICS writes a KAM's planned visits as an iCalendar (RFC 5545) file
// that Outlook, WeCom and phone calendars import: one all-day VEVENT per
// visit (DTSTART;VALUE=DATE, DTEND the day after, TRANSP TRANSPARENT so
// the day is not shown busy), with
//   - UID "<account>-<yyyymmdd>-<kam>@kolgraph": stable, so importing a
//     newer plan updates the same visits instead of doubling them;
//   - DTSTAMP now (the caller's clock), in UTC;
//   - SUMMARY "拜访 王伟 · A" or "Visit 王伟 · A" by lang;
//   - DESCRIPTION the hospital, department, cadence and contact, and the
//     days overdue when the visit catches up an overdue account;
//   - CATEGORIES the segment.
//
// The calendar is named (X-WR-CALNAME) for the KAM, kamName. Text is
// escaped and long lines folded at 75 octets by github.com/arran4/golang-
// ical; lines end in CRLF as the RFC requires.
func WriteICS(w io.Writer, lang labels.Lang, kamName string, visits []Visit, now time.Time) error {
	lang = langOf(lang)
	cal := ics.NewCalendar()
	cal.SetProductId(ProdID)
	cal.SetMethod(ics.MethodPublish)
	cal.SetCalscale("GREGORIAN")
	name := t(lang, "Call plan")
	if kamName != "" {
		name += " · " + kamName
	}
	cal.SetXWRCalName(text(name))
	for _, v := range visits {
		day, err := time.Parse(time.DateOnly, v.Date)
		if err != nil {
			return fmt.Errorf("ics: visit of %s on %q: %w", v.Account.ID, v.Date, err)
		}
		e := cal.AddEvent(UID(v))
		e.SetDtStampTime(now)
		e.SetAllDayStartAt(day)
		e.SetAllDayEndAt(day.AddDate(0, 0, 1))
		e.SetProperty(ics.ComponentPropertyTransp, string(ics.TransparencyTransparent))
		e.SetSummary(text(fmt.Sprintf("%s %s · %s", t(lang, "Visit"), v.Account.Name, v.Account.Segment)))
		e.SetDescription(text(description(lang, v)))
		if v.Account.Segment != "" {
			e.AddCategory(string(v.Account.Segment))
		}
	}
	return cal.SerializeTo(w, ics.WithNewLineWindows)
}

// UID is a visit's stable calendar id: account, date and KAM at kolgraph.
func UID(v Visit) string {
	return v.Account.ID + "-" + strings.ReplaceAll(v.Date, "-", "") + "-" + v.KAMID + "@kolgraph"
}

// description says where the visit is, what kind of contact it is and how
// overdue the account is, one item a line.
func description(lang labels.Lang, v Visit) string {
	a := v.Account
	sep := ": "
	if lang == labels.ZH {
		sep = "："
	}
	var lines []string
	add := func(k, val string) {
		if val != "" {
			lines = append(lines, t(lang, k)+sep+val)
		}
	}
	add("Hospital", a.HospitalName)
	add("Department", a.DepartmentName)
	cad := t(lang, a.Cadence.Label)
	if a.Cadence.ContactLabel != "" {
		cad += " · " + t(lang, a.Cadence.ContactLabel)
	}
	add("Cadence", cad)
	if v.DaysOverdue > 0 {
		add("Overdue", overdueDays(lang, v.DaysOverdue))
	}
	return strings.Join(lines, "\n")
}

func overdueDays(lang labels.Lang, n int) string {
	if lang == labels.ZH {
		return fmt.Sprintf("%d天", n)
	}
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// text makes every line break a newline: the library escapes "\n" but
// would write a lone CR raw, which ends the property early.
func text(s string) string {
	return strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s)
}
