package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/policy"
	"github.com/flare-ilo/flare/vault"
	"github.com/flare-ilo/flare/wages"
)

// FundRules are the country's rules for the state compensation fund
// (issue #8: "country rules (ceilings, eligibility) are configuration").
// The zero value sets no ceiling and no eligibility condition.
type FundRules struct {
	// Ceilings caps, per currency, what the fund pays on one claim.
	Ceilings map[string]wages.Amount
	// MinimumStage is the victim status a worker must have reached for
	// the fund to pay ("presumed" or "identified"); empty for none.
	MinimumStage flare.VictimStage
}

// ClaimService implements flare.ClaimService.
type ClaimService struct {
	db    *DB
	keys  *KeyStore
	rules FundRules
}

// NewClaimService returns the claim service on db.
func NewClaimService(db *DB, keys *KeyStore, rules FundRules) *ClaimService {
	return &ClaimService{db: db, keys: keys, rules: rules}
}

var _ flare.ClaimService = (*ClaimService)(nil)

func claimLocation(id string) vault.Location {
	return vault.Location{Table: "wage_claims", Column: "input", RowID: id}
}

// claimScope authorizes action on the claims of a worker and returns the
// worker's case; like assessments, a claim follows the person's access.
func (s *ClaimService) claimScope(ctx context.Context, tx *sql.Tx, personID string, action policy.Action) (*flare.Case, error) {
	return s.db.personScope(ctx, tx, personID, action, "claim")
}

// CreateClaim implements flare.ClaimService.
func (s *ClaimService) CreateClaim(ctx context.Context, c *flare.WageClaim) error {
	if err := c.Validate(); err != nil {
		return err
	}
	input, result, err := flare.ComputeClaim(c.Document)
	if err != nil {
		return err
	}
	c.Input = input
	actor, err := actorOrErr(ctx)
	if err != nil {
		return err
	}
	id, err := newID()
	if err != nil {
		return err
	}
	doc := c.Document
	now := s.db.now().UTC()
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		cs, err := s.claimScope(ctx, tx, c.PersonID, policy.Create)
		if err != nil {
			return err
		}
		if err := s.checkOffenders(ctx, tx, cs.ID, c.Offenders); err != nil {
			return err
		}
		key, err := s.keys.DataKey(ctx, tx, personOwner, c.PersonID)
		if err != nil {
			return fmt.Errorf("claim of person %s: %w", c.PersonID, err)
		}
		sealed, err := key.Seal(claimLocation(id), doc)
		if err != nil {
			return fmt.Errorf("seal claim: %w", err)
		}
		c.ID, c.CaseID, c.Result, c.CreatedBy, c.CreatedAt = id, cs.ID, result, actor.UserID, now
		c.Fill()
		_, err = tx.ExecContext(ctx, `INSERT INTO wage_claims (id, case_id, person_id, currency, claimed_minor, estimated,
			input, offenders, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			id, cs.ID, c.PersonID, c.Currency, int64(c.Claimed), c.Estimated, sealed, joinOffenders(c.Offenders), c.CreatedBy, now)
		if err != nil {
			return fmt.Errorf("insert claim: %w", s.db.dialect.translate(err))
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: "claim", recordID: id, caseID: cs.ID,
			fields: []string{"person_id", "input", "offenders"}})
	})
	return s.db.auditDenied(ctx, err)
}

// checkOffenders refuses offenders that are not people or organisations of
// the claim's case.
func (s *ClaimService) checkOffenders(ctx context.Context, tx *sql.Tx, caseID string, offenders []flare.ClaimOffender) error {
	for _, o := range offenders {
		table := "persons"
		if o.Type == "organisation" {
			table = "organisations"
		}
		var n int
		if validID(o.ID) {
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE id = $1 AND case_id = $2`, o.ID, caseID).Scan(&n); err != nil {
				return fmt.Errorf("check offender: %w", s.db.dialect.translate(err))
			}
		}
		if n == 0 {
			return flare.FieldError("offenders", "%s %s is not in this case", o.Type, o.ID)
		}
	}
	return nil
}

func joinOffenders(os []flare.ClaimOffender) string {
	parts := make([]string, len(os))
	for i, o := range os {
		parts[i] = o.Type + ":" + o.ID
	}
	return strings.Join(parts, ",")
}

func splitOffenders(s string) []flare.ClaimOffender {
	var out []flare.ClaimOffender
	for _, p := range strings.Split(s, ",") {
		if t, id, ok := strings.Cut(p, ":"); ok {
			out = append(out, flare.ClaimOffender{Type: t, ID: id})
		}
	}
	return out
}

// Claim implements flare.ClaimService.
func (s *ClaimService) Claim(ctx context.Context, id string) (*flare.WageClaim, []*flare.LedgerEntry, flare.ClaimBalance, error) {
	var (
		c       *flare.WageClaim
		entries []*flare.LedgerEntry
		bal     flare.ClaimBalance
	)
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		personID, err := s.claimPerson(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := s.claimScope(ctx, tx, personID, policy.Read); err != nil {
			return err
		}
		list, err := s.load(ctx, tx, `WHERE id = $1`, id)
		if err != nil {
			return err
		}
		c = list[0]
		if entries, err = s.ledger(ctx, tx, id); err != nil {
			return err
		}
		bal = balanceOf(c, entries)
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "claim", recordID: id, caseID: c.CaseID,
			fields: []string{"input", "offenders", "ledger"}})
	})
	return c, entries, bal, s.db.auditDenied(ctx, err)
}

func (s *ClaimService) claimPerson(ctx context.Context, q querier, id string) (string, error) {
	if !validID(id) {
		return "", flare.Errorf(flare.ENOTFOUND, "claim not found")
	}
	var personID string
	err := q.QueryRowContext(ctx, `SELECT person_id FROM wage_claims WHERE id = $1`, id).Scan(&personID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", flare.Errorf(flare.ENOTFOUND, "claim not found")
	}
	if err != nil {
		return "", fmt.Errorf("load claim %s: %w", id, s.db.dialect.translate(err))
	}
	return personID, nil
}

// PersonClaims implements flare.ClaimService.
func (s *ClaimService) PersonClaims(ctx context.Context, personID string) ([]*flare.WageClaim, error) {
	var out []*flare.WageClaim
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		cs, err := s.claimScope(ctx, tx, personID, policy.Read)
		if err != nil {
			return err
		}
		if out, err = s.load(ctx, tx, `WHERE person_id = $1 ORDER BY created_at DESC, id DESC LIMIT 200`, personID); err != nil {
			return err
		}
		for _, c := range out {
			if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "claim", recordID: c.ID, caseID: cs.ID,
				fields: []string{"input", "offenders"}}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, s.db.auditDenied(ctx, err)
}

// load reads, unseals and recomputes the claims a WHERE clause selects.
func (s *ClaimService) load(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]*flare.WageClaim, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, case_id, person_id, input, offenders, created_by, created_at FROM wage_claims `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list claims: %w", s.db.dialect.translate(err))
	}
	type row struct {
		c      *flare.WageClaim
		sealed []byte
	}
	var found []row
	for rows.Next() {
		r := row{c: &flare.WageClaim{}}
		var offenders string
		if err := rows.Scan(&r.c.ID, &r.c.CaseID, &r.c.PersonID, &r.sealed, &offenders, &r.c.CreatedBy, &r.c.CreatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan claim: %w", err)
		}
		r.c.Offenders, r.c.CreatedAt = splitOffenders(offenders), r.c.CreatedAt.UTC()
		found = append(found, r)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("list claims: %w", err)
	}
	out := make([]*flare.WageClaim, 0, len(found))
	for _, r := range found {
		key, err := s.keys.DataKey(ctx, tx, personOwner, r.c.PersonID)
		if err != nil {
			return nil, fmt.Errorf("open claim %s: %w", r.c.ID, err)
		}
		doc, err := key.Open(claimLocation(r.c.ID), r.sealed)
		if err != nil {
			return nil, fmt.Errorf("open claim %s: %w", r.c.ID, err)
		}
		if r.c.Input, err = wages.DecodeClaim(doc); err != nil {
			return nil, fmt.Errorf("decode claim %s: %w", r.c.ID, err)
		}
		if r.c.Result, err = wages.Compute(r.c.Input); err != nil {
			return nil, fmt.Errorf("compute claim %s: %w", r.c.ID, err)
		}
		r.c.Fill()
		out = append(out, r.c)
	}
	return out, nil
}

// ledger reads a claim's entries in the order they were recorded.
func (s *ClaimService) ledger(ctx context.Context, tx *sql.Tx, claimID string) ([]*flare.LedgerEntry, error) {
	rows, err := tx.QueryContext(ctx, `SELECT l.id, l.claim_id, l.kind, l.amount_minor, l.decided_on, l.basis, l.reference,
		l.recorded_by, l.recorded_at, c.currency FROM claim_ledger l JOIN wage_claims c ON c.id = l.claim_id
		WHERE l.claim_id = $1 ORDER BY l.seq`, claimID)
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", s.db.dialect.translate(err))
	}
	defer rows.Close()
	var out []*flare.LedgerEntry
	for rows.Next() {
		var e flare.LedgerEntry
		var amount int64
		var kind, basis, currency string
		if err := rows.Scan(&e.ID, &e.ClaimID, &kind, &amount, &e.DecidedOn, &basis, &e.Reference, &e.RecordedBy, &e.RecordedAt, &currency); err != nil {
			return nil, fmt.Errorf("scan ledger: %w", err)
		}
		e.Kind, e.Basis, e.Amount = flare.LedgerKind(kind), flare.AwardBasis(basis), wages.Amount(amount)
		e.DecidedOn, e.RecordedAt = flare.DateOf(e.DecidedOn), e.RecordedAt.UTC()
		cur, _ := wages.LookupCurrency(currency)
		e.AmountText = cur.Format(e.Amount)
		out = append(out, &e)
	}
	return out, rows.Err()
}

// sums adds up a ledger by kind.
func sums(entries []*flare.LedgerEntry) map[flare.LedgerKind]wages.Amount {
	m := map[flare.LedgerKind]wages.Amount{}
	for _, e := range entries {
		m[e.Kind] += e.Amount
	}
	return m
}

// balanceOf derives a claim's balance from its ledger.
func balanceOf(c *flare.WageClaim, entries []*flare.LedgerEntry) flare.ClaimBalance {
	cur, _ := wages.LookupCurrency(c.Currency)
	m := sums(entries)
	awarded := m[flare.LedgerAwarded] + m[flare.LedgerDamages]
	paid := m[flare.LedgerPaidByOffender] + m[flare.LedgerPaidByFund]
	return flare.ClaimBalance{Currency: c.Currency, Claimed: cur.Format(c.Claimed), Awarded: cur.Format(awarded),
		PaidByOffender: cur.Format(m[flare.LedgerPaidByOffender]), PaidByFund: cur.Format(m[flare.LedgerPaidByFund]),
		OwedToWorker: cur.Format(max(awarded-paid, 0)), RecoveredByFund: cur.Format(m[flare.LedgerRecoveredByFund]),
		OutstandingRecovery: cur.Format(m[flare.LedgerPaidByFund] - m[flare.LedgerRecoveredByFund])}
}

// AddLedgerEntry implements flare.ClaimService. The claim row is updated
// first, which locks it on PostgreSQL (SQLite has one writer), so two
// concurrent payments cannot both pass the checks on the same balance.
func (s *ClaimService) AddLedgerEntry(ctx context.Context, e *flare.LedgerEntry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	actor, err := actorOrErr(ctx)
	if err != nil {
		return err
	}
	id, err := newID()
	if err != nil {
		return err
	}
	now := s.db.now().UTC()
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		personID, err := s.claimPerson(ctx, tx, e.ClaimID)
		if err != nil {
			return err
		}
		cs, err := s.claimScope(ctx, tx, personID, policy.Update)
		if err != nil {
			return err
		}
		var currency string
		if err := tx.QueryRowContext(ctx, `UPDATE wage_claims SET ledger_rows = ledger_rows + 1 WHERE id = $1 RETURNING currency`,
			e.ClaimID).Scan(&currency); err != nil {
			return fmt.Errorf("lock claim %s: %w", e.ClaimID, s.db.dialect.translate(err))
		}
		cur, _ := wages.LookupCurrency(currency)
		if e.Amount, err = parseAmount(cur, e.AmountText); err != nil {
			return err
		}
		entries, err := s.ledger(ctx, tx, e.ClaimID)
		if err != nil {
			return err
		}
		if err := s.checkEntry(ctx, tx, e, personID, cur, sums(entries)); err != nil {
			return err
		}
		e.ID, e.RecordedBy, e.RecordedAt, e.AmountText = id, actor.UserID, now, cur.Format(e.Amount)
		_, err = tx.ExecContext(ctx, `INSERT INTO claim_ledger (id, claim_id, kind, amount_minor, decided_on, basis, reference,
			recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			id, e.ClaimID, string(e.Kind), int64(e.Amount), e.DecidedOn, string(e.Basis), e.Reference, e.RecordedBy, now)
		if err != nil {
			return fmt.Errorf("append to ledger: %w", s.db.dialect.translate(err))
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: "claim_ledger", recordID: id, caseID: cs.ID,
			fields: []string{"kind", "amount", "decided_on", "basis", "reference"}})
	})
	return s.db.auditDenied(ctx, err)
}

// parseAmount reads a positive amount of money in cur.
func parseAmount(cur wages.Currency, text string) (wages.Amount, error) {
	d, err := wages.ParseDecimal(strings.TrimSpace(text))
	if err != nil {
		return 0, flare.FieldError("amount", "must be a number like 1234.50")
	}
	a, err := cur.Amount(d)
	if err != nil {
		return 0, flare.FieldError("amount", "%v", err)
	}
	if a <= 0 {
		return 0, flare.FieldError("amount", "must be more than 0")
	}
	return a, nil
}

// checkEntry applies the ledger's rules: the worker is never paid more
// than was awarded, the fund pays within its ceiling and to eligible
// workers, and recovers no more than it paid.
func (s *ClaimService) checkEntry(ctx context.Context, tx *sql.Tx, e *flare.LedgerEntry, personID string, cur wages.Currency, m map[flare.LedgerKind]wages.Amount) error {
	awarded := m[flare.LedgerAwarded] + m[flare.LedgerDamages]
	owed := awarded - m[flare.LedgerPaidByOffender] - m[flare.LedgerPaidByFund]
	switch e.Kind {
	case flare.LedgerPaidByOffender, flare.LedgerPaidByFund:
		if e.Amount > owed {
			return &flare.Error{Code: flare.ECONFLICT, Fields: map[string]string{"amount": "more than is owed"},
				Message: fmt.Sprintf("only %s %s awarded is still unpaid: record the award first", cur.Format(max(owed, 0)), cur.Code)}
		}
	case flare.LedgerRecoveredByFund:
		if out := m[flare.LedgerPaidByFund] - m[flare.LedgerRecoveredByFund]; e.Amount > out {
			return &flare.Error{Code: flare.ECONFLICT, Fields: map[string]string{"amount": "more than the fund paid"},
				Message: fmt.Sprintf("the fund has only %s %s left to recover on this claim", cur.Format(out), cur.Code)}
		}
	}
	if e.Kind != flare.LedgerPaidByFund {
		return nil
	}
	if ceiling, ok := s.rules.Ceilings[cur.Code]; ok && m[flare.LedgerPaidByFund]+e.Amount > ceiling {
		return &flare.Error{Code: flare.ECONFLICT, Fields: map[string]string{"amount": "above the fund's ceiling"},
			Message: fmt.Sprintf("the fund pays at most %s %s on one claim", cur.Format(ceiling), cur.Code)}
	}
	if s.rules.MinimumStage != "" {
		var stage string
		if err := tx.QueryRowContext(ctx, `SELECT victim_stage FROM persons WHERE id = $1`, personID).Scan(&stage); err != nil {
			return fmt.Errorf("check eligibility: %w", s.db.dialect.translate(err))
		}
		if !stageReached(flare.VictimStage(stage), s.rules.MinimumStage) {
			return flare.Errorf(flare.ECONFLICT, "the fund pays only workers recorded as %s victims", s.rules.MinimumStage)
		}
	}
	return nil
}

// stageReached reports whether have is at least want.
func stageReached(have, want flare.VictimStage) bool {
	rank := map[flare.VictimStage]int{flare.VictimSuspected: 1, flare.VictimPresumed: 2, flare.VictimIdentified: 3}
	return rank[have] >= rank[want]
}

// FundTotals implements flare.ClaimService: the balances of every claim in
// the cases the actor may see (its agency's, and those shared whole with
// it), per currency.
func (s *ClaimService) FundTotals(ctx context.Context) ([]flare.FundTotals, error) {
	actor, err := actorOrErr(ctx)
	if err != nil {
		return nil, err
	}
	own := policy.Record{Type: "claim", OwnerAgencyID: actor.AgencyID}
	if !actor.Console {
		if err := policy.Error(policy.Decide(actor, policy.Read, own, nil), own); err != nil {
			return nil, s.db.recordDenial(ctx, err, auditEvent{action: audit.ActionRead, recordType: "fund_totals"})
		}
	}
	query := `SELECT c.currency, c.id, COALESCE(l.kind, ''), COALESCE(SUM(l.amount_minor), 0) FROM wage_claims c
		LEFT JOIN claim_ledger l ON l.claim_id = c.id`
	var args []any
	if !actor.Console {
		query += ` WHERE c.case_id IN (SELECT id FROM cases WHERE agency_id = $1) OR c.case_id IN (SELECT case_id FROM case_grants
			WHERE agency_id = $1 AND revoked_at IS NULL AND person_ids = '' AND (expires_on IS NULL OR expires_on >= $2))`
		args = append(args, actor.AgencyID, flare.DateOf(s.db.now()))
	}
	query += ` GROUP BY c.currency, c.id, l.kind`
	type acc struct {
		claims map[string]bool
		m      map[flare.LedgerKind]wages.Amount
		owed   wages.Amount
	}
	per := map[string]*acc{}
	perClaim := map[string]map[flare.LedgerKind]wages.Amount{}
	claimCur := map[string]string{}
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("fund totals: %w", s.db.dialect.translate(err))
		}
		defer rows.Close()
		for rows.Next() {
			var cur, id, kind string
			var sum int64
			if err := rows.Scan(&cur, &id, &kind, &sum); err != nil {
				return fmt.Errorf("fund totals: %w", err)
			}
			if perClaim[id] == nil {
				perClaim[id] = map[flare.LedgerKind]wages.Amount{}
			}
			claimCur[id] = cur
			if kind != "" {
				perClaim[id][flare.LedgerKind(kind)] += wages.Amount(sum)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("fund totals: %w", err)
		}
		// The totals are a read of every claim they sum: one audit entry
		// for the whole view, with no values.
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "fund_totals", fields: []string{"ledger"}})
	})
	if err != nil {
		return nil, err
	}
	for id, m := range perClaim {
		a := per[claimCur[id]]
		if a == nil {
			a = &acc{claims: map[string]bool{}, m: map[flare.LedgerKind]wages.Amount{}}
			per[claimCur[id]] = a
		}
		a.claims[id] = true
		for k, v := range m {
			a.m[k] += v
		}
		a.owed += max(m[flare.LedgerAwarded]+m[flare.LedgerDamages]-m[flare.LedgerPaidByOffender]-m[flare.LedgerPaidByFund], 0)
	}
	var out []flare.FundTotals
	for code, a := range per {
		cur, _ := wages.LookupCurrency(code)
		out = append(out, flare.FundTotals{Currency: code, Claims: len(a.claims),
			Awarded:       cur.Format(a.m[flare.LedgerAwarded] + a.m[flare.LedgerDamages]),
			OwedToWorkers: cur.Format(a.owed), PaidByOffenders: cur.Format(a.m[flare.LedgerPaidByOffender]),
			PaidByFund:          cur.Format(a.m[flare.LedgerPaidByFund]),
			OutstandingRecovery: cur.Format(a.m[flare.LedgerPaidByFund] - a.m[flare.LedgerRecoveredByFund])})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out, nil
}
