package domain

// Licenses arriving in an SSA project — bound from a balance or the free
// pool, on devices moved in, or in a project joined into it — get the
// project's SSA end and their SSC are paid by the same calculation as the
// Software Service page. Under automatic SSA the date is the project's and
// cannot be changed, and the SSC are invoiced (no balance debit).

// Arrival describes license lines arriving in a project.
type Arrival struct {
	// Cause names the operation: "bind", "move" or "join".
	Cause string
	// Lines are the arriving license lines by device. Lines that are not
	// SSA lines (rental, test, types without an SSC value) are skipped.
	Lines map[MAC][]LicenseLine
	// Fresh: the lines are bound by this very operation, so an SSA end they
	// carry is the one being bought, not one already paid.
	Fresh bool
	// Asked is another SSA end for these lines (zero: the project's).
	Asked Day
	// Optional: SSA is the caller's choice (bindings, where the portal
	// offers it per license): without Asked the lines stay as they are,
	// unless the project is under automatic SSA, where it is mandatory.
	// Moves and joins into an SSA project always extend.
	Optional bool
	// OptOut lists line ids that get no SSA.
	OptOut []int64
	// Available is the SSC the balance can pay from; in a join, both
	// projects' SSC (the joined balance moves in first).
	Available int64
	OnCredit  bool
	Order     string
}

// SSAOnArrival returns the events that give arriving lines the SSA end of
// project p and settle their SSC: pre events go before the arrival's own
// (a CreditPurchased), post events after it (LinesSSAExtended, which sets
// the ends once the lines are there, and SSCInvoiced under automatic SSA).
//
// Nothing happens when the project has no SSA end, or when it is over and
// no other end was asked, or for an Optional arrival without an asked end
// outside automatic SSA. Refusals, in order: ssa-end-fixed (another end
// asked under automatic SSA), auto-ssa-all-licenses (an opt-out under
// automatic SSA), invalid-ssa-end (an asked end before today),
// the calculator's refusals, balance-insufficient, no-credit-right.
func (s *State) SSAOnArrival(by Principal, p *Project, a Arrival, today Day) (pre, post []Event, err error) {
	end, _ := ParseDay(p.SSAEnd)
	switch {
	case p.AutoSSA && !a.Asked.IsZero() && a.Asked != end:
		return nil, nil, Errorf(KindRejected, "ssa-end-fixed",
			"project %d is under automatic SSA: its SSA end %s cannot be changed here", p.ID, end)
	case p.AutoSSA && len(a.OptOut) > 0:
		return nil, nil, Errorf(KindRejected, "auto-ssa-all-licenses",
			"project %d is under automatic SSA: every license must be under SSA", p.ID)
	case !a.Asked.IsZero() && a.Asked < today:
		return nil, nil, Errorf(KindInvalid, "invalid-ssa-end", "an SSA end date must not lie in the past")
	case !a.Asked.IsZero():
		end = a.Asked
	}
	if end.IsZero() || end < today || a.Optional && a.Asked.IsZero() && !p.AutoSSA {
		return nil, nil, nil
	}
	lines, ids := s.arrivingLines(p.ID, a)
	if len(lines) == 0 {
		return nil, nil, nil
	}
	cq, err := s.Catalog.QuoteSSC(lines, today, end)
	if err != nil {
		return nil, nil, err
	}
	pay, pre, post, err := s.settleSSC(by, p, a.Available, cq.Total, cq.Exact, a.OnCredit, a.Order, a.Cause, today)
	if err != nil {
		return nil, nil, err
	}
	ext := LinesSSAExtended{Project: p.ID, Company: p.Company, Person: by.Person, Cause: a.Cause, End: end, CalcDate: today,
		Exact: cq.Exact, Total: cq.Total, Payment: pay}
	if pay == PayCredit {
		ext.OrderNumber = a.Order
	}
	for i, l := range cq.Lines {
		id := ids[i]
		id.SSCLineQuote = l
		ext.Lines = append(ext.Lines, id)
	}
	return pre, append([]Event{ext}, post...), nil
}

// arrivingLines turns the arriving SSA lines into calculator input, by MAC
// and in line order.
func (s *State) arrivingLines(p ProjectID, a Arrival) ([]SSCLine, []SSALine) {
	optOut := map[int64]bool{}
	for _, id := range a.OptOut {
		optOut[id] = true
	}
	var lines []SSCLine
	var ids []SSALine
	for _, m := range SortedMACs(a.Lines) {
		for _, l := range a.Lines[m] {
			pl, ok := s.ssaLine(p, m, l)
			if !ok {
				continue
			}
			if a.Fresh {
				pl.line.SSAEnd = 0
			}
			pl.line.OptOut = optOut[l.ID]
			lines, ids = append(lines, pl.line), append(ids, pl.id)
		}
	}
	return lines, ids
}

// devicesLines lists the license lines of devices, for an Arrival of
// devices moved or joined into a project.
func (s *State) devicesLines(macs []MAC) map[MAC][]LicenseLine {
	out := map[MAC][]LicenseLine{}
	for _, m := range macs {
		if d, ok := s.Devices[m]; ok && len(d.Licenses) > 0 {
			out[m] = d.Licenses
		}
	}
	return out
}

// projectDevices lists the devices a company placed in a project.
func (s *State) projectDevices(p *Project) []MAC {
	var out []MAC
	for _, m := range SortedMACs(s.Devices) {
		if pl, ok := s.Devices[m].In[p.Company]; ok && pl.Project == p.ID {
			out = append(out, m)
		}
	}
	return out
}

// SSAOnJoin returns the SSA events of joining project a into project into:
// a's devices' lines get into's SSA end, paid from both balances (or
// invoiced under automatic SSA). The join event goes between pre and post.
func (s *State) SSAOnJoin(by Principal, a, into *Project, today Day) (pre, post []Event, err error) {
	return s.SSAOnArrival(by, into, Arrival{Cause: "join", Lines: s.devicesLines(s.projectDevices(a)),
		Available: max(0, a.Balance[sscItem]) + max(0, into.Balance[sscItem])}, today)
}

// SSAOnMove returns the SSA events of moving devices into project to.
func (s *State) SSAOnMove(by Principal, to *Project, macs []MAC, asked Day, onCredit bool, order string,
	today Day) (pre, post []Event, err error) {
	return s.SSAOnArrival(by, to, Arrival{Cause: "move", Lines: s.devicesLines(macs), Asked: asked,
		Available: to.Balance[sscItem], OnCredit: onCredit, Order: order}, today)
}
