package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Berlin for getWarranty, on hosts without a zone database

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/projections"
)

// InterfaceMaxAge bounds how old a call with a ts parameter may be (and
// how far in the future, for clock skew): a captured URL cannot be
// replayed later. Calls without ts are accepted as the legacy endpoint
// always did.
const InterfaceMaxAge = 5 * time.Minute

// interfaceParams documents the parameters of interface.php.
type interfaceParams struct {
	Cmd         string `query:"cmd" required:"true" enum:"addDevice,delDevice,getWarranty,createProject" maxLength:"32"`
	Email       string `query:"email" required:"true" maxLength:"254" description:"email of a registered person with the Licenses or Administrator right in the project's company"`
	ProjectID   int64  `query:"project_id" required:"true" description:"the project the call is signed for"`
	Hash        string `query:"hash" required:"true" maxLength:"128" description:"hex SHA-256 of '?' + the query string without hash (values URL-encoded as PHP's urlencode does) + '&trust=' + the project's trust value"`
	TS          int64  `query:"ts" description:"optional unix time of the call, inside the hash; calls more than 5 minutes old (or ahead) are refused: replay protection"`
	Serial      string `query:"serial" maxLength:"100" description:"addDevice, delDevice, getWarranty: the device's MAC, e.g. 00-90-33-01-02-03"`
	DeviceDesc  string `query:"device_desc" maxLength:"1000" text:"multiline" description:"addDevice: optional description (the device's comment; tab and newline allowed)"`
	ProjectName string `query:"project_name" maxLength:"100" description:"createProject: the new project's name"`
	ProjectDesc string `query:"project_desc" maxLength:"1000" text:"multiline" description:"createProject: optional description (tab and newline allowed)"`
	UpdateURL   string `query:"update_url" maxLength:"2000" description:"createProject: optional update URL"`
	SSADueDate  int64  `query:"ssa_due_date" description:"createProject: optional SSA end of the new project, unix seconds (the day it falls on in Europe/Berlin), from 1970-01-02 to 2262-04-11"`
}

// interfaceAnswer is every answer of interface.php: HTTP 200 with success
// or an error text, as the legacy clients expect.
type interfaceAnswer struct {
	Success     bool   `json:"success"`
	Error       string `json:"error,omitempty"`
	ProjectID   int64  `json:"projectId,omitempty"`
	Warranty    int64  `json:"warranty,omitempty"`
	WarrantyStr string `json:"warrantyStr,omitempty"`
}

func (s *Server) interfaceRoutes() {
	s.doc(s.Echo).GET("/interface.php", Op{Tag: "interface.php", Public: true, Legacy: true, Params: interfaceParams{},
		Summary: "The legacy external interface: addDevice, delDevice, getWarranty, createProject",
		Description: "Authenticated by the hash over the call and the project's trust value, not by a token. " +
			"Always answers 200 with {\"success\":true,...} or {\"success\":false,\"error\":\"...\"}; a refused call writes nothing.",
		Answer: interfaceAnswer{}}, s.interfacePHP)
}

// interfaceError is a refusal answered as success:false.
type interfaceError string

func (e interfaceError) Error() string { return string(e) }

func (s *Server) interfacePHP(c echo.Context) error {
	out, err := s.interfaceCall(c)
	if err != nil {
		var msg string
		var ie interfaceError
		switch de := toDomain(err); {
		case errors.As(err, &ie):
			msg = string(ie)
		case de.Kind == domain.KindInternal:
			s.log.Error("interface.php", "err", err, "request_id", requestID(c))
			msg = "internal error"
		default:
			msg = de.Detail
		}
		return c.JSON(http.StatusOK, interfaceAnswer{Error: msg})
	}
	out.Success = true
	return c.JSON(http.StatusOK, out)
}

// interfaceCall checks a call in this order: parameters, project, trust
// value, hash, ts, person, access; then runs the command. The hash comes
// before the person so that emails cannot be probed without the trust
// value.
func (s *Server) interfaceCall(c echo.Context) (interfaceAnswer, error) {
	raw := c.Request().URL.RawQuery
	q, err := url.ParseQuery(raw)
	if err != nil {
		return interfaceAnswer{}, interfaceError("malformed query string")
	}
	if err := checkInterfaceText(q); err != nil {
		return interfaceAnswer{}, err
	}
	for _, p := range []string{"cmd", "email", "project_id", "hash"} {
		if strings.TrimSpace(q.Get(p)) == "" {
			return interfaceAnswer{}, interfaceError("missing parameter " + p)
		}
	}
	pid, err := strconv.ParseInt(q.Get("project_id"), 10, 64)
	if err != nil || pid <= 0 {
		return interfaceAnswer{}, interfaceError("project_id must be a positive integer")
	}
	// Legacy clients cannot pass ?after=: answer from the log head, so a
	// trust value or project configured a moment ago is seen.
	s.catchUp(c.Request().Context())
	who, err := s.cfg.Reader.InterfaceCaller(q.Get("email"), domain.ProjectID(pid))
	if err != nil {
		return interfaceAnswer{}, err
	}
	switch {
	case !who.ProjectFound:
		return interfaceAnswer{}, interfaceError("the project with ID " + strconv.FormatInt(pid, 10) + " doesn't exist")
	case who.Trust == "":
		return interfaceAnswer{}, interfaceError("the project has no trust value configured")
	case !InterfaceHashOK(raw, q.Get("hash"), who.Trust):
		return interfaceAnswer{}, interfaceError("wrong hash")
	}
	if err := checkTS(q.Get("ts"), s.cfg.Clock()); err != nil {
		return interfaceAnswer{}, err
	}
	switch {
	case !who.PersonFound:
		return interfaceAnswer{}, interfaceError("unknown email address")
	case !who.Reachable:
		return interfaceAnswer{}, interfaceError("the user has no access to the licenses of this project")
	}
	once := signedOnce(q)
	if once != "" && !s.signed.take(once, s.cfg.Clock()) {
		return interfaceAnswer{}, errCallUsed
	}
	out, err := s.interfaceCommand(c.Request().Context(), q, who, domain.ProjectID(pid), once)
	if once != "" && domain.KindOf(err) == domain.KindUnavailable {
		s.signed.release(once) // not carried out: the client may send it again
	}
	return out, err
}

// errCallUsed refuses a signed call with ts sent a second time.
var errCallUsed = interfaceError("the request was already used (a call with ts is accepted once; sign a new one)")

// signedOnce names a call that may be accepted only once: one with ts, by
// its hash (which covers ts and every parameter). Legacy calls without ts
// may be repeated, as they always could; they return "".
func signedOnce(q url.Values) string {
	if q.Get("ts") == "" {
		return ""
	}
	return "interface.php:" + strings.ToLower(strings.TrimSpace(q.Get("hash")))
}

// interfaceCommand maps a checked call onto its domain command.
// once, when set, is the command id of a call accepted only once: a write
// that finds it already in the log (replayed) is refused as used.
func (s *Server) interfaceCommand(ctx context.Context, q url.Values, who projections.InterfaceCallerView, pid domain.ProjectID, once string) (interfaceAnswer, error) {
	need := func(p string) (string, error) {
		v := strings.TrimSpace(q.Get(p))
		if v == "" {
			return "", interfaceError("missing parameter " + p)
		}
		return v, nil
	}
	switch q.Get("cmd") {
	case "addDevice":
		serial, err := need("serial")
		if err != nil {
			return interfaceAnswer{}, err
		}
		_, err = s.interfaceSubmit(ctx, who, once, domain.InterfaceAddDevice{Project: pid, Serial: serial, Description: q.Get("device_desc")})
		return interfaceAnswer{}, err
	case "delDevice":
		serial, err := need("serial")
		if err != nil {
			return interfaceAnswer{}, err
		}
		if _, err := s.deviceInProject(who, pid, serial); err != nil {
			return interfaceAnswer{}, err
		}
		_, err = s.interfaceSubmit(ctx, who, once, domain.RemoveDevices{Company: who.Company, MACs: []string{serial}})
		return interfaceAnswer{}, err
	case "createProject":
		name, err := need("project_name")
		if err != nil {
			return interfaceAnswer{}, err
		}
		end, err := ssaDueDate(q.Get("ssa_due_date"))
		if err != nil {
			return interfaceAnswer{}, err
		}
		res, err := s.interfaceSubmit(ctx, who, once, domain.InterfaceCreateProject{Company: who.Company, Name: name,
			Description: q.Get("project_desc"), SSAEnd: end,
			Properties: domain.ProjectProperties{TrustValue: who.Trust, UpdateURL: q.Get("update_url")}})
		if err != nil {
			return interfaceAnswer{}, err
		}
		return interfaceAnswer{ProjectID: int64(eventOf[domain.ProjectCreated](res).Project)}, nil
	case "getWarranty":
		serial, err := need("serial")
		if err != nil {
			return interfaceAnswer{}, err
		}
		d, err := s.deviceInProject(who, pid, serial)
		if err != nil {
			return interfaceAnswer{}, err
		}
		return warrantyAnswer(d.WarrantyEnd)
	}
	return interfaceAnswer{}, interfaceError("unknown cmd " + strconv.Quote(q.Get("cmd")))
}

// deviceInProject finds a device of the call's project: delDevice and
// getWarranty name a project, and acting on the device in another project
// of the company would surprise.
func (s *Server) deviceInProject(who projections.InterfaceCallerView, pid domain.ProjectID, serial string) (projections.DeviceDetailView, error) {
	mac, err := domain.ParseMAC(serial)
	if err != nil {
		return projections.DeviceDetailView{}, err
	}
	d, err := s.cfg.Reader.Device(who.Person, who.Company, mac)
	if err != nil {
		return d, err
	}
	if d.Project != pid {
		return d, interfaceError("the device " + string(mac) + " is not in the project")
	}
	return d, nil
}

// ssaDueDate reads createProject's ssa_due_date: unix seconds, meaning the
// calendar day it falls on in Europe/Berlin (the zone interface.php states
// dates in), a day a command may name (domain.FirstDay..LastDay: later
// ones were stored as 2262-04-11). Empty: no SSA end.
func ssaDueDate(v string) (domain.Day, error) {
	if v == "" {
		return 0, nil
	}
	sec, err := strconv.ParseInt(v, 10, 64)
	if err != nil || sec <= 0 {
		return 0, interfaceError("ssa_due_date must be unix seconds")
	}
	y, m, d := time.Unix(sec, 0).In(berlin).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if !domain.InDayRange(day) {
		return 0, interfaceError("ssa_due_date must be a day from " + domain.FirstDay.String() + " to " + domain.LastDay.String())
	}
	return domain.DayOf(day), nil
}

// berlin is the time zone interface.php states warranty dates in.
var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err) // time/tzdata is embedded: cannot happen
	}
	return loc
}()

// warrantyAnswer states a warranty end (YYYY-MM-DD) as the legacy
// interface does: midnight Europe/Berlin as unix seconds and as text.
func warrantyAnswer(end string) (interfaceAnswer, error) {
	if end == "" {
		return interfaceAnswer{}, interfaceError("the device has no warranty (no delivery date)")
	}
	t, err := time.ParseInLocation(time.DateOnly, end, berlin)
	if err != nil {
		return interfaceAnswer{}, err
	}
	return interfaceAnswer{Warranty: t.Unix(), WarrantyStr: t.Format(time.DateTime)}, nil
}

// interfaceSubmit runs an interface.php command. A call accepted only once
// uses its hash as command id, so that the log itself remembers it across
// restarts and nodes: a second copy is replayed by the writer and refused
// here.
func (s *Server) interfaceSubmit(ctx context.Context, who projections.InterfaceCallerView, once string, cmd domain.Command) (commands.Result, error) {
	res, err := s.cfg.Writer.Submit(context.WithoutCancel(ctx), commands.Request{ID: once, By: who.Person, Command: cmd,
		Actor: eventstore.Actor{Channel: eventstore.ChannelInterface, Company: strconv.FormatInt(int64(who.Company), 10)}})
	if err == nil && res.Replayed {
		return res, errCallUsed
	}
	return res, err
}

// checkTS refuses a call whose optional ts is more than InterfaceMaxAge
// away from now.
func checkTS(raw string, now time.Time) error {
	if raw == "" {
		return nil
	}
	ts, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return interfaceError("ts must be a unix time in seconds")
	}
	d := now.Sub(time.Unix(ts, 0))
	if d > InterfaceMaxAge || d < -InterfaceMaxAge {
		return interfaceError("the request has expired (ts is more than 5 minutes from the server's time)")
	}
	return nil
}

// InterfaceHashOK checks the hash of a call: hex SHA-256 of "?" + the
// query string without the hash parameter, its values URL-encoded as PHP's
// urlencode does, + "&trust=" + trust. The query exactly as sent (without
// hash) is accepted too, for clients that already encoded it that way.
func InterfaceHashOK(rawQuery, hash, trust string) bool {
	canonical, asSent := interfaceHashData(rawQuery)
	want, err := hex.DecodeString(strings.ToLower(strings.TrimSpace(hash)))
	if err != nil || len(want) != sha256.Size {
		return false
	}
	for _, data := range []string{canonical, asSent} {
		sum := sha256.Sum256([]byte(data + "&trust=" + trust))
		if subtle.ConstantTimeCompare(sum[:], want) == 1 {
			return true
		}
	}
	return false
}

// InterfaceHash is the hash a client sends for a query string (with or
// without a leading "?", without hash).
func InterfaceHash(query, trust string) string {
	canonical, _ := interfaceHashData(strings.TrimPrefix(query, "?"))
	sum := sha256.Sum256([]byte(canonical + "&trust=" + trust))
	return hex.EncodeToString(sum[:])
}

// interfaceHashData returns the hashed forms of a query without its hash
// parameter, in the order sent: re-encoded, and as sent.
func interfaceHashData(rawQuery string) (canonical, asSent string) {
	var enc, sent []string
	for _, part := range strings.Split(rawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if key == "hash" {
			continue
		}
		sent = append(sent, part)
		if err1 != nil || err2 != nil {
			enc = append(enc, part)
			continue
		}
		enc = append(enc, phpURLEncode(key)+"="+phpURLEncode(val))
	}
	return "?" + strings.Join(enc, "&"), "?" + strings.Join(sent, "&")
}

// phpURLEncode encodes as PHP's urlencode: letters, digits and "-_." stay,
// space becomes "+", every other byte %XX (upper-case hex).
func phpURLEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}
