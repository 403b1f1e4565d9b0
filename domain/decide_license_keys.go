package domain

import (
	"strings"
	"time"
)

// CreateOwnKey creates an activation key from a project balance, to pass
// licenses to another company or to move them between projects. The caller
// generates the code. Refusals in order: project-not-found, the caller's
// right, invalid-text (code, order number, order reference, comment),
// invalid-lines/unknown-license-type/invalid-version/invalid-quantity,
// invalid-key-code, key-exists, balance-insufficient.
type CreateOwnKey struct {
	Project        ProjectID
	Code           string
	Lines          []Line
	Comment        string
	OrderNumber    string
	OrderReference string
}

// CommandType implements Command.
func (CreateOwnKey) CommandType() string { return "CreateOwnKey" }

func (c CreateOwnKey) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	p, err := s.ownProject(by, c.Project)
	if err != nil {
		return nil, err
	}
	if err := checkKeyTexts(c.Code, c.OrderNumber, c.OrderReference, c.Comment); err != nil {
		return nil, err
	}
	lines, err := s.checkLines(c.Lines)
	if err != nil {
		return nil, err
	}
	if len(c.Code) < 5 {
		return nil, Errorf(KindInvalid, "invalid-key-code", "an activation key code has at least 5 characters")
	}
	if _, dup := s.Keys[c.Code]; dup {
		return nil, Errorf(KindConflict, "key-exists", "an activation key with this code exists")
	}
	if err := checkCovered(p, lines); err != nil {
		return nil, err
	}
	return []Event{KeyIssued{Code: c.Code, Lines: lines, FromProject: p.ID, OrderNumber: strings.TrimSpace(c.OrderNumber),
		OrderReference: strings.TrimSpace(c.OrderReference), Comment: strings.TrimSpace(c.Comment)}}, nil
}

// UpdateKey changes an own key while it is not redeemed: Delta adds units
// (taken from the source project's balance) or removes them (e.g. -2,
// given back to it); nil texts stay as they are. Refusals in order:
// key-not-found, not-own-key, the caller's right, key-already-redeemed,
// invalid-text, unknown-license-type/invalid-version/invalid-quantity,
// key-quantity-negative, key-empty, balance-insufficient.
type UpdateKey struct {
	Code           string
	Delta          []Line
	Comment        *string
	OrderNumber    *string
	OrderReference *string
}

// CommandType implements Command.
func (UpdateKey) CommandType() string { return "UpdateKey" }

func (c UpdateKey) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	k, p, err := s.ownKey(by, c.Code)
	if err != nil {
		return nil, err
	}
	if err := checkKeyTexts("", optional(c.OrderNumber), optional(c.OrderReference), optional(c.Comment)); err != nil {
		return nil, err
	}
	delta, err := s.checkDelta(c.Delta)
	if err != nil {
		return nil, err
	}
	after := Balance{}
	after.Add(k.Lines, +1)
	after.Add(delta, +1)
	for it, q := range after {
		if q < 0 {
			return nil, Errorf(KindRejected, "key-quantity-negative", "the change removes more units of %s than the key holds", it)
		}
	}
	if len(after.Lines()) == 0 {
		return nil, Errorf(KindRejected, "key-empty", "a key keeps at least one unit; delete it instead")
	}
	if err := checkCovered(p, positive(delta)); err != nil {
		return nil, err
	}
	e := KeyUpdated{Code: k.Code, Project: p.ID, Delta: delta, Comment: k.Comment, OrderNumber: k.OrderNumber, OrderReference: k.OrderReference}
	setIf(&e.Comment, c.Comment)
	setIf(&e.OrderNumber, c.OrderNumber)
	setIf(&e.OrderReference, c.OrderReference)
	return []Event{e}, nil
}

// DeleteKey deletes an own key while it is not redeemed; its licenses go
// to the balance of RefundTo (the portal's current project; 0: the project
// the key came from), which must belong to the same company. Refusals in
// order: key-not-found, not-own-key, the caller's right,
// key-already-redeemed, project-not-found, project-not-in-company.
type DeleteKey struct {
	Code     string
	RefundTo ProjectID
}

// CommandType implements Command.
func (DeleteKey) CommandType() string { return "DeleteKey" }

func (c DeleteKey) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	k, p, err := s.ownKey(by, c.Code)
	if err != nil {
		return nil, err
	}
	to := p
	if c.RefundTo != 0 && c.RefundTo != p.ID {
		if to, err = s.project(c.RefundTo); err != nil {
			return nil, err
		}
		if to.Company != p.Company {
			return nil, errNotInCompany(to.ID)
		}
	}
	return []Event{KeyDeleted{Code: k.Code, Project: to.ID, Lines: k.Lines}}, nil
}

// ownKey finds an unredeemed own key the caller may change.
func (s *State) ownKey(by Principal, code string) (*Key, *Project, error) {
	k, ok := s.Keys[strings.TrimSpace(code)]
	if !ok || k.Deleted {
		return nil, nil, ErrKeyNotFound
	}
	if k.FromProject == 0 {
		return nil, nil, Errorf(KindRejected, "not-own-key", "vendor keys cannot be changed")
	}
	p, err := s.ownProject(by, k.FromProject)
	if err != nil {
		return nil, nil, err
	}
	if k.RedeemedInto != 0 {
		return nil, nil, Errorf(KindRejected, ErrKeyRedeemed.Code, "a redeemed key cannot be changed")
	}
	return k, p, nil
}

// ownProject returns a project of the caller's own company it may work
// with licenses in. Unlike licenseProject it is closed to external grants:
// keys are never created from an external project's balance.
func (s *State) ownProject(by Principal, id ProjectID) (*Project, error) {
	if err := s.CanEditProject(by, id); err != nil {
		return nil, err
	}
	return s.project(id)
}

// checkDelta validates signed key changes and merges them per item.
func (s *State) checkDelta(in []Line) ([]Line, error) {
	if len(in) > MaxKeyLines {
		return nil, Errorf(KindInvalid, "invalid-lines", "at most %d lines", MaxKeyLines)
	}
	sum := Balance{}
	for _, l := range in {
		if err := s.Catalog.CheckItem(l.Item); err != nil {
			return nil, err
		}
		if l.Quantity == 0 || l.Quantity > 1_000_000 || l.Quantity < -1_000_000 {
			return nil, Errorf(KindInvalid, "invalid-quantity", "change of %s must be -1000000..1000000 and not 0", l.Item)
		}
		sum[l.Item] += l.Quantity
	}
	return sum.Lines(), nil
}

// checkCovered refuses lines the project's balance does not hold.
func checkCovered(p *Project, lines []Line) error {
	for _, l := range lines {
		if have := p.Balance[l.Item]; have < l.Quantity {
			return Errorf(KindRejected, "balance-insufficient", "project %d holds %d of %s, %d needed", p.ID, have, l.Item, l.Quantity)
		}
	}
	return nil
}

func positive(ls []Line) []Line {
	var out []Line
	for _, l := range ls {
		if l.Quantity > 0 {
			out = append(out, l)
		}
	}
	return out
}

func setIf(dst *string, v *string) {
	if v != nil {
		*dst = strings.TrimSpace(*v)
	}
}
