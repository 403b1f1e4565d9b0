package domain

import (
	"strings"
	"time"
)

// MaxKeyLines bounds the lines of one activation key.
const MaxKeyLines = 100

// IssueKey is the vendor issuing an activation key. The caller generates
// the code (it is a bearer secret: whoever holds it may redeem it).
type IssueKey struct {
	Code           string
	Lines          []Line
	OrderNumber    string
	OrderReference string
	Comment        string
}

// CommandType implements Command.
func (IssueKey) CommandType() string { return "IssueKey" }

func (c IssueKey) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if !by.Vendor {
		return nil, ErrVendorOnly
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
	return []Event{KeyIssued{Code: c.Code, Lines: lines, OrderNumber: strings.TrimSpace(c.OrderNumber),
		OrderReference: strings.TrimSpace(c.OrderReference), Comment: strings.TrimSpace(c.Comment)}}, nil
}

// checkKeyTexts refuses (invalid-text) a key code, order number, order
// reference or comment that is not valid text or too long. Absent texts
// are empty.
func checkKeyTexts(code, orderNumber, orderReference, comment string) error {
	return checkTexts(line("code", code, MaxDeviceSelector), line("order_number", strings.TrimSpace(orderNumber), MaxOrderNumber),
		line("order_reference", strings.TrimSpace(orderReference), MaxOrderNumber),
		lines("comment", strings.TrimSpace(comment), MaxComment))
}

// checkLines validates key lines against the catalog and merges lines of
// the same item, so a key holds each item once.
func (s *State) checkLines(in []Line) ([]Line, error) {
	if len(in) == 0 || len(in) > MaxKeyLines {
		return nil, Errorf(KindInvalid, "invalid-lines", "a key holds 1 to %d lines", MaxKeyLines)
	}
	sum := Balance{}
	for _, l := range in {
		if err := s.Catalog.CheckItem(l.Item); err != nil {
			return nil, err
		}
		if l.Quantity <= 0 || l.Quantity > 1_000_000 {
			return nil, Errorf(KindInvalid, "invalid-quantity", "quantity of %s must be 1..1000000", l.Item)
		}
		sum[l.Item] += l.Quantity
	}
	return sum.Lines(), nil
}

// RedeemKey puts a key's licenses into a project balance, once per key,
// ever. Needs the Administrator or Licenses right in the project's company.
type RedeemKey struct {
	Code    string
	Project ProjectID
	Comment string
}

// CommandType implements Command.
func (RedeemKey) CommandType() string { return "RedeemKey" }

func (c RedeemKey) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	p, err := s.project(c.Project)
	if err != nil {
		return nil, err
	}
	if err := s.CanLicense(by, p.Company); err != nil {
		return nil, err
	}
	if err := CheckText("comment", strings.TrimSpace(c.Comment), MultiLine, MaxComment); err != nil {
		return nil, err
	}
	k, ok := s.Keys[strings.TrimSpace(c.Code)]
	if !ok || k.Deleted {
		return nil, ErrKeyNotFound
	}
	if k.RedeemedInto != 0 {
		return nil, ErrKeyRedeemed
	}
	return []Event{KeyRedeemed{Code: k.Code, Project: p.ID, Company: p.Company, Lines: k.Lines,
		Comment: strings.TrimSpace(c.Comment)}}, nil
}
