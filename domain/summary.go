package domain

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Summarizer is implemented by events that describe themselves in one
// human-readable line for the history tab. It is optional: Summarize falls
// back to the event type and the entities it touches, so a new event type
// shows up in history without code here.
type Summarizer interface {
	Summary() string
}

// Summarize is the history line of an event: its own Summary when it has
// one, else "Member added: company 1, person 2".
func Summarize(e Event) string {
	if s, ok := e.(Summarizer); ok {
		if line := s.Summary(); line != "" {
			return line
		}
	}
	return genericSummary(e.EventType(), e.EventTags())
}

// genericSummary turns "ActivationKeyRedeemed" and its tags into
// "Activation key redeemed: key ABCD, company 1, project 2"; acronyms stay
// ("RMAReceived" is "RMA received").
func genericSummary(typ string, tags []string) string {
	var words []string
	rs := []rune(typ)
	start := 0
	for i := 1; i <= len(rs); i++ {
		boundary := i == len(rs) || unicode.IsUpper(rs[i]) &&
			(!unicode.IsUpper(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1]))
		if boundary {
			words = append(words, string(rs[start:i]))
			start = i
		}
	}
	for i, w := range words {
		if i > 0 && strings.ToUpper(w) != w {
			words[i] = strings.ToLower(w)
		}
	}
	parts := make([]string, 0, len(tags))
	for _, t := range tags {
		parts = append(parts, strings.Replace(t, ":", " ", 1))
	}
	line := strings.Join(words, " ")
	if len(parts) == 0 {
		return line
	}
	return line + ": " + strings.Join(parts, ", ")
}

// Summary implements Summarizer.
func (e PersonRegistered) Summary() string {
	return fmt.Sprintf("Person %d registered (%s)", e.Person, e.Email)
}

// Summary implements Summarizer.
func (e CompanyCreated) Summary() string {
	return fmt.Sprintf("Company %q (%d) created by person %d", e.Name, e.Company, e.Creator)
}

// Summary implements Summarizer.
func (e MemberAdded) Summary() string {
	return fmt.Sprintf("Person %d added to company %d as %s", e.Person, e.Company, e.Right)
}

// Summary implements Summarizer.
func (e RightsChanged) Summary() string {
	return fmt.Sprintf("Right of person %d in company %d set to %s", e.Person, e.Company, e.Right)
}

// Summary implements Summarizer.
func (e ProjectCreated) Summary() string {
	return fmt.Sprintf("Project %q (%d) created", e.Name, e.Project)
}

// Summary implements Summarizer.
// Keys are most of a typical log, so their lines are built without fmt (a
// rebuild of the Postgres read models summarizes every event).
func (e KeyIssued) Summary() string {
	if e.FromProject != 0 {
		return "Activation key " + e.Code + " created from project " + strconv.FormatInt(int64(e.FromProject), 10) + ": " + linesText(e.Lines)
	}
	return "Activation key " + e.Code + " issued: " + linesText(e.Lines)
}

// Summary implements Summarizer.
func (e KeyRedeemed) Summary() string {
	return "Activation key " + e.Code + " redeemed into project " + strconv.FormatInt(int64(e.Project), 10) + ": " + linesText(e.Lines)
}

// Summary implements Summarizer.
func (e CompanyJoined) Summary() string {
	return fmt.Sprintf("Company %q (%d) joined into company %d", e.AbsorbedName, e.Absorbed, e.Company)
}

// Summary implements Summarizer.
func (e ProjectMoved) Summary() string {
	return fmt.Sprintf("Project %d moved from company %d to company %d", e.Project, e.From, e.To)
}

// Summary implements Summarizer.
func (e DeviceAdded) Summary() string {
	return fmt.Sprintf("Device %s added to project %d", e.MAC, e.Project)
}

// Summary implements Summarizer.
func (e DeviceRemoved) Summary() string {
	return fmt.Sprintf("Device %s removed from project %d", e.MAC, e.Project)
}

// Summary implements Summarizer.
func (e DeviceMoved) Summary() string {
	return fmt.Sprintf("Device %s moved from project %d to project %d", e.MAC, e.From, e.To)
}

// linesText is "20 PBX-Port13, 1 GVL-Purchase".
func linesText(ls []Line) string {
	b := make([]byte, 0, 24*len(ls))
	for i, l := range ls {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendInt(b, l.Quantity, 10)
		b = append(b, ' ')
		b = append(b, l.Item.Type...)
		if l.Item.Version != 0 {
			b = strconv.AppendInt(b, int64(l.Item.Version), 10)
		}
	}
	return string(b)
}
