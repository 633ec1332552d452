package received

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ParseDate reads an RFC 5322 date-time (§3.3), including the obsolete
// forms of §4.3 (two- and three-digit years, named zones such as EST or
// GMT, missing seconds, comments between the parts), the fractional
// seconds some servers add, and the Go default format SendGrid writes
// ("2018-12-10 11:43:59.61 +0000 UTC m=+555016.72"). The whole of s must be
// the date, apart from comments. A date without a time zone, with a day that
// does not exist, or with any other part out of range is rejected rather
// than guessed: a wrong time is worse than none.
func ParseDate(s string) (time.Time, bool) {
	r := parseDateAt(s)
	if !r.ok {
		return time.Time{}, false
	}
	rest := dateScanner{s: s, p: r.end}
	rest.skipCFWS()
	if rest.p != len(s) {
		return time.Time{}, false
	}
	return r.t, true
}

// dateResult is what parseDateAt found: the time, where the date ended in
// the input, and remarks for the hop.
type dateResult struct {
	t         time.Time
	ok        bool
	end       int      // offset just after the date (and its zone comment)
	why       string   // why the date was rejected
	notes     []string // lenient readings that do not change the time
	anomalies []string // readings the investigator must know about
}

// maxDateComment bounds the comment scanned after a zone ("(PST)"): longer
// ones are not zone names and are left for the hop's comments.
const maxDateComment = 12

// parseDateAt reads a date from the start of s and reports where it ended,
// so that text a server put after the date (Courier writes "id …" there)
// can still be read as clauses.
func parseDateAt(s string) dateResult {
	d := &dateScanner{s: s}
	d.skipCFWS()
	if d.isISO() {
		return d.iso()
	}
	r := dateResult{}
	dow := -1
	day, month, year := 0, time.Month(0), 0
	yearText := ""
	if w := d.peekWord(); w != "" {
		if wd, ok := dayName(w); ok {
			d.p += len(w)
			dow = wd
			d.skipCFWS()
			if d.peek() == ',' {
				d.p++
			}
			d.skipCFWS()
		}
	}
	if w := d.peekWord(); w != "" {
		m, ok := monthName(w)
		if !ok {
			return r.fail(fmt.Sprintf("%q is not a day or a month name", clip(w, 20)))
		}
		// "Apr 21 2018 03:01:04 +0000": month first, as some Windows
		// mailers write. Not RFC 5322, but unambiguous.
		d.p += len(w)
		month = m
		d.skipCFWS()
		n, ok := d.digits(1, 2)
		if !ok {
			return r.fail("no day of the month after " + w)
		}
		day = n
		if d.asctime() {
			// "Sun Nov 13 14:50:12 2005", C's asctime(): it carries no
			// zone, so the moment it names is unknown.
			return r.fail("it is in the C asctime form, which has no time zone, so the moment it names is unknown")
		}
		r.notes = append(r.notes, "the date puts the month before the day, which RFC 5322 §3.3 does not allow; it was read as written")
	}
	if month == 0 {
		n, ok := d.digits(1, 2)
		if !ok {
			return r.fail("no day of the month")
		}
		day = n
		d.skipCFWS()
		w := d.peekWord()
		m, ok := monthName(w)
		if !ok {
			return r.fail("no month name after the day")
		}
		d.p += len(w)
		month = m
	}
	d.skipCFWS()
	start := d.p
	y, ok := d.digits(2, 4)
	if !ok {
		return r.fail("no year")
	}
	yearText = s[start:d.p]
	year = y
	switch len(yearText) {
	case 2:
		// RFC 5322 §4.3: 00-49 are 2000-2049, 50-99 are 1950-1999.
		if year < 50 {
			year += 2000
		} else {
			year += 1900
		}
		r.notes = append(r.notes, fmt.Sprintf("the year is written with two digits (%s), an obsolete form RFC 5321 §4.4 forbids in Received; it was read as %d (RFC 5322 §4.3)", yearText, year))
	case 3:
		year += 1900
		r.notes = append(r.notes, fmt.Sprintf("the year is written with three digits (%s); it was read as %d (RFC 5322 §4.3)", yearText, year))
	}
	d.skipCFWS()
	hour, ok := d.digits(1, 2)
	if !ok || d.peek() != ':' {
		return r.fail("no time of day")
	}
	d.p++
	minute, ok := d.digits(1, 2)
	if !ok {
		return r.fail("no minutes in the time of day")
	}
	sec, nsec := 0, 0
	if d.peek() == ':' {
		d.p++
		if sec, ok = d.digits(1, 2); !ok {
			return r.fail("no seconds after the second colon")
		}
		if d.peek() == '.' {
			d.p++
			if nsec, ok = d.fraction(); !ok {
				return r.fail("no digits after the decimal point of the seconds")
			}
		}
	}
	off, ok := d.zone(&r)
	if !ok {
		return r
	}
	d.zoneTrailer()
	return r.build(year, month, day, hour, minute, sec, nsec, off, dow, d.p)
}

// fail records why the date was rejected.
func (r dateResult) fail(why string) dateResult {
	r.ok = false
	r.why = why
	return r
}

// build checks the parts and makes the time. RFC 5322 §3.3 requires the
// date to be semantically valid; time.Date would silently roll "30 Feb"
// into March, so every range is checked first.
func (r dateResult) build(year int, month time.Month, day, hour, minute, sec, nsec, off, dow, end int) dateResult {
	switch {
	case year < 1900 || year > 9999:
		return r.fail(fmt.Sprintf("the year %d is outside 1900-9999 (RFC 5322 §3.3)", year))
	case day < 1 || day > daysIn(month, year):
		return r.fail(fmt.Sprintf("%s %d has no day %d", month, year, day))
	case hour > 23:
		return r.fail(fmt.Sprintf("the hour %d is out of range", hour))
	case minute > 59:
		return r.fail(fmt.Sprintf("the minute %d is out of range", minute))
	case sec > 60:
		return r.fail(fmt.Sprintf("the second %d is out of range", sec))
	}
	r.t = time.Date(year, month, day, hour, minute, sec, nsec, time.FixedZone("", off))
	r.ok = true
	r.end = end
	if dow >= 0 && time.Weekday(dow) != r.t.Weekday() {
		r.anomalies = append(r.anomalies, fmt.Sprintf("the date says %s, but %d %s %d was a %s: mail servers write the weekday from their clock, so the date was probably typed or made up (RFC 5322 §3.3)", time.Weekday(dow), day, month, year, r.t.Weekday()))
	}
	return r
}

func daysIn(m time.Month, year int) int {
	if m < time.January || m > time.December {
		return 0
	}
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// namedZone gives the offset in hours of the obsolete named zones RFC 5322
// §4.3 gives a meaning to (and UTC, which it does not name but means the
// same as UT).
func namedZone(up string) (int, bool) {
	switch up {
	case "UT", "GMT", "UTC", "Z":
		return 0, true
	case "EDT":
		return -4, true
	case "EST", "CDT":
		return -5, true
	case "CST", "MDT":
		return -6, true
	case "MST", "PDT":
		return -7, true
	case "PST":
		return -8, true
	}
	return 0, false
}

// zone reads "+hhmm", "-hhmm" or a zone name and returns the offset in
// seconds east of UTC.
func (d *dateScanner) zone(r *dateResult) (int, bool) {
	d.skipCFWS()
	c := d.peek()
	if c == '+' || c == '-' {
		d.p++
		start := d.p
		v, ok := d.digits(4, 4)
		if !ok {
			// "+hh:mm", as some RFC 3339-minded software writes.
			d.p = start
			h, ok1 := d.digits(2, 2)
			if ok1 && d.peek() == ':' {
				d.p++
				m, ok2 := d.digits(2, 2)
				if ok2 {
					v, ok = h*100+m, true
				}
			}
			if !ok {
				*r = r.fail("the time zone after " + string(c) + " is not four digits")
				return 0, false
			}
		}
		h, m := v/100, v%100
		if m > 59 || h > 23 {
			*r = r.fail(fmt.Sprintf("the time zone %c%04d is out of range (RFC 5322 §3.3)", c, v))
			return 0, false
		}
		off := h*3600 + m*60
		if c == '-' {
			off = -off
		}
		return off, true
	}
	w := d.peekWord()
	if w == "" {
		*r = r.fail("no time zone, so the moment it names is unknown")
		return 0, false
	}
	d.p += len(w)
	up := strings.ToUpper(w)
	if h, ok := namedZone(up); ok {
		if h != 0 {
			r.notes = append(r.notes, fmt.Sprintf("the named zone %s is an obsolete form, read as %+03d00 (RFC 5322 §4.3)", up, h))
		}
		return h * 3600, true
	}
	if len(up) == 1 {
		r.anomalies = append(r.anomalies, fmt.Sprintf("the military time zone %q has no reliable meaning; the time was read as UTC (RFC 5322 §4.3), so it may be off by up to 12 hours", w))
		return 0, true
	}
	if len(up) > 6 {
		*r = r.fail(fmt.Sprintf("%q is not a time zone", clip(w, 20)))
		return 0, false
	}
	r.anomalies = append(r.anomalies, fmt.Sprintf("the time zone %q is not one RFC 5322 defines; the time was read as UTC (RFC 5322 §4.3), so it may be off by hours", w))
	return 0, true
}

// zoneTrailer consumes what servers write after a numeric zone to name it:
// "(PST)", "UTC", and Go's monotonic clock reading "m=+555016.72".
func (d *dateScanner) zoneTrailer() {
	save := d.p
	d.skipSpace()
	if d.peek() == '(' {
		end := strings.IndexByte(d.s[d.p:], ')')
		if end > 0 && end <= maxDateComment && !strings.ContainsAny(d.s[d.p+1:d.p+end], "( ") {
			d.p += end + 1
			save = d.p
		}
	}
	d.skipSpace()
	if w := d.peekWord(); len(w) >= 2 && len(w) <= 5 && w == strings.ToUpper(w) && w != "ID" {
		d.p += len(w)
		save = d.p
		d.skipSpace()
	}
	if strings.HasPrefix(d.s[d.p:], "m=") {
		d.p += 2
		for d.p < len(d.s) && (d.s[d.p] == '+' || d.s[d.p] == '-' || d.s[d.p] == '.' || d.s[d.p] >= '0' && d.s[d.p] <= '9') {
			d.p++
		}
		save = d.p
	}
	d.p = save
}

// asctime reports whether a time of day follows (after spaces) where the
// year should be, as in asctime's "Nov 13 14:50:12 2005". It does not move
// the scanner.
func (d *dateScanner) asctime() bool {
	i := d.p
	for i < len(d.s) && isSpace(d.s[i]) {
		i++
	}
	j := i
	for j < len(d.s) && j-i < 3 && d.s[j] >= '0' && d.s[j] <= '9' {
		j++
	}
	return j > i && j < len(d.s) && d.s[j] == ':'
}

// isISO reports whether the date starts "YYYY-", the Go and RFC 3339 forms.
func (d *dateScanner) isISO() bool {
	s := d.s[d.p:]
	return len(s) >= 10 && allDigits(s[:4]) && s[4] == '-'
}

// iso reads "2018-12-10 11:43:59.61 +0000 UTC m=+555016.72" (Go's
// time.Time.String) and "2018-12-10T11:43:59Z" (RFC 3339).
func (d *dateScanner) iso() dateResult {
	r := dateResult{}
	year, _ := d.digits(4, 4)
	d.p++ // '-'
	month, ok := d.digits(1, 2)
	if !ok || d.peek() != '-' {
		return r.fail("no month in the numeric date")
	}
	d.p++
	day, ok := d.digits(1, 2)
	if !ok {
		return r.fail("no day in the numeric date")
	}
	if c := d.peek(); c == 'T' || c == 't' {
		d.p++
	} else {
		d.skipSpace()
	}
	hour, ok := d.digits(1, 2)
	if !ok || d.peek() != ':' {
		return r.fail("no time of day")
	}
	d.p++
	minute, ok := d.digits(2, 2)
	if !ok || d.peek() != ':' {
		return r.fail("no minutes and seconds")
	}
	d.p++
	sec, ok := d.digits(2, 2)
	if !ok {
		return r.fail("no seconds")
	}
	nsec := 0
	if d.peek() == '.' {
		d.p++
		if nsec, ok = d.fraction(); !ok {
			return r.fail("no digits after the decimal point of the seconds")
		}
	}
	off := 0
	d.skipSpace()
	if c := d.peek(); c == 'Z' || c == 'z' {
		d.p++
	} else if off, ok = d.zone(&r); !ok {
		return r
	}
	d.zoneTrailer()
	if month < 1 || month > 12 {
		return r.fail(fmt.Sprintf("there is no month %d", month))
	}
	r.notes = append(r.notes, "the date is written in a numeric format (as Go's time.Time.String prints it), not the RFC 5322 §3.3 form; it was read as written")
	return r.build(year, time.Month(month), day, hour, minute, sec, nsec, off, -1, d.p)
}

// dateScanner walks a date string. Every method advances p and never moves
// it back further than it started, so a date parse is linear in the input.
type dateScanner struct {
	s string
	p int
}

func (d *dateScanner) peek() byte {
	if d.p < len(d.s) {
		return d.s[d.p]
	}
	return 0
}

func (d *dateScanner) skipSpace() {
	for d.p < len(d.s) && isSpace(d.s[d.p]) {
		d.p++
	}
}

// skipCFWS skips folding white space and comments (RFC 5322 §3.2.2),
// nested ones included.
func (d *dateScanner) skipCFWS() {
	for {
		d.skipSpace()
		if d.peek() != '(' {
			return
		}
		d.p = skipComment(d.s, d.p)
	}
}

// peekWord returns the run of ASCII letters at p without consuming it.
func (d *dateScanner) peekWord() string {
	i := d.p
	for i < len(d.s) && (d.s[i] >= 'a' && d.s[i] <= 'z' || d.s[i] >= 'A' && d.s[i] <= 'Z') {
		i++
	}
	return d.s[d.p:i]
}

// digits reads between min and max decimal digits.
func (d *dateScanner) digits(min, max int) (int, bool) {
	i, v := d.p, 0
	for i < len(d.s) && i-d.p < max && d.s[i] >= '0' && d.s[i] <= '9' {
		v = v*10 + int(d.s[i]-'0')
		i++
	}
	if i-d.p < min || (i < len(d.s) && d.s[i] >= '0' && d.s[i] <= '9') {
		return 0, false
	}
	d.p = i
	return v, true
}

// fraction reads the digits after a decimal point as nanoseconds; digits
// past the ninth are dropped.
func (d *dateScanner) fraction() (int, bool) {
	start, v, n := d.p, 0, 0
	for d.p < len(d.s) && d.s[d.p] >= '0' && d.s[d.p] <= '9' {
		if n < 9 {
			v = v*10 + int(d.s[d.p]-'0')
			n++
		}
		d.p++
	}
	if d.p == start {
		return 0, false
	}
	for ; n < 9; n++ {
		v *= 10
	}
	return v, true
}

var dayNames = [...]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// dayName accepts the RFC 5322 three-letter names and, leniently, the full
// ones ("Saturday").
func dayName(w string) (int, bool) {
	lw := strings.ToLower(w)
	for i, n := range dayNames {
		if lw == n[:3] || lw == n || (len(lw) == 4 && lw == n[:4]) {
			return i, true
		}
	}
	return 0, false
}

var monthNames = [...]string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}

// monthName accepts the three-letter names and, leniently, the full ones.
func monthName(w string) (time.Month, bool) {
	lw := strings.ToLower(w)
	for i, n := range monthNames {
		if lw == n[:3] || lw == n || (lw == "sept" && n == "september") {
			return time.Month(i + 1), true
		}
	}
	return 0, false
}

// skipComment returns the offset just after the comment that starts at
// s[p] == '(', honouring nesting and quoted-pairs; an unclosed comment runs
// to the end.
func skipComment(s string, p int) int {
	end, _ := commentEnd(s, p)
	return end
}

// commentEnd is skipComment that also says whether the comment was closed.
func commentEnd(s string, p int) (int, bool) {
	depth := 0
	for p < len(s) {
		switch s[p] {
		case '\\':
			p++
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return p + 1, true
			}
		}
		p++
	}
	return len(s), false
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// clip shortens s for a sentence, marking the cut, without splitting a
// UTF-8 sequence.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
