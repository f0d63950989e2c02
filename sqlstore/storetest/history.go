package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
)

// The history checker's size (security checklist R-CC3): 32 goroutines
// share 2,000 operations.
const (
	historyWorkers = 32
	historyOps     = 2000
	// EnvHistorySeed replays the random choices of an earlier run (the
	// seed is logged). The interleaving of the goroutines is the
	// scheduler's, so a replay makes the same choices, not necessarily the
	// same outcomes.
	EnvHistorySeed = "FLARE_HISTORY_SEED"
)

// hOp names an operation of the history.
type hOp string

const (
	hCreateCase        hOp = "create_case"
	hCreateCaseDup     hOp = "create_case_duplicate_reference"
	hCreateCaseForeign hOp = "create_case_in_another_agency"
	hReadCase          hOp = "read_case"
	hMove              hOp = "move_status"
	hIllegalMove       hOp = "illegal_move"
	hStale             hOp = "stale_update"
	hCreatePerson      hOp = "create_person"
	hCreateNote        hOp = "create_note"
	hCreateTask        hOp = "create_task"
	hSend              hOp = "send_referral"
	hAccept            hOp = "accept_referral"
	hDecline           hOp = "decline_referral"
	hListReferrals     hOp = "list_referrals"
	hShare             hOp = "share_case"
	hRevoke            hOp = "revoke_grant"
)

// hEvent is one acknowledged result of the history: what was asked, by
// whom, and what the store answered.
type hEvent struct {
	worker, n int
	op        hOp
	agency    int    // the actor's agency, an index of hist.agencies
	role      string // "worker" or "supervisor"
	caseID    string
	id        string // the record created or acted on
	from, to  flare.CaseStatus
	version   int64 // the version given to an update
	result    *flare.Case
	count     int    // referrals listed
	grantID   string // the grant an accepted referral created
	err       error
}

func (e hEvent) String() string {
	s := fmt.Sprintf("worker %d op %d %s by agency %d %s case %s id %s", e.worker, e.n, e.op, e.agency, e.role, e.caseID, e.id)
	if e.from != "" || e.to != "" {
		s += fmt.Sprintf(" %s->%s v%d", e.from, e.to, e.version)
	}
	if e.err != nil {
		s += fmt.Sprintf(": %v", e.err)
	}
	return s
}

type hAgency struct {
	a                  *flare.Agency
	worker, supervisor context.Context
}

type hCase struct {
	id, ref string
	owner   int
}

type hReferral struct {
	id, caseID string
	owner, to  int
	answered   bool
}

type hGrant struct {
	id, caseID string
	owner      int
}

// hist is the shared state of one history run.
type hist struct {
	db       *sqlstore.DB
	cases    *sqlstore.CaseService
	persons  *sqlstore.PersonService
	notes    *sqlstore.NoteService
	tasks    *sqlstore.TaskService
	refs     *sqlstore.ReferralService
	grants   *sqlstore.GrantService
	agencies []hAgency

	mu        sync.Mutex
	knownCase []hCase
	knownRef  []hReferral
	knownGr   []hGrant
	problems  []string
	observed  []string // worth a report, not a failure
}

func (h *hist) problem(format string, args ...any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.problems = append(h.problems, fmt.Sprintf(format, args...))
}

func (h *hist) observe(format string, args ...any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.observed = append(h.observed, fmt.Sprintf(format, args...))
}

// RunHistory is the history checker of security checklist R-CC3: 32
// goroutines run 2,000 random operations through the real services, as
// staff of a labour inspectorate, a police force and a victim-services
// agency, and record every answer. Then the database must agree with the
// history: every acknowledged create exists exactly once and nothing else
// was created, no referral was accepted twice and each accepted one has
// exactly one grant, each case's acknowledged status changes replay
// through flare.CaseStatus.CanMoveTo from "open" to its stored status, and
// the audit log holds exactly the entries the acknowledged operations
// write, per action, outcome and record type, and per record.
func RunHistory(t *testing.T, dbURL string) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(EnvHistorySeed); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", EnvHistorySeed, s, err)
		}
		seed = v
	}
	t.Logf("history seed %d (replay the choices with %s=%d)", seed, EnvHistorySeed, seed)

	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	db.SetClock(NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)).Now)
	keys := Keys(t, db)
	h := &hist{db: db, cases: sqlstore.NewCaseService(db), persons: sqlstore.NewPersonService(db, keys),
		notes: sqlstore.NewNoteService(db, keys), tasks: sqlstore.NewTaskService(db),
		refs: sqlstore.NewReferralService(db), grants: sqlstore.NewGrantService(db)}
	for _, s := range []struct {
		name string
		kind flare.AgencyKind
		role flare.Role
	}{
		{"History Labour Inspectorate", flare.AgencyLabourInspectorate, flare.RoleInspector},
		{"History Police", flare.AgencyPolice, flare.RoleInvestigator},
		{"History Victim Services", flare.AgencyVictimServices, flare.RoleCaseworker},
	} {
		a := mustAgency(t, db, s.name, s.kind)
		h.agencies = append(h.agencies, hAgency{a: a, worker: historyActor(a, s.role), supervisor: historyActor(a, flare.RoleSupervisor)})
	}
	raw := RawDB(t, dbURL)
	var firstSeq int64
	if err := raw.QueryRow(`SELECT COUNT(*) FROM audit_entries`).Scan(&firstSeq); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	histories := make([][]hEvent, historyWorkers)
	var wg sync.WaitGroup
	for w := range historyWorkers {
		budget := historyOps / historyWorkers
		if w < historyOps%historyWorkers {
			budget++
		}
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			histories[w] = h.work(w, budget, rng)
		})
	}
	wg.Wait()
	var all []hEvent
	for _, hs := range histories {
		all = append(all, hs...)
	}
	t.Logf("%d operations by %d goroutines in %v", len(all), historyWorkers, time.Since(start).Round(time.Millisecond))
	if len(all) != historyOps {
		t.Errorf("ran %d operations, want %d", len(all), historyOps)
	}
	tally := map[hOp]map[flare.ErrorCode]int{}
	for _, e := range all {
		if tally[e.op] == nil {
			tally[e.op] = map[flare.ErrorCode]int{}
		}
		code := flare.ErrorCodeOf(e.err)
		if code == "" {
			code = "ok"
		}
		tally[e.op][code]++
	}
	for _, op := range slices.Sorted(maps.Keys(tally)) {
		t.Logf("  %-32s %v", op, tally[op])
	}

	// The history must have exercised what it checks, or passing means
	// nothing.
	var illegalRefused, staleRefused, raced int
	for _, e := range all {
		switch {
		case e.op == hIllegalMove && conflictOn(e.err, "status"):
			illegalRefused++
		case e.op == hStale && conflictOn(e.err, "version"):
			staleRefused++
		case (e.op == hAccept || e.op == hDecline) && flare.ErrorCodeOf(e.err) == flare.ECONFLICT:
			raced++
		}
	}
	t.Logf("illegal transitions refused: %d; stale updates refused: %d; answers that lost a race: %d", illegalRefused, staleRefused, raced)
	for _, need := range []struct {
		what string
		op   hOp
		code flare.ErrorCode
	}{
		{"an accepted referral", hAccept, "ok"}, {"a declined referral", hDecline, "ok"}, {"a revoked grant", hRevoke, "ok"},
		{"a refused read", hReadCase, flare.ENOTFOUND}, {"a moved case", hMove, "ok"}, {"a person", hCreatePerson, "ok"},
	} {
		if tally[need.op][need.code] == 0 {
			t.Errorf("the history has no %s: it checks too little", need.what)
		}
	}
	if illegalRefused == 0 || staleRefused == 0 || raced == 0 {
		t.Errorf("the history refused no illegal transition, stale update or losing answer: it checks too little")
	}

	during := len(h.problems)
	h.check(t, raw, all, firstSeq)
	for _, o := range h.observed {
		t.Logf("observed: %s", o)
	}
	// The answers refused during the run, then what the database
	// disagrees with, each list cut at 30.
	for _, ps := range [][]string{h.problems[:during], h.problems[during:]} {
		for i, p := range ps {
			if i == 30 {
				t.Errorf("... and %d more like these", len(ps)-30)
				break
			}
			t.Errorf("%s", p)
		}
	}
	if t.Failed() {
		t.Logf("replay the choices with %s=%d", EnvHistorySeed, seed)
	}
}

// historyActor is a member of staff of a with role; the user id names both.
func historyActor(a *flare.Agency, role flare.Role) context.Context {
	return flare.WithActor(context.Background(), flare.Actor{UserID: "u-" + string(role) + "-" + a.ID[:8], AgencyID: a.ID,
		Roles: []string{string(role)}})
}

func (h *hist) actor(agency int, role string) context.Context {
	if role == "supervisor" {
		return h.agencies[agency].supervisor
	}
	return h.agencies[agency].worker
}

// work runs budget operations chosen with rng and returns their history.
func (h *hist) work(w, budget int, rng *rand.Rand) []hEvent {
	out := make([]hEvent, 0, budget)
	seq := 0
	for len(out) < budget {
		ev := hEvent{worker: w, n: len(out), agency: rng.IntN(len(h.agencies)), role: "worker"}
		if rng.IntN(3) == 0 {
			ev.role = "supervisor"
		}
		if len(out) == 0 {
			ev.op = hCreateCase
		} else {
			ev.op = pickOp(rng)
		}
		if budget-len(out) < 3 {
			// Every operation left must fit: a move reads first (two
			// operations), a race answers three times.
			ev.op = []hOp{hCreateCase, hReadCase, hCreatePerson, hSend, hDecline}[rng.IntN(5)]
		}
		if ev.op == hAccept && rng.IntN(3) == 0 {
			out = append(out, h.race(w, len(out), rng)...)
			continue
		}
		seq++
		out = append(out, h.do(ev, rng, fmt.Sprintf("H%02d-%03d", w, seq))...)
	}
	return out
}

// opWeights is how often each operation is chosen.
var opWeights = []struct {
	op hOp
	w  int
}{
	{hCreateCase, 12}, {hCreateCaseDup, 2}, {hCreateCaseForeign, 2}, {hReadCase, 12}, {hMove, 12}, {hIllegalMove, 5},
	{hStale, 4}, {hCreatePerson, 8}, {hCreateNote, 4}, {hCreateTask, 4}, {hSend, 10}, {hAccept, 12}, {hDecline, 4},
	{hListReferrals, 2}, {hShare, 6}, {hRevoke, 4},
}

func pickOp(rng *rand.Rand) hOp {
	total := 0
	for _, x := range opWeights {
		total += x.w
	}
	n := rng.IntN(total)
	for _, x := range opWeights {
		if n < x.w {
			return x.op
		}
		n -= x.w
	}
	panic("unreachable")
}

func (h *hist) pickCase(rng *rand.Rand) (hCase, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.knownCase) == 0 {
		return hCase{}, false
	}
	return h.knownCase[rng.IntN(len(h.knownCase))], true
}

// pickReferral picks one of the latest unanswered referrals, so that
// goroutines meet on the same ones.
func (h *hist) pickReferral(rng *rand.Rand) (hReferral, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var open []hReferral
	for i := len(h.knownRef) - 1; i >= 0 && len(open) < 4; i-- {
		if !h.knownRef[i].answered {
			open = append(open, h.knownRef[i])
		}
	}
	if len(open) == 0 {
		if len(h.knownRef) == 0 {
			return hReferral{}, false
		}
		return h.knownRef[rng.IntN(len(h.knownRef))], true
	}
	return open[rng.IntN(len(open))], true
}

func (h *hist) answered(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range h.knownRef {
		if h.knownRef[i].id == id {
			h.knownRef[i].answered = true
		}
	}
}

func (h *hist) caseOwner(caseID string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.knownCase {
		if c.id == caseID {
			return c.owner
		}
	}
	return -1
}

// other returns an agency other than a.
func other(rng *rand.Rand, a, n int) int {
	return (a + 1 + rng.IntN(n-1)) % n
}

// conflictOn reports whether err is a conflict naming field.
func conflictOn(err error, field string) bool {
	var fe *flare.Error
	return errors.As(err, &fe) && fe.Code == flare.ECONFLICT && fe.Fields[field] != ""
}

func denied(err error) bool {
	c := flare.ErrorCodeOf(err)
	return c == flare.ENOTFOUND || c == flare.EFORBIDDEN
}

// busy reports an error that says the database was busy or locked: the
// store must wait for its turn, never hand that to the user.
func busy(err error) bool {
	if err == nil {
		return false
	}
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "database is busy") || strings.Contains(s, "sqlite_busy") || strings.Contains(s, "database is locked") ||
		strings.Contains(s, "deadlock") || strings.Contains(s, "could not serialize")
}

// do runs one operation and checks its answer is one the operation may
// get; the checks against the database come after all goroutines end.
func (h *hist) do(ev hEvent, rng *rand.Rand, ref string) []hEvent {
	evs := h.run(ev, rng, ref, len(h.agencies))
	for _, e := range evs {
		if busy(e.err) {
			h.problem("busy error reached the caller: %s", e)
		}
	}
	return evs
}

// run runs the operation ev names; a move returns the read before it too.
func (h *hist) run(ev hEvent, rng *rand.Rand, ref string, n int) (evs []hEvent) {
	c, ok := h.pickCase(rng)
	if !ok && ev.op != hCreateCase && ev.op != hCreateCaseForeign {
		ev.op = hCreateCase
	}
	switch ev.op {
	case hCreateCase, hCreateCaseDup, hCreateCaseForeign:
		if ev.op == hCreateCaseDup {
			// Reuse a reference of the actor's own agency.
			ev.agency, ref = c.owner, c.ref
		}
		owner := ev.agency
		if ev.op == hCreateCaseForeign {
			owner = other(rng, ev.agency, n)
		}
		nc := newCase(h.agencies[owner].a.ID, ref)
		ev.err = h.cases.CreateCase(h.actor(ev.agency, ev.role), nc)
		ev.id, ev.caseID = nc.ID, nc.ID
		switch {
		case ev.op == hCreateCase && ev.err == nil:
			h.mu.Lock()
			h.knownCase = append(h.knownCase, hCase{id: nc.ID, ref: ref, owner: owner})
			h.mu.Unlock()
		case ev.op == hCreateCaseDup && conflictOn(ev.err, "reference"):
		case ev.op == hCreateCaseForeign && flare.ErrorCodeOf(ev.err) == flare.EFORBIDDEN:
		default:
			h.problem("unexpected answer: %s", ev)
		}

	case hReadCase:
		// Mostly read as another agency: through a grant, or refused.
		if rng.IntN(4) == 0 {
			ev.agency = c.owner
		}
		ev.caseID, ev.id = c.id, c.id
		_, ev.err = h.cases.Case(h.actor(ev.agency, ev.role), c.id)
		if ev.err != nil && (ev.agency == c.owner || flare.ErrorCodeOf(ev.err) != flare.ENOTFOUND) {
			h.problem("unexpected answer: %s", ev)
		}

	case hMove, hIllegalMove, hStale:
		if rng.IntN(4) != 0 {
			ev.agency = c.owner
		}
		ev.caseID, ev.id = c.id, c.id
		ctx := h.actor(ev.agency, ev.role)
		cur, err := h.cases.Case(ctx, c.id)
		if err != nil {
			// The read is the operation: refused to a stranger.
			ev.op, ev.err = hReadCase, err
			if ev.agency == c.owner || flare.ErrorCodeOf(err) != flare.ENOTFOUND {
				h.problem("unexpected answer: %s", ev)
			}
			return []hEvent{ev}
		}
		// The read is an operation of its own in the history.
		read := hEvent{worker: ev.worker, n: ev.n, op: hReadCase, agency: ev.agency, role: ev.role, caseID: c.id, id: c.id}
		ev.n++
		defer func() { evs = append([]hEvent{read}, evs...) }()
		ev.from, ev.version = cur.Status, cur.Version
		upd := flare.CaseUpdate{Version: cur.Version}
		switch ev.op {
		case hMove:
			next := cur.Status.NextStatuses()
			ev.to = next[rng.IntN(len(next))]
		case hIllegalMove:
			var bad []flare.CaseStatus
			for _, s := range flare.CaseStatuses() {
				if !cur.Status.CanMoveTo(s) {
					bad = append(bad, s)
				}
			}
			ev.to = bad[rng.IntN(len(bad))]
		case hStale:
			ev.version = cur.Version - 1
			upd.Version = ev.version
			title := fmt.Sprintf("Stale title %d", rng.IntN(1000))
			upd.Title = &title
		}
		if ev.to != "" {
			to := ev.to
			upd.Status = &to
			if to == flare.CaseClosed {
				reasons := flare.ClosureReasons()
				r := reasons[rng.IntN(len(reasons))]
				upd.ClosureReason = &r
			}
		}
		ev.result, ev.err = h.cases.UpdateCase(ctx, c.id, upd)
		switch {
		case denied(ev.err) && ev.agency != c.owner:
		case ev.op == hMove && (ev.err == nil || conflictOn(ev.err, "version")):
		case ev.op == hIllegalMove && ev.err == nil:
			h.problem("illegal transition accepted: %s", ev)
		case ev.op == hIllegalMove && (conflictOn(ev.err, "status") || conflictOn(ev.err, "version")):
		case ev.op == hStale && ev.err == nil:
			h.problem("update with a stale version accepted: %s", ev)
		case ev.op == hStale && conflictOn(ev.err, "version"):
		default:
			h.problem("unexpected answer: %s", ev)
		}

	case hCreatePerson, hCreateNote, hCreateTask:
		if rng.IntN(5) != 0 {
			ev.agency = c.owner
		}
		ev.caseID = c.id
		ctx := h.actor(ev.agency, ev.role)
		switch ev.op {
		case hCreatePerson:
			p := PersonFixture(c.id, fmt.Sprintf("W%dN%d", ev.worker, ev.n))
			ev.err = h.persons.CreatePerson(ctx, p)
			ev.id = p.ID
		case hCreateNote:
			note := &flare.Note{CaseID: c.id, Text: "Interview at the kiln, worker " + strconv.Itoa(ev.worker)}
			ev.err = h.notes.CreateNote(ctx, note)
			ev.id = note.ID
		case hCreateTask:
			task := &flare.Task{CaseID: c.id, Title: "Visit the worksite again"}
			ev.err = h.tasks.CreateTask(ctx, task)
			ev.id = task.ID
		}
		if ev.err != nil {
			ev.id = ""
			if ev.agency == c.owner || !denied(ev.err) {
				h.problem("unexpected answer: %s", ev)
			}
		}

	case hSend:
		if rng.IntN(5) != 0 {
			ev.agency = c.owner
		}
		ev.caseID = c.id
		to := other(rng, c.owner, n)
		access := flare.GrantContribute
		if rng.IntN(3) == 0 {
			access = flare.GrantRead
		}
		r := &flare.Referral{CaseID: c.id, ToAgencyID: h.agencies[to].a.ID, Purpose: "Assistance to the workers found",
			DueOn: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC),
			Grant: flare.CaseGrant{Access: access, Basis: flare.BasisLaw, Reference: "Anti-Trafficking Act, art. 12"}}
		ev.err = h.refs.SendReferral(h.actor(ev.agency, ev.role), r)
		switch {
		case ev.err == nil:
			ev.id = r.ID
			h.mu.Lock()
			h.knownRef = append(h.knownRef, hReferral{id: r.ID, caseID: c.id, owner: c.owner, to: to})
			h.mu.Unlock()
			if ev.agency != c.owner {
				h.problem("agency %d (not the owner, agency %d) referred case %s onward to agency %d: %s", ev.agency, c.owner, c.id, to, ev)
			}
		case ev.agency != c.owner && denied(ev.err):
		default:
			h.problem("unexpected answer: %s", ev)
		}

	case hAccept, hDecline:
		r, ok := h.pickReferral(rng)
		if !ok {
			ev.op = hListReferrals
			return h.run(ev, rng, ref, n)
		}
		if rng.IntN(7) != 0 {
			ev.agency = r.to
		}
		ev = h.answer(ev, r)

	case hListReferrals:
		var list []*flare.Referral
		list, ev.err = h.refs.Referrals(h.actor(ev.agency, ev.role))
		ev.count = len(list)
		if ev.err != nil {
			h.problem("unexpected answer: %s", ev)
		}

	case hShare:
		switch rng.IntN(10) {
		case 0:
			ev.role = "worker"
			ev.agency = c.owner
		case 1:
			ev.agency = other(rng, c.owner, n)
		default:
			ev.agency, ev.role = c.owner, "supervisor"
		}
		ev.caseID = c.id
		access := flare.GrantRead
		if rng.IntN(2) == 0 {
			access = flare.GrantContribute
		}
		g := lawGrant(c.id, h.agencies[other(rng, c.owner, n)].a.ID, access)
		ev.err = h.grants.ShareCase(h.actor(ev.agency, ev.role), g)
		switch {
		case ev.err == nil:
			ev.id = g.ID
			h.mu.Lock()
			h.knownGr = append(h.knownGr, hGrant{id: g.ID, caseID: c.id, owner: c.owner})
			h.mu.Unlock()
			if ev.agency != c.owner || ev.role != "supervisor" {
				h.problem("shared by someone other than the owner's supervisor: %s", ev)
			}
		case denied(ev.err) && (ev.agency != c.owner || ev.role != "supervisor"):
		default:
			h.problem("unexpected answer: %s", ev)
		}

	case hRevoke:
		h.mu.Lock()
		if len(h.knownGr) == 0 {
			h.mu.Unlock()
			ev.op = hShare
			return h.run(ev, rng, ref, n)
		}
		g := h.knownGr[rng.IntN(len(h.knownGr))]
		h.mu.Unlock()
		ev.agency, ev.role, ev.caseID, ev.id = g.owner, "supervisor", g.caseID, g.id
		if rng.IntN(8) == 0 {
			ev.role = "worker"
		}
		ev.err = h.grants.RevokeGrant(h.actor(ev.agency, ev.role), g.id)
		switch {
		case ev.err == nil && ev.role == "supervisor":
		case flare.ErrorCodeOf(ev.err) == flare.EFORBIDDEN && ev.role == "worker":
		default:
			h.problem("unexpected answer: %s", ev)
		}
	}
	return []hEvent{ev}
}

// answer accepts or declines r as ev says.
func (h *hist) answer(ev hEvent, r hReferral) hEvent {
	ev.caseID, ev.id = r.caseID, r.id
	ctx := h.actor(ev.agency, ev.role)
	var got *flare.Referral
	if ev.op == hAccept {
		got, ev.err = h.refs.AcceptReferral(ctx, r.id)
	} else {
		got, ev.err = h.refs.DeclineReferral(ctx, r.id, "Outside our district")
	}
	switch {
	case ev.err == nil && ev.agency == r.to:
		h.answered(r.id)
		if ev.op == hAccept {
			ev.grantID = got.GrantID
			if got.GrantID == "" {
				h.problem("accepted without a grant: %s", ev)
			}
			h.mu.Lock()
			h.knownGr = append(h.knownGr, hGrant{id: got.GrantID, caseID: r.caseID, owner: r.owner})
			h.mu.Unlock()
		}
	case ev.err == nil:
		h.problem("answered by an agency it was not sent to: %s", ev)
	case ev.agency != r.to && flare.ErrorCodeOf(ev.err) == flare.ENOTFOUND:
	case ev.agency == r.to && flare.ErrorCodeOf(ev.err) == flare.ECONFLICT && strings.Contains(ev.err.Error(), "already"):
	default:
		h.problem("unexpected answer: %s", ev)
	}
	if busy(ev.err) {
		h.problem("busy error reached the caller: %s", ev)
	}
	return ev
}

// race answers one referral from three goroutines at once, as staff of
// the receiving agency clicking together: at most one may win.
func (h *hist) race(w, n int, rng *rand.Rand) []hEvent {
	r, ok := h.pickReferral(rng)
	evs := make([]hEvent, 3)
	if !ok {
		for i := range evs {
			evs[i] = h.do(hEvent{worker: w, n: n + i, op: hListReferrals, agency: rng.IntN(len(h.agencies)), role: "worker"}, rng, "")[0]
		}
		return evs
	}
	for i := range evs {
		evs[i] = hEvent{worker: w, n: n + i, op: hAccept, agency: r.to, role: []string{"worker", "supervisor"}[rng.IntN(2)]}
		if rng.IntN(4) == 0 {
			evs[i].op = hDecline
		}
	}
	var wg sync.WaitGroup
	for i := range evs {
		wg.Go(func() { evs[i] = h.answer(evs[i], r) })
	}
	wg.Wait()
	wins := 0
	for _, e := range evs {
		if e.err == nil {
			wins++
		}
	}
	if wins > 1 {
		h.problem("%d of 3 concurrent answers to referral %s won", wins, r.id)
	}
	return evs
}

// auditKey counts audit entries by action, outcome and record type.
type auditKey struct{ action, outcome, recordType string }

func (k auditKey) String() string { return k.action + "/" + k.outcome + "/" + k.recordType }

// expectedAudit is what the audit log must hold for one acknowledged
// operation, read off the store's code (sqlstore/*.go): every success
// writes its entries in its own transaction, every policy refusal
// (not found or forbidden through the denial path) one "denied" entry in a
// transaction of its own, and conflicts and invalid input nothing.
// A revocation is counted apart: revoking a revoked grant writes nothing.
func expectedAudit(e hEvent) []auditKey {
	ok := func(action, typ string) auditKey { return auditKey{action, "ok", typ} }
	no := func(action, typ string) auditKey { return auditKey{action, "denied", typ} }
	switch {
	case e.op == hReadCase && e.err == nil:
		return []auditKey{ok("read", "case")}
	case e.op == hReadCase && denied(e.err):
		return []auditKey{no("read", "case")}
	}
	if e.err == nil {
		switch e.op {
		case hCreateCase:
			return []auditKey{ok("create", "case")}
		case hMove, hIllegalMove, hStale:
			return []auditKey{ok("update", "case")}
		case hCreatePerson:
			return []auditKey{ok("create", "person")}
		case hCreateNote:
			return []auditKey{ok("create", "note")}
		case hCreateTask:
			return []auditKey{ok("create", "task")}
		case hSend:
			return []auditKey{ok("share", "referral")}
		case hAccept:
			// The referral's status and the grant it creates.
			return []auditKey{ok("share", "referral"), ok("share", "case_grant")}
		case hDecline:
			return []auditKey{ok("update", "referral")}
		case hListReferrals:
			return slices.Repeat([]auditKey{ok("read", "referral")}, e.count)
		case hShare:
			return []auditKey{ok("share", "case_grant")}
		}
		return nil
	}
	if !denied(e.err) {
		return nil
	}
	switch e.op {
	case hCreateCaseForeign:
		return []auditKey{no("create", "case")}
	case hMove, hIllegalMove, hStale:
		return []auditKey{no("update", "case")}
	case hCreatePerson:
		return []auditKey{no("create", "person")}
	case hCreateNote:
		return []auditKey{no("create", "note")}
	case hCreateTask:
		return []auditKey{no("create", "task")}
	case hSend, hShare, hRevoke:
		return []auditKey{no("share", "case")}
	case hAccept:
		// A referral answered by an agency it was not sent to (R-AU1).
		return []auditKey{no("share", "referral")}
	case hDecline:
		return []auditKey{no("update", "referral")}
	case hListReferrals:
		return []auditKey{no("read", "referral")}
	}
	return nil
}

// check compares the history with the database.
func (h *hist) check(t *testing.T, raw *sql.DB, all []hEvent, firstSeq int64) {
	t.Helper()
	created := map[string]map[string]hEvent{} // table -> id -> the create
	add := func(table, id string, e hEvent) {
		if created[table] == nil {
			created[table] = map[string]hEvent{}
		}
		if prev, dup := created[table][id]; dup {
			h.problem("%s %s acknowledged as created twice: %s and %s", table, id, prev, e)
		}
		created[table][id] = e
	}
	accepted := map[string][]hEvent{}
	declined := map[string][]hEvent{}
	revoked := map[string]bool{}
	updates := map[string][]hEvent{}
	for _, e := range all {
		if e.err != nil {
			continue
		}
		switch e.op {
		case hCreateCase:
			add("cases", e.id, e)
		case hCreatePerson:
			add("persons", e.id, e)
		case hCreateNote:
			add("notes", e.id, e)
		case hCreateTask:
			add("tasks", e.id, e)
		case hSend:
			add("referrals", e.id, e)
		case hShare:
			add("case_grants", e.id, e)
		case hAccept:
			accepted[e.id] = append(accepted[e.id], e)
			add("case_grants", e.grantID, e)
		case hDecline:
			declined[e.id] = append(declined[e.id], e)
		case hRevoke:
			revoked[e.id] = true
		case hMove, hIllegalMove, hStale:
			updates[e.caseID] = append(updates[e.caseID], e)
		}
	}

	// Every acknowledged create exists exactly once, in the case it was
	// made in, and no row exists that no create acknowledged.
	for _, table := range []string{"cases", "persons", "notes", "tasks", "referrals", "case_grants"} {
		col := "case_id"
		if table == "cases" {
			col = "id"
		}
		rows := queryRows(t, raw, `SELECT id, `+col+` FROM `+table)
		seen := map[string]int{}
		for _, r := range rows {
			seen[r[0]]++
			e, ok := created[table][r[0]]
			switch {
			case !ok:
				h.problem("%s %s exists but no create of it was acknowledged", table, r[0])
			case e.caseID != r[1]:
				h.problem("%s %s is in case %s, acknowledged in case %s", table, r[0], r[1], e.caseID)
			}
		}
		for id, e := range created[table] {
			if seen[id] != 1 {
				h.problem("acknowledged create of %s %s is stored %d times: %s", table, id, seen[id], e)
			}
		}
		t.Logf("%s: %d acknowledged creates, %d rows", table, len(created[table]), len(rows))
	}

	// No referral answered twice; each accepted one has exactly one grant,
	// the one its acceptance returned.
	refRows := queryRows(t, raw, `SELECT id, status, COALESCE(CAST(grant_id AS TEXT), '') FROM referrals`)
	grantsOf := map[string][]string{}
	for _, g := range queryRows(t, raw, `SELECT id, granted_by FROM case_grants WHERE granted_by LIKE 'referral %'`) {
		id := strings.TrimPrefix(g[1], "referral ")
		grantsOf[id] = append(grantsOf[id], g[0])
	}
	for _, r := range refRows {
		id, status, grant := r[0], r[1], r[2]
		acc, dec := accepted[id], declined[id]
		if len(acc)+len(dec) > 1 {
			h.problem("referral %s acknowledged as answered %d times (%d accepted, %d declined)", id, len(acc)+len(dec), len(acc), len(dec))
		}
		switch {
		case len(acc) == 1:
			if status != string(flare.ReferralAccepted) || grant != acc[0].grantID {
				h.problem("referral %s acknowledged as accepted with grant %s is stored %s with grant %q", id, acc[0].grantID, status, grant)
			}
			if len(grantsOf[id]) != 1 || grantsOf[id][0] != grant {
				h.problem("accepted referral %s has grants %v, want exactly %s", id, grantsOf[id], grant)
			}
		case len(dec) == 1:
			if status != string(flare.ReferralDeclined) || grant != "" || len(grantsOf[id]) != 0 {
				h.problem("referral %s acknowledged as declined is stored %s with grants %v", id, status, grantsOf[id])
			}
		case len(acc)+len(dec) == 0:
			if status != string(flare.ReferralSent) || len(grantsOf[id]) != 0 {
				h.problem("referral %s never answered is stored %s with grants %v", id, status, grantsOf[id])
			}
		}
	}
	nAccepted, nDeclined := 0, 0
	for _, a := range accepted {
		nAccepted += len(a)
	}
	for _, d := range declined {
		nDeclined += len(d)
	}
	t.Logf("referrals: %d sent, %d accepted, %d declined", len(created["referrals"]), nAccepted, nDeclined)

	// Revoked exactly when a revocation was acknowledged.
	for _, g := range queryRows(t, raw, `SELECT id, CASE WHEN revoked_at IS NULL THEN 'no' ELSE 'yes' END FROM case_grants`) {
		if (g[1] == "yes") != revoked[g[0]] {
			h.problem("grant %s revoked = %s, acknowledged revoked = %v", g[0], g[1], revoked[g[0]])
		}
	}

	// No illegal state transition: each case's acknowledged updates,
	// ordered by the version they produced, run 2, 3, ... up to the
	// stored version without a gap or a repeat (a repeat is a lost
	// update), each step allowed by the workflow, ending in the stored
	// status.
	nCases, nMoves := 0, 0
	for _, r := range queryRows(t, raw, `SELECT id, status, version FROM cases`) {
		id, status := r[0], flare.CaseStatus(r[1])
		version, _ := strconv.ParseInt(r[2], 10, 64)
		ups := updates[id]
		slices.SortFunc(ups, func(a, b hEvent) int { return int(a.result.Version - b.result.Version) })
		cur := flare.CaseOpen
		for i, u := range ups {
			if u.result.Version != int64(i)+2 || u.version != int64(i)+1 {
				h.problem("case %s: update %d of the history made version %d from version %d, want %d from %d: %s",
					id, i, u.result.Version, u.version, i+2, i+1, u)
				break
			}
			if u.from != cur {
				h.problem("case %s: update to version %d saw status %s, the history says %s", id, u.result.Version, u.from, cur)
			}
			if !cur.CanMoveTo(u.result.Status) {
				h.problem("case %s: illegal transition %s -> %s acknowledged at version %d", id, cur, u.result.Status, u.result.Version)
			}
			if cur != u.result.Status {
				nMoves++
			}
			cur = u.result.Status
		}
		if version != int64(len(ups))+1 || status != cur {
			h.problem("case %s is stored at version %d in %s; its %d acknowledged updates end in %s", id, version, status, len(ups), cur)
		}
		nCases++
	}
	t.Logf("status replay: %d cases, %d status changes", nCases, nMoves)

	// Audit count equals mutation count, per action, outcome and record
	// type, over the entries the history wrote.
	want := map[auditKey]int{}
	for _, e := range all {
		for _, k := range expectedAudit(e) {
			want[k]++
		}
	}
	want[auditKey{"share", "ok", "case_grant"}] += len(revoked)
	got := map[auditKey]int{}
	for _, r := range queryRows(t, raw, `SELECT action, outcome, record_type, COUNT(*) FROM audit_entries WHERE seq >= $1
		GROUP BY action, outcome, record_type`, firstSeq) {
		n, _ := strconv.Atoi(r[3])
		got[auditKey{r[0], r[1], r[2]}] = n
	}
	keys := map[auditKey]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	total := 0
	for _, k := range slices.SortedFunc(maps.Keys(keys), func(a, b auditKey) int { return strings.Compare(a.String(), b.String()) }) {
		total += got[k]
		if got[k] != want[k] {
			h.problem("audit entries %s: %d in the log, %d acknowledged operations write one", k, got[k], want[k])
		} else {
			t.Logf("  audit %-28s %d", k, got[k])
		}
	}
	t.Logf("audit: %d entries written by the history", total)

	// And per record: each acknowledged create has its one entry, each
	// accepted or declined referral its answer, each revoked grant its
	// revocation.
	perRecord := map[string]int{}
	for _, r := range queryRows(t, raw, `SELECT action, record_type, record_id, fields FROM audit_entries
		WHERE seq >= $1 AND outcome = 'ok' AND action IN ('create', 'share', 'update') AND record_type <> 'case'`, firstSeq) {
		perRecord[r[0]+"/"+r[1]+"/"+r[2]+"/"+r[3]]++
	}
	wantRecord := map[string]int{}
	for table, ids := range created {
		for id := range ids {
			switch table {
			case "persons", "notes", "tasks":
				// One create entry, whatever fields it names.
				wantRecord[fmt.Sprintf("create/%s/%s/", strings.TrimSuffix(table, "s"), id)] = -1
			case "referrals":
				wantRecord["share/referral/"+id+"/due_on,purpose,sharing,to_agency_id"] = 1
			}
		}
	}
	for id := range accepted {
		wantRecord["share/referral/"+id+"/status"] = 1
	}
	for id := range declined {
		wantRecord["update/referral/"+id+"/status"] = 1
	}
	for id := range revoked {
		wantRecord["share/case_grant/"+id+"/revoked_at"] = 1
	}
	prefixCount := func(prefix string) int {
		n := 0
		for k, v := range perRecord {
			if strings.HasPrefix(k, prefix) {
				n += v
			}
		}
		return n
	}
	for k, n := range wantRecord {
		if n == -1 {
			if got := prefixCount(k); got != 1 {
				h.problem("acknowledged create %s has %d audit entries, want 1", k, got)
			}
			continue
		}
		if perRecord[k] != n {
			h.problem("audit entry %s: %d, want %d", k, perRecord[k], n)
		}
	}
	for id := range created["case_grants"] {
		n := 0
		for k, v := range perRecord {
			if strings.HasPrefix(k, "share/case_grant/"+id+"/") && !strings.HasSuffix(k, "/revoked_at") {
				n += v
			}
		}
		if n != 1 {
			h.problem("grant %s has %d share entries, want 1", id, n)
		}
	}
	caseEntries := map[string]int{}
	for _, r := range queryRows(t, raw, `SELECT record_id, action FROM audit_entries WHERE seq >= $1 AND outcome = 'ok'
		AND record_type = 'case' AND action IN ('create', 'update')`, firstSeq) {
		caseEntries[r[1]+"/"+r[0]]++
	}
	for id := range created["cases"] {
		if caseEntries["create/"+id] != 1 || caseEntries["update/"+id] != len(updates[id]) {
			h.problem("case %s has %d create and %d update entries; the history acknowledged 1 and %d",
				id, caseEntries["create/"+id], caseEntries["update/"+id], len(updates[id]))
		}
	}
}

// queryRows runs q and returns every row as text.
func queryRows(t *testing.T, raw *sql.DB, q string, args ...any) [][]string {
	t.Helper()
	rows, err := raw.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}
