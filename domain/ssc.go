package domain

import (
	"sort"

	"github.com/shopspring/decimal"
)

// The SSC calculator prices a software service agreement (SSA) for a list of
// license lines: how many SSC (software service credits) it costs to put
// each line under SSA until an end date. It is pure and reads no clock: the
// calculation date is an argument, so a preview for another date, a quote
// over all projects and the confirmed extension all run the same code.
// docs/ssa.md states the rules with the reference's examples.
//
// Rounding, in one place:
//   - days are whole calendar days (UTC), end minus start;
//   - multiplicator = (2 x days twice + days once) / 365, rounded half up
//     to 4 decimals (969/365 = 2.65479... -> 2.6548), and the rounded value
//     is the one multiplied, so a customer can recompute a line from the
//     screen;
//   - line SSC = units x SSC value x multiplicator, exact (no rounding);
//   - total = the exact sum of the lines rounded up to a whole SSC, because
//     the balance holds whole SSC licenses and the sum of the lines must be
//     paid in full (rounding once, on the sum, never charges a line twice).

// SSCDaysPerYear is the divisor of the multiplicator: an SSC value buys 365
// days of service for one unit.
const SSCDaysPerYear = 365

// MaxSSAYears bounds an SSA end date: at most this many years after the
// calculation date. It keeps the maximum-amount search finite and refuses
// typing errors (year 2205) before they cost SSC.
const MaxSSAYears = 10

var (
	daysPerYear = decimal.NewFromInt(SSCDaysPerYear)
	two         = decimal.NewFromInt(2)
)

// SSCLine is one license line to price.
type SSCLine struct {
	// Ref identifies the line for the caller (device and line id); it is
	// echoed in the result and plays no part in the price.
	Ref   string
	Item  Item
	Units int64
	// Bound is the bind date; zero for a license to be bound later, which
	// counts from the calculation date.
	Bound Day
	// SSAEnd is the line's current SSA end; zero if it never had SSA.
	SSAEnd Day
	// Value is the SSC value of the line's type (per unit and 365 days),
	// from the catalog.
	Value decimal.Decimal
	// OptOut leaves the line out: no SSC, no new end.
	OptOut bool
}

// SSCStatus says what the calculation does to a line.
type SSCStatus string

// The statuses of a priced line.
const (
	SSCExtended SSCStatus = "extended" // the line gets the new end and costs SSC
	SSCOptOut   SSCStatus = "opt-out"  // left out by the caller
	SSCCovered  SSCStatus = "covered"  // already under SSA until the end or later
)

// SSCLineQuote is the price of one line. Decimal amounts are strings so that
// an event carrying them compares and hashes the same after a replay.
type SSCLineQuote struct {
	Ref    string `json:"ref,omitempty"`
	Item   Item   `json:"item"`
	Units  int64  `json:"units"`
	Bound  Day    `json:"bound,omitempty"`
	OldEnd Day    `json:"old_end,omitempty"`
	Value  string `json:"ssc_value"`
	// Start is the day the calculation starts from (the portal shows it in
	// the "bind date" column).
	Start     Day `json:"start"`
	DaysTwice int `json:"days_twice"`
	DaysOnce  int `json:"days_once"`
	// Multiplicator has always 4 decimals, as shown by the portal.
	Multiplicator string `json:"multiplicator"`
	// SSC is units x value x multiplicator, exact.
	SSC string `json:"ssc"`
	// NewEnd is the line's SSA end after confirmation; zero: unchanged.
	NewEnd Day       `json:"new_end,omitempty"`
	Status SSCStatus `json:"status"`
}

// SSCQuote is the price of an SSA end date for a list of lines.
type SSCQuote struct {
	CalcDate Day            `json:"calc_date"`
	End      Day            `json:"end"`
	Lines    []SSCLineQuote `json:"lines"`
	// Exact is the sum of the lines' SSC.
	Exact string `json:"exact"`
	// Total is Exact rounded up to a whole SSC: the amount charged.
	Total int64 `json:"total"`
}

// CurrentVersion is the highest version released on or before day d (0 if
// the catalog lists none).
func (c *Catalog) CurrentVersion(d Day) int {
	cur := 0
	for v, r := range c.Releases {
		if rd, err := ParseDay(r); err == nil && rd <= d && v > cur {
			cur = v
		}
	}
	return cur
}

// NextRelease is the release day of the first version after v that has a
// release date: from then on a license of version v is out of date.
func (c *Catalog) NextRelease(v int) (Day, bool) {
	vs := make([]int, 0, len(c.Releases))
	for n := range c.Releases {
		vs = append(vs, n)
	}
	sort.Ints(vs)
	for _, n := range vs {
		if n > v {
			d, err := ParseDay(c.Releases[n])
			return d, err == nil
		}
	}
	return 0, false
}

// SSCStart is the day a line's SSA calculation starts from:
//   - the bind date (the calculation date for a license to be bound later);
//   - for a license of an older version than the current one, the release
//     date of the version after the license's version (reference: a V7
//     license bound 1/1/2010 counts from 7/12/2009, the V8 release);
//   - if the line has an SSA end, that end (pay only the difference; a past
//     end counts twice up to the calculation date) — but never before the
//     version start of the rule above: between an old end and the next
//     release the license needed no service, as a line without SSA shows.
func (c *Catalog) SSCStart(l SSCLine, calc Day) Day {
	start := l.Bound
	if start.IsZero() {
		start = calc
	}
	if l.Item.Version > 0 && l.Item.Version < c.CurrentVersion(calc) {
		if next, ok := c.NextRelease(l.Item.Version); ok {
			start = next
		}
	}
	if !l.SSAEnd.IsZero() && l.SSAEnd > start {
		start = l.SSAEnd
	}
	return start
}

// Multiplicator is days/365 rounded half up to 4 decimals.
func Multiplicator(days int) decimal.Decimal {
	return decimal.NewFromInt(int64(days)).DivRound(daysPerYear, 4)
}

// sscPrepared is a line with its start, computed once per quote.
type sscPrepared struct {
	SSCLine
	start Day
}

// price computes one line for an end date.
func (p sscPrepared) price(calc, end Day) SSCLineQuote {
	q := SSCLineQuote{Ref: p.Ref, Item: p.Item, Units: p.Units, Bound: p.Bound, OldEnd: p.SSAEnd,
		Value: p.Value.String(), Start: p.start, Multiplicator: decimal.Zero.StringFixed(4), SSC: "0"}
	switch {
	case p.OptOut:
		q.Status = SSCOptOut
		return q
	case p.start >= end:
		q.Status = SSCCovered
		return q
	}
	q.DaysTwice = max(0, int(calc-p.start))
	q.DaysOnce = int(end - max(p.start, calc))
	m := Multiplicator(2*q.DaysTwice + q.DaysOnce)
	q.Multiplicator = m.StringFixed(4)
	q.SSC = decimal.NewFromInt(p.Units).Mul(p.Value).Mul(m).String()
	q.NewEnd, q.Status = end, SSCExtended
	return q
}

// exact is the unrounded total for an end date, without building the
// per-line answer (the maximum-amount search calls it repeatedly).
func exactTotal(ps []sscPrepared, calc, end Day) decimal.Decimal {
	sum := decimal.Zero
	for _, p := range ps {
		if p.OptOut || p.start >= end {
			continue
		}
		twice := max(0, int(calc-p.start))
		once := int(end - max(p.start, calc))
		sum = sum.Add(decimal.NewFromInt(p.Units).Mul(p.Value).Mul(Multiplicator(2*twice + once)))
	}
	return sum
}

// charged rounds an exact total up to whole SSC.
func charged(exact decimal.Decimal) int64 { return exact.Ceil().IntPart() }

// prepareSSC checks the lines and computes their starts. Refusals, in this
// order: a line with fewer than one unit (invalid-units) or a negative SSC
// value (invalid-ssc-value).
func (c *Catalog) prepareSSC(lines []SSCLine, calc Day) ([]sscPrepared, error) {
	ps := make([]sscPrepared, len(lines))
	for i, l := range lines {
		if l.Units <= 0 || l.Units > 1_000_000 {
			return nil, Errorf(KindInvalid, "invalid-units", "line %d (%s): units must be 1..1000000", i+1, l.Item)
		}
		if l.Value.IsNegative() {
			return nil, Errorf(KindInvalid, "invalid-ssc-value", "line %d (%s): the SSC value is negative", i+1, l.Item)
		}
		ps[i] = sscPrepared{SSCLine: l, start: c.SSCStart(l, calc)}
	}
	return ps, nil
}

// MaxSSAEnd is the latest SSA end a calculation on day calc accepts.
func MaxSSAEnd(calc Day) Day { return DayOf(calc.Time().AddDate(MaxSSAYears, 0, 0)) }

// QuoteSSC prices the lines for an SSA end date on calculation day calc.
// Refusals, in this order: the lines' checks (prepareSSC), an end before
// the calculation date (ssa-end-before-calculation-date; a past project
// date is a correction the project decider handles without the
// calculator), an end more than MaxSSAYears ahead (ssa-end-too-far).
func (c *Catalog) QuoteSSC(lines []SSCLine, calc, end Day) (SSCQuote, error) {
	ps, err := c.prepareSSC(lines, calc)
	if err != nil {
		return SSCQuote{}, err
	}
	if end < calc {
		return SSCQuote{}, Errorf(KindInvalid, "ssa-end-before-calculation-date",
			"the SSA end %s is before the calculation date %s", end, calc)
	}
	if end > MaxSSAEnd(calc) {
		return SSCQuote{}, Errorf(KindRejected, "ssa-end-too-far",
			"the SSA end %s is more than %d years after %s", end, MaxSSAYears, calc)
	}
	return quote(ps, calc, end), nil
}

func quote(ps []sscPrepared, calc, end Day) SSCQuote {
	q := SSCQuote{CalcDate: calc, End: end, Lines: make([]SSCLineQuote, len(ps))}
	sum := decimal.Zero
	for i, p := range ps {
		q.Lines[i] = p.price(calc, end)
		sum = sum.Add(decimal.RequireFromString(q.Lines[i].SSC))
	}
	q.Exact, q.Total = sum.String(), charged(sum)
	return q
}

// QuoteSSCMax finds the latest end date whose total fits in amount SSC and
// prices the lines for it. The total never falls when the end moves later
// (every line's days grow or stay, rounding is monotone), so a binary
// search over the days from calc to MaxSSAEnd(calc) finds it: the answer's
// total is at most amount, and one day more would exceed it — unless the
// answer is MaxSSAEnd itself. Refusals, in this order: the lines' checks, a
// negative amount (invalid-ssc-amount), an amount below the cost of ending
// today (ssc-amount-too-small: past days counted twice are owed anyway).
func (c *Catalog) QuoteSSCMax(lines []SSCLine, calc Day, amount int64) (SSCQuote, error) {
	ps, err := c.prepareSSC(lines, calc)
	if err != nil {
		return SSCQuote{}, err
	}
	if amount < 0 {
		return SSCQuote{}, Errorf(KindInvalid, "invalid-ssc-amount", "the maximum SSC amount must not be negative")
	}
	fits := func(end Day) bool { return charged(exactTotal(ps, calc, end)) <= amount }
	if !fits(calc) {
		return SSCQuote{}, Errorf(KindRejected, "ssc-amount-too-small",
			"%d SSC do not cover the days already owed (%d SSC)", amount, charged(exactTotal(ps, calc, calc)))
	}
	// Invariant: fits(lo), and hi is past the answer (hi = limit+1 or !fits(hi)).
	lo, hi := calc, MaxSSAEnd(calc)+1
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if fits(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return quote(ps, calc, lo), nil
}
