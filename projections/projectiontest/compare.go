package projectiontest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/projections"
	"github.com/innolic/ledger/replay"
)

// Feed applies the whole log to proj in batches whose sizes cycle through
// sizes, so batch boundaries fall in different places for each backend.
func Feed(t testing.TB, store eventstore.Store, proj projections.Projection, sizes ...int) {
	t.Helper()
	recs := Records(t, store)
	if len(sizes) == 0 {
		sizes = []int{projections.MaxApplyBatch}
	}
	for i, n := 0, 0; i < len(recs); n++ {
		end := min(len(recs), i+sizes[n%len(sizes)])
		if err := proj.Apply(context.Background(), recs[i:end]); err != nil {
			t.Fatalf("applying positions %d..%d: %v", recs[i].Env.Seq, recs[end-1].Env.Seq, err)
		}
		i = end
	}
}

// Records reads the whole log as decoded records.
func Records(t testing.TB, store eventstore.Store) []replay.Record {
	t.Helper()
	var out []replay.Record
	if err := replay.Range(context.Background(), store, 1, 0, func(rs []replay.Record) error {
		out = append(out, rs...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// Args are the values each parameter type of a query is called with.
type Args map[reflect.Type][]reflect.Value

// ArgsFor derives the arguments from the log: the principals (see
// principals), every person,
// company and project id from 0 to one past the last, every token hash ever
// issued plus an unknown one, and every key code plus an unknown one (as
// strings).
func ArgsFor(t testing.TB, store eventstore.Store) Args {
	t.Helper()
	st := domain.NewState(catalog.Default())
	if _, err := replay.Into(context.Background(), store, st, 1, 0); err != nil {
		t.Fatal(err)
	}
	a := Args{}
	add := func(v any) {
		a[reflect.TypeOf(v)] = append(a[reflect.TypeOf(v)], reflect.ValueOf(v))
	}
	for _, p := range principals(st) {
		add(p)
	}
	for id := domain.PersonID(0); id <= st.LastPerson+1; id++ {
		add(id)
	}
	for id := domain.CompanyID(0); id <= st.LastCompany+1; id++ {
		add(id)
	}
	for id := domain.ProjectID(0); id <= st.LastProject+1; id++ {
		add(id)
	}
	for _, st := range []domain.ContractState{"", domain.ContractStateOpen, domain.ContractStateApproved, domain.ContractStateCancelled} {
		add(st)
	}
	for _, f := range []projections.KeyFilter{{}, {OrderNumber: "O-1"}, {OrderNumber: " O-1 "}, {OrderNumber: "none"}} {
		add(f)
	}
	add(domain.MAC("00-90-33-ff-ff-ff"))
	for _, mac := range domain.SortedMACs(st.Devices) {
		add(mac)
	}
	add(projections.DeviceFilter{})
	for _, text := range []string{"00-90-33-00-00-0", "BACKUP", "räume", "ÄUME SÜD", "nothing"} {
		add(projections.DeviceFilter{Text: text})
	}
	for id := domain.ProjectID(1); id <= st.LastProject; id++ {
		add(projections.DeviceFilter{Project: id})
	}
	for _, d := range []string{"2026-11-22", "2027-01-01", "2030-01-01"} {
		day, _ := domain.ParseDay(d)
		add(day)
	}
	for _, n := range []int{0, 30, 400, 5000} {
		add(n)
	}
	add(Clock())
	for _, q := range quoteRequests() {
		add(q)
	}
	for _, q := range historyQueries(st) {
		add(q)
	}
	for _, q := range rentalArgs(st) {
		add(q)
	}
	for _, q := range rentalHistoryQueries(st) {
		add(q)
	}
	strs := map[string]bool{"": true, TokenHash("never issued"): true, "NO-SUCH-KEY": true, "ORD-1": true, " ORD-1 ": true,
		" ANN@acme.example ": true}
	// Searches: too short, names, descriptions, devices, own keys with and
	// without dashes, license types with versions and minimum counts,
	// product numbers.
	for _, q := range []string{"ab", " acme ", "zulu", "LOWER CASE", "Räume", "backup", "00-90-33-00-00-0", "ip811",
		"01-00811", "0106000", "01-0", "001",
		"OWN-KEY", "ownkey1", "o-1", "PBX-Port13", "pbx-port13=5", "PBX-Port", "PBX-Port12=2", "GVL-Purchase", "Gateway-Channel12"} {
		strs[q] = true
	}
	for _, p := range st.Persons {
		strs[p.Email] = true
	}
	for order := range st.Orders {
		strs[order] = true
	}
	for _, r := range Records(t, store) {
		if e, ok := r.Event.(domain.TokenIssued); ok {
			strs[e.Hash] = true
		}
	}
	for code := range st.Keys {
		strs[code] = true
	}
	for name := range st.Domains {
		strs[name] = true
		strs[strings.ToUpper(name)] = true
	}
	for _, in := range st.Instances {
		strs[in.Name] = true
	}
	strs["nope.example"] = true
	keys := make([]string, 0, len(strs))
	for s := range strs {
		keys = append(keys, s)
	}
	sort.Strings(keys)
	for _, s := range keys {
		add(s)
	}
	return a
}

// maxCalls bounds the argument combinations tried per query.
const maxCalls = 6000

// principals picks the callers: vendor staff, every member of up to the
// first 12 companies with each right they hold (administrators, viewers,
// locked members...), a person in no company, an unknown person and a
// person who is vendor staff but calls without the vendor flag.
func principals(st *domain.State) []domain.Principal {
	seen := map[domain.Principal]bool{}
	var out []domain.Principal
	add := func(p domain.Principal) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	add(Vendor)
	add(domain.Principal{Person: Vendor.Person})
	add(domain.Principal{Person: st.LastPerson + 1})
	member := map[domain.PersonID]bool{}
	for _, c := range st.Companies {
		for p := range c.Members {
			member[p] = true
		}
	}
	for id := domain.PersonID(2); id <= st.LastPerson; id++ {
		if p, ok := st.Persons[id]; ok && !member[id] && !p.Vendor {
			add(domain.Principal{Person: id})
			break
		}
	}
	for id := domain.CompanyID(1); id <= min(st.LastCompany, 12); id++ {
		c, ok := st.Companies[id]
		if !ok {
			continue
		}
		ids := make([]domain.PersonID, 0, len(c.Members))
		for p := range c.Members {
			ids = append(ids, p)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, p := range ids {
			add(domain.Principal{Person: p, Vendor: st.Persons[p] != nil && st.Persons[p].Vendor})
		}
	}
	return out
}

// Compare asks every method of projections.Reader of want (the reference,
// memory) and got, with every combination of args, and reports each
// difference. It returns the methods it compared, each with the number of
// calls and of those answered without an error (so a scenario that only
// reaches refusals shows); methods got lacks, or
// whose parameter types have no values, are logged and skipped, so the
// suite keeps running while the Reader interface grows.
func Compare(t testing.TB, args Args, want, got any) (compared []string) {
	t.Helper()
	return CompareStored(t, args, want, got, nil)
}

// CompareStored is Compare for a backend that stores text in its own form:
// every string of want's answers (errors' details too) is passed through
// stored before it is compared (nil: as it is). Postgres stores U+0000
// and invalid UTF-8 as U+FFFD (postgres.StoredText), so its parity with
// memory is parity with memory's answers in that form.
func CompareStored(t testing.TB, args Args, want, got any, stored func(string) string) (compared []string) {
	t.Helper()
	rt := reflect.TypeFor[projections.Reader]()
	for i := 0; i < rt.NumMethod(); i++ {
		m := rt.Method(i)
		wm, gm := reflect.ValueOf(want).MethodByName(m.Name), reflect.ValueOf(got).MethodByName(m.Name)
		if !wm.IsValid() || !gm.IsValid() {
			t.Logf("parity: %s not compared: %T has it: %v, %T has it: %v", m.Name, want, wm.IsValid(), got, gm.IsValid())
			continue
		}
		combos, ok := combinations(args, m.Type)
		if !ok {
			t.Logf("parity: %s not compared: no argument values for %v", m.Name, m.Type)
			continue
		}
		diffs, answered := 0, 0
		for _, in := range combos {
			w, g := call(wm, in, stored), call(gm, in, nil)
			if !strings.Contains(w, "error{") && !strings.HasPrefix(w, "panic") {
				answered++
			}
			if w != g {
				diffs++
				if diffs <= 5 {
					t.Errorf("parity: %s(%s):\n memory:   %s\n postgres: %s", m.Name, fmtArgs(in), w, g)
				}
			}
		}
		if diffs > 5 {
			t.Errorf("parity: %s: %d more differences", m.Name, diffs-5)
		}
		compared = append(compared, fmt.Sprintf("%s×%d(%d answered)", m.Name, len(combos), answered))
	}
	return compared
}

// combinations lists the argument lists for a method type, thinned evenly
// when there are more than maxCalls.
func combinations(args Args, mt reflect.Type) ([][]reflect.Value, bool) {
	out := [][]reflect.Value{{}}
	for i := 0; i < mt.NumIn(); i++ {
		vals := args[mt.In(i)]
		if len(vals) == 0 {
			return nil, false
		}
		var next [][]reflect.Value
		for _, prefix := range out {
			for _, v := range vals {
				next = append(next, append(append([]reflect.Value{}, prefix...), v))
			}
		}
		out = next
	}
	if len(out) > maxCalls {
		step := (len(out) + maxCalls - 1) / maxCalls
		thin := out[:0]
		for i := 0; i < len(out); i += step {
			thin = append(thin, out[i])
		}
		out = thin
	}
	return out, true
}

// call renders a query's answer: results as JSON, errors by kind, code and
// detail, a panic as such; stored, when set, rewrites every string first.
func call(m reflect.Value, in []reflect.Value, stored func(string) string) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("panic: %v", r)
		}
	}()
	var parts []string
	for _, v := range m.Call(in) {
		if err, ok := v.Interface().(error); ok || (v.Kind() == reflect.Interface && v.IsNil()) {
			parts = append(parts, fmtErr(err, stored))
			continue
		}
		if stored != nil {
			v = mapStrings(v, stored)
		}
		b, err := json.Marshal(v.Interface())
		if err != nil {
			b = []byte("unmarshalable: " + err.Error())
		}
		parts = append(parts, string(b))
	}
	return fmt.Sprint(parts)
}

func fmtErr(err error, stored func(string) string) string {
	if err == nil {
		return "ok"
	}
	if stored == nil {
		stored = func(s string) string { return s }
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return fmt.Sprintf("error{%s %s %q}", de.Kind, de.Code, stored(de.Detail))
	}
	return "error{" + stored(err.Error()) + "}"
}

// mapStrings returns a copy of v with f applied to every string reachable
// through exported fields, elements, map keys and values and pointers:
// what json.Marshal renders. Other values are shared.
func mapStrings(v reflect.Value, f func(string) string) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		out := reflect.New(v.Type()).Elem()
		out.SetString(f(v.String()))
		return out
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return v
		}
		e := mapStrings(v.Elem(), f)
		if v.Kind() == reflect.Interface {
			out := reflect.New(v.Type()).Elem()
			out.Set(e)
			return out
		}
		p := reflect.New(e.Type())
		p.Elem().Set(e)
		return p
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(mapStrings(v.Index(i), f))
		}
		return out
	case reflect.Array:
		out := reflect.New(v.Type()).Elem()
		for i := range v.Len() {
			out.Index(i).Set(mapStrings(v.Index(i), f))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(mapStrings(it.Key(), f), mapStrings(it.Value(), f))
		}
		return out
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out.Field(i).Set(mapStrings(v.Field(i), f))
			}
		}
		return out
	}
	return v
}

func fmtArgs(in []reflect.Value) string {
	s := ""
	for i, v := range in {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%+v", v.Interface())
	}
	return s
}

// historyQueries are pages of every context: whole companies (small pages
// with a cursor, a project filter, time windows), persons and devices with
// and without a company, and an unknown context.
func historyQueries(st *domain.State) []projections.HistoryQuery {
	const (
		company = projections.HistoryCompany
		person  = projections.HistoryPerson
		device  = projections.HistoryDevice
	)
	t := Clock()
	qs := []projections.HistoryQuery{{Context: "nonsense", Company: 1, Limit: 5}}
	for c := domain.CompanyID(0); c <= min(st.LastCompany+1, 8); c++ {
		qs = append(qs, projections.HistoryQuery{Context: company, Company: c, Limit: 50},
			projections.HistoryQuery{Context: company, Company: c, Limit: 2},
			projections.HistoryQuery{Context: company, Company: c, Limit: 3, Before: 30},
			projections.HistoryQuery{Context: company, Company: c, Limit: 50, Project: domain.ProjectID(c) + 2},
			projections.HistoryQuery{Context: company, Company: c, Limit: 50, From: t, To: t.Add(time.Second)},
			projections.HistoryQuery{Context: company, Company: c, Limit: 50, From: t.Add(time.Hour)},
			projections.HistoryQuery{Context: person, Company: c, Person: 2, Limit: 50},
			projections.HistoryQuery{Context: device, Company: c, Device: "00-90-33-00-00-01", Limit: 50})
	}
	for p := domain.PersonID(0); p <= min(st.LastPerson+1, 8); p++ {
		qs = append(qs, projections.HistoryQuery{Context: person, Person: p, Limit: 50},
			projections.HistoryQuery{Context: person, Person: p, Limit: 1, Before: 20})
	}
	for _, mac := range domain.SortedMACs(st.Devices)[:min(len(st.Devices), 4)] {
		qs = append(qs, projections.HistoryQuery{Context: device, Device: string(mac), Limit: 50})
	}
	return qs
}

// quoteRequests are SSA quotes of a project and of a company, by end date
// and by maximum SSC, with opt-outs (one unknown), a correction of a past
// end, an end too old, unknown scopes and an invalid request.
func quoteRequests() []domain.SSAQuoteRequest {
	day := func(s string) domain.Day {
		d, _ := domain.ParseDay(s)
		return d
	}
	max := int64(100)
	return []domain.SSAQuoteRequest{
		{}, {Project: 3}, {Project: 3, End: day("2027-06-30")}, {Project: 3, MaxSSC: &max},
		{Project: 3, End: day("2028-01-01"), OptOut: []int64{1}}, {Project: 3, End: day("2028-01-01"), OptOut: []int64{999}},
		{Project: 3, End: day("2026-10-01")}, {Project: 3, End: day("2024-01-01")},
		{Project: 1, End: day("2027-06-30")}, {Project: 5, End: day("2027-06-30"), CalcDate: day("2026-12-01")},
		{Company: 1, End: day("2027-06-30")}, {Company: 2, MaxSSC: &max}, {Company: 99, End: day("2027-06-30")},
		{Project: 99, End: day("2027-06-30")},
	}
}
