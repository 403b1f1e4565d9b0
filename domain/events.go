package domain

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Event is a past-tense fact. Its wire name is explicit and stable; it is
// the one name in code, log and API.
type Event interface {
	EventType() string
	// EventTags lists the entities the event touches (company:, project:,
	// device:, key:, person:, domain:), for history and per-entity reads.
	EventTags() []string
}

// Identifiers are small sequential numbers, allocated by the deciders from
// the state, so that replay gives the same ids and the portal can show them
// (project ids appear in interface.php calls).
type (
	PersonID  int64
	CompanyID int64
	ProjectID int64
)

// Tag helpers build the envelope tags.
func (id PersonID) Tag() string  { return "person:" + strconv.FormatInt(int64(id), 10) }
func (id CompanyID) Tag() string { return "company:" + strconv.FormatInt(int64(id), 10) }
func (id ProjectID) Tag() string { return "project:" + strconv.FormatInt(int64(id), 10) }

// KeyTag is the tag of an activation key.
func KeyTag(code string) string { return "key:" + code }

// Wire names of the events. Never change one: add a new type and an upcaster.
const (
	TypePersonRegistered = "PersonRegistered"
	TypeTokenIssued      = "TokenIssued"
	TypeTokenRevoked     = "TokenRevoked"
	TypeCompanyCreated   = "CompanyCreated"
	TypeMemberAdded      = "MemberAdded"
	TypeRightsChanged    = "RightsChanged"
	TypeProjectCreated   = "ProjectCreated"
	TypeKeyIssued        = "ActivationKeyIssued"
	TypeKeyRedeemed      = "ActivationKeyRedeemed"
)

// PersonRegistered: a person exists, with a unique email.
type PersonRegistered struct {
	Person PersonID `json:"person"`
	Email  string   `json:"email"`
	Name   string   `json:"name"`
	Vendor bool     `json:"vendor,omitempty"` // vendor staff (license department)
}

// TokenIssued: a bearer token for a person; only its SHA-256 is kept.
type TokenIssued struct {
	Token  string   `json:"token"` // token id, shown in lists
	Person PersonID `json:"person"`
	Hash   string   `json:"hash"` // hex SHA-256 of the secret
	Label  string   `json:"label,omitempty"`
}

// TokenRevoked: the token no longer authenticates.
type TokenRevoked struct {
	Token  string   `json:"token"`
	Person PersonID `json:"person"`
}

// CompanyCreated: a company exists; its creator becomes Administrator
// (MemberAdded) and its project DEFAULT is created (ProjectCreated).
type CompanyCreated struct {
	Company CompanyID `json:"company"`
	Name    string    `json:"name"`
	Creator PersonID  `json:"creator"`
}

// MemberAdded: a person joined a company with a right.
type MemberAdded struct {
	Company     CompanyID `json:"company"`
	Person      PersonID  `json:"person"`
	Right       Right     `json:"right"`
	BuyOnCredit bool      `json:"buy_on_credit,omitempty"`
}

// RightsChanged: a member's right or buy-on-credit flag changed.
type RightsChanged struct {
	Company     CompanyID `json:"company"`
	Person      PersonID  `json:"person"`
	Right       Right     `json:"right"`
	BuyOnCredit bool      `json:"buy_on_credit,omitempty"`
}

// ProjectCreated: a project of a company.
type ProjectCreated struct {
	Project     ProjectID `json:"project"`
	Company     CompanyID `json:"company"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
}

// KeyIssued: an activation key holding licenses. Vendor keys have no
// source project; own keys are created from a project balance.
type KeyIssued struct {
	Code           string    `json:"code"`
	Lines          []Line    `json:"lines"`
	FromProject    ProjectID `json:"from_project,omitempty"`
	OrderNumber    string    `json:"order_number,omitempty"`
	OrderReference string    `json:"order_reference,omitempty"`
	Comment        string    `json:"comment,omitempty"`
}

// KeyRedeemed: a key's licenses went into a project balance, once, ever.
type KeyRedeemed struct {
	Code    string    `json:"code"`
	Project ProjectID `json:"project"`
	Company CompanyID `json:"company"`
	Lines   []Line    `json:"lines"` // copied from the key, so the event stands alone
	Comment string    `json:"comment,omitempty"`
}

func (PersonRegistered) EventType() string { return TypePersonRegistered }
func (TokenIssued) EventType() string      { return TypeTokenIssued }
func (TokenRevoked) EventType() string     { return TypeTokenRevoked }
func (CompanyCreated) EventType() string   { return TypeCompanyCreated }
func (MemberAdded) EventType() string      { return TypeMemberAdded }
func (RightsChanged) EventType() string    { return TypeRightsChanged }
func (ProjectCreated) EventType() string   { return TypeProjectCreated }
func (KeyIssued) EventType() string        { return TypeKeyIssued }
func (KeyRedeemed) EventType() string      { return TypeKeyRedeemed }

func (e PersonRegistered) EventTags() []string { return []string{e.Person.Tag()} }
func (e TokenIssued) EventTags() []string      { return []string{e.Person.Tag()} }
func (e TokenRevoked) EventTags() []string     { return []string{e.Person.Tag()} }
func (e CompanyCreated) EventTags() []string {
	return []string{e.Company.Tag(), e.Creator.Tag()}
}
func (e MemberAdded) EventTags() []string   { return []string{e.Company.Tag(), e.Person.Tag()} }
func (e RightsChanged) EventTags() []string { return []string{e.Company.Tag(), e.Person.Tag()} }
func (e ProjectCreated) EventTags() []string {
	return []string{e.Company.Tag(), e.Project.Tag()}
}
func (e KeyIssued) EventTags() []string {
	if e.FromProject != 0 {
		return []string{KeyTag(e.Code), e.FromProject.Tag()}
	}
	return []string{KeyTag(e.Code)}
}
func (e KeyRedeemed) EventTags() []string {
	return []string{KeyTag(e.Code), e.Company.Tag(), e.Project.Tag()}
}

// DecodeEvent turns a wire type and payload into a typed event value. An
// unknown type is an error, never a panic.
func DecodeEvent(typ string, data []byte) (Event, error) {
	switch typ {
	case TypePersonRegistered:
		return decodeAs[PersonRegistered](data)
	case TypeTokenIssued:
		return decodeAs[TokenIssued](data)
	case TypeTokenRevoked:
		return decodeAs[TokenRevoked](data)
	case TypeCompanyCreated:
		return decodeAs[CompanyCreated](data)
	case TypeMemberAdded:
		return decodeAs[MemberAdded](data)
	case TypeRightsChanged:
		return decodeAs[RightsChanged](data)
	case TypeProjectCreated:
		return decodeAs[ProjectCreated](data)
	case TypeKeyIssued:
		return decodeAs[KeyIssued](data)
	case TypeKeyRedeemed:
		return decodeAs[KeyRedeemed](data)
	}
	return nil, fmt.Errorf("unknown event type %q", typ)
}

func decodeAs[T Event](data []byte) (Event, error) {
	var e T
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("event %s: %w", e.EventType(), err)
	}
	return e, nil
}
