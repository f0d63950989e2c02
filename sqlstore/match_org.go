package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/linkage"
	"github.com/flare-ilo/flare/policy"
)

// The fixed model of organisation proposals (docs/linkage.md, "In the
// application"): the same employer appears under a trade name, a
// registered name and a misspelling.
var (
	orgPrior      = 0.01
	orgNameLevels = []matchLevel{{"exact", 0.80, 0.001}, {"close", 0.12, 0.005}, {"similar", 0.05, 0.03}, {"different", 0.03, 0.964}}
	orgRegLevels  = []matchLevel{{"shared", 0.60, 0.00001}, {"different", 0.20, 0.9}}
	orgCtryLevels = []matchLevel{{"same", 0.97, 0.3}, {"different", 0.03, 0.7}}
	orgCityLevels = []matchLevel{{"same", 0.80, 0.05}, {"different", 0.20, 0.95}}
)

// orgStopWords are words too common in organisation names to propose a
// candidate on their own.
var orgStopWords = map[string]bool{"limited": true, "ltd": true, "company": true, "co": true, "inc": true, "llc": true,
	"plc": true, "sa": true, "sarl": true, "gmbh": true, "group": true, "the": true, "and": true, "of": true, "de": true,
	"la": true, "el": true, "et": true, "y": true, "e": true, "farm": true, "enterprises": true, "services": true}

// OrganisationMatches implements flare.MatchService.
func (s *MatchService) OrganisationMatches(ctx context.Context, orgID string) ([]flare.OrganisationMatch, error) {
	actor, err := actorOrErr(ctx)
	if err != nil {
		return nil, err
	}
	orgs := NewOrganisationService(s.db)
	o, err := orgs.Organisation(ctx, orgID)
	if err != nil {
		return nil, err
	}
	ids, decided, err := s.orgCandidates(ctx, actor, o)
	if err != nil {
		return nil, err
	}
	var out []flare.OrganisationMatch
	for _, id := range ids {
		other, err := orgs.Organisation(ctx, id)
		if code := flare.ErrorCodeOf(err); code == flare.ENOTFOUND || code == flare.EFORBIDDEN {
			continue
		} else if err != nil {
			return nil, err
		}
		m := compareOrganisations(o, other)
		m.Decision = decided[id]
		if m.Decision == flare.MatchConfirmed || m.Probability >= minMatchShown {
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if (out[i].Decision == flare.MatchConfirmed) != (out[j].Decision == flare.MatchConfirmed) {
			return out[i].Decision == flare.MatchConfirmed
		}
		return out[i].Probability > out[j].Probability
	})
	return out, nil
}

// orgCandidates lists the organisations of the visible cases whose indexed
// names or numbers share a distinctive word with o's, and the decided ones.
func (s *MatchService) orgCandidates(ctx context.Context, actor flare.Actor, o *flare.Organisation) ([]string, map[string]string, error) {
	decided := map[string]string{}
	var words []string
	for _, w := range searchTerms(strings.Join(append(append([]string{o.Name}, o.TradeNames...), regNumbers(o)...), " ")) {
		if !orgStopWords[w] && len([]rune(w)) > 1 {
			words = append(words, w)
		}
	}
	var ids []string
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.readDecisions(ctx, tx, "organisation_links", "org_a", "org_b", o.ID, decided); err != nil {
			return err
		}
		if len(words) > 0 {
			args := []any{s.db.anyWordQuery(words), o.ID}
			q := s.db.dialect.anyWordEntries("$1") + ` AND e.record_type = 'organisation' AND e.record_id <> $2`
			if !actor.Console {
				args = append(args, actor.AgencyID)
				q += ` AND e.case_id IN (SELECT id FROM cases WHERE agency_id = $3
					UNION SELECT case_id FROM case_grants WHERE agency_id = $3 AND revoked_at IS NULL AND person_ids = '')`
			}
			q += fmt.Sprintf(` ORDER BY e.record_id LIMIT %d`, maxMatchCandidates)
			found, err := candidateIDs(ctx, tx, q, args)
			if err != nil {
				return err
			}
			for _, id := range found {
				if decided[id] != flare.MatchRejected {
					ids = append(ids, id)
				}
			}
		}
		for id, d := range decided {
			if d == flare.MatchConfirmed && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		return nil
	})
	return ids, decided, err
}

// anyWordQuery writes words as a full-text query matching any of them.
func (db *DB) anyWordQuery(words []string) string {
	if db.dialect.name() == "sqlite" {
		q := make([]string, len(words))
		for i, w := range words {
			q[i] = `"` + w + `"`
		}
		return strings.Join(q, " OR ")
	}
	return strings.Join(words, " | ")
}

// anyWordEntries implements dialect for SQLite: the entries (alias e,
// columns record_id and case_id) matching the query in param.
func (sqliteDialect) anyWordEntries(param string) string {
	return `SELECT DISTINCT e.record_id, e.case_id FROM search_fts JOIN search_entries e ON e.id = search_fts.rowid
		WHERE search_fts MATCH ` + param
}

// anyWordEntries implements dialect for PostgreSQL.
func (postgresDialect) anyWordEntries(param string) string {
	return `SELECT DISTINCT e.record_id, e.case_id FROM search_entries e WHERE e.tsv @@ to_tsquery('simple', ` + param + `)`
}

func regNumbers(o *flare.Organisation) []string {
	var out []string
	for _, r := range o.Registrations {
		out = append(out, r.Number)
	}
	return out
}

// compareOrganisations scores a pair of organisations field by field.
func compareOrganisations(a, b *flare.Organisation) flare.OrganisationMatch {
	m := flare.OrganisationMatch{Organisation: b}
	add := func(field string, l matchLevel) {
		m.Fields = append(m.Fields, flare.MatchField{Field: field, Level: l.label, Weight: math.Round(weight(l)*100) / 100})
	}
	best := 0.0
	for _, na := range append([]string{a.Name}, a.TradeNames...) {
		for _, nb := range append([]string{b.Name}, b.TradeNames...) {
			fa, fb := linkage.FoldOrganisation(na), linkage.FoldOrganisation(nb)
			best = math.Max(best, math.Max(linkage.TokenSetSimilarity(fa, fb), linkage.JaroWinkler(fa, fb)))
		}
	}
	switch {
	case best >= 0.99:
		add("name", orgNameLevels[0])
	case best >= 0.90:
		add("name", orgNameLevels[1])
	case best >= 0.75:
		add("name", orgNameLevels[2])
	default:
		add("name", orgNameLevels[3])
	}
	if ra, rb := regNumbers(a), regNumbers(b); len(ra) > 0 && len(rb) > 0 {
		shared := false
		for _, x := range ra {
			for _, y := range rb {
				shared = shared || linkage.FoldCode(x) == linkage.FoldCode(y)
			}
		}
		add("registration", orgRegLevels[map[bool]int{true: 0, false: 1}[shared]])
	}
	if a.Country != "" && b.Country != "" {
		add("country", orgCtryLevels[map[bool]int{true: 0, false: 1}[a.Country == b.Country]])
	}
	if a.City != "" && b.City != "" {
		add("city", orgCityLevels[map[bool]int{true: 0, false: 1}[linkage.Fold(a.City) == linkage.Fold(b.City)]])
	}
	total := math.Log2(orgPrior / (1 - orgPrior))
	for _, f := range m.Fields {
		total += f.Weight
	}
	m.Probability = math.Round(1/(1+math.Exp2(-total))*10000) / 10000
	return m
}

// DecideOrganisationMatch implements flare.MatchService: the right to
// update the first organisation's case and to read the other.
func (s *MatchService) DecideOrganisationMatch(ctx context.Context, orgID, otherID, decision string) error {
	if decision != flare.MatchConfirmed && decision != flare.MatchRejected {
		return flare.FieldError("decision", "must be confirmed or rejected")
	}
	if orgID == otherID {
		return flare.FieldError("organisation_id", "an organisation is not its own match")
	}
	actor, err := actorOrErr(ctx)
	if err != nil {
		return err
	}
	orgs := NewOrganisationService(s.db)
	other, err := orgs.Organisation(ctx, otherID)
	if err != nil {
		return err
	}
	a, b := orgID, otherID
	if b < a {
		a, b = b, a
	}
	now := s.db.now().UTC()
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		o, err := s.db.loadOrganisationAndCase(ctx, tx, orgID, policy.Update, audit.ActionUpdate)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO organisation_links (org_a, org_b, decision, decided_by, decided_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_a, org_b) DO UPDATE
			SET decision = excluded.decision, decided_by = excluded.decided_by, decided_at = excluded.decided_at`,
			a, b, decision, actor.UserID, now)
		if err != nil {
			return fmt.Errorf("record match decision: %w", s.db.dialect.translate(err))
		}
		if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionUpdate, recordType: "organisation", recordID: orgID, caseID: o.CaseID,
			fields: []string{"links"}}); err != nil {
			return err
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionUpdate, recordType: "organisation", recordID: otherID, caseID: other.CaseID,
			fields: []string{"links"}})
	})
	return s.db.auditDenied(ctx, err)
}
