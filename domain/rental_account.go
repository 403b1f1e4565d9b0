package domain

import (
	"time"

	"github.com/shopspring/decimal"
)

// The arithmetic of software rental (docs/rental.md). A domain's monthly
// cost accrues per UTC calendar day: day k of an n-day month costs the
// month's share up to day k minus its share up to day k-1, each share
// rounded half up to ISCPlaces decimals. So every day costs about
// monthly/n, and a whole month costs exactly the monthly cost, whatever
// its length, with no rounding drift.

// ISCPlaces is the precision of iSC amounts: ten-thousandths.
const ISCPlaces = 4

// rentalHorizon is the latest rental end the ledger computes, the last day
// a command can name (2262-04-11): a balance that covers beyond it is
// shown as covering up to it.
const rentalHorizon = LastDay

var (
	decimalOne = decimal.NewFromInt(1)
	// maxRentalMonths bounds the whole months an end date jumps over, so
	// the calendar arithmetic stays below the horizon.
	maxRentalMonths = decimal.NewFromInt(12 * 300)
)

// daysInMonth is the length of month m of year y.
func daysInMonth(y int, m time.Month) int { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }

// monthShare is the part of monthly cost m accrued by the end of day k of
// an n-day month, rounded half up to ISCPlaces.
func monthShare(m decimal.Decimal, k, n int) decimal.Decimal {
	return m.Mul(decimal.NewFromInt(int64(k))).DivRound(decimal.NewFromInt(int64(n)), ISCPlaces)
}

// DayCost is the iSC a monthly cost m accrues on day d.
func DayCost(m decimal.Decimal, d Day) decimal.Decimal {
	y, mo, k := d.Time().Date()
	n := daysInMonth(y, mo)
	return monthShare(m, k, n).Sub(monthShare(m, k-1, n))
}

// CostOfDays is what the days from..to (inclusive) cost at monthly cost m.
func CostOfDays(m decimal.Decimal, from, to Day) decimal.Decimal {
	sum := decimal.Zero
	for d := from; d <= to; d++ {
		sum = sum.Add(DayCost(m, d))
	}
	return sum
}

// CoveredThrough is the last day e such that the days from..e cost at
// most avail at the positive monthly cost m: from-1 when not even day
// from is covered, rentalHorizon at most.
func CoveredThrough(m, avail decimal.Decimal, from Day) Day {
	if !m.IsPositive() {
		return rentalHorizon
	}
	y, mo, k := from.Time().Date()
	n := daysInMonth(y, mo)
	base := monthShare(m, k-1, n)
	rest := m.Sub(base) // the days k..n of from's month
	if avail.LessThan(rest) {
		j := lastCovered(m, avail.Add(base), k-1, n)
		return from + Day(j-k)
	}
	avail = avail.Sub(rest)
	months := avail.Div(m).Floor()
	if months.GreaterThan(maxRentalMonths) {
		return rentalHorizon
	}
	avail = avail.Sub(m.Mul(months))
	start := time.Date(y, mo+1+time.Month(months.IntPart()), 1, 0, 0, 0, 0, time.UTC)
	j := lastCovered(m, avail, 0, daysInMonth(start.Year(), start.Month()))
	return min(DayOf(start)+Day(j)-1, rentalHorizon)
}

// lastCovered is the largest k in k0..n whose share of the month, m's
// share up to day k of n, is at most limit (the share up to k0 is).
func lastCovered(m, limit decimal.Decimal, k0, n int) int {
	k := k0
	for k < n && !monthShare(m, k+1, n).GreaterThan(limit) {
		k++
	}
	return k
}

// FormatISC writes whole iSC as a decimal string.
func FormatISC(n int64) string { return decimal.NewFromInt(n).String() }
