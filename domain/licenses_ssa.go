package domain

import "time"

// ssaEndOnBind validates the SSA end date asked for lines bound from a
// balance: it must lie in the future, as an SSA that is already over
// covers nothing. The SSA engine prices and charges it: BindLicenses calls
// SSAOnArrival after the binding, which gives the new lines the asked date
// (under automatic SSA: the project's, mandatory) and debits (or, under
// automatic SSA, invoices) their SSC.
func (s *State) ssaEndOnBind(_ *Project, asked string, now time.Time) (string, error) {
	if asked == "" {
		return "", nil
	}
	d, err := parseDate("ssa_end", asked)
	if err != nil {
		return "", err
	}
	if !d.After(now) {
		return "", Errorf(KindInvalid, "invalid-ssa-end", "an SSA end date must lie in the future")
	}
	return d.Format(time.DateOnly), nil
}
