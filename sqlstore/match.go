package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/linkage"
)

// MatchService implements flare.MatchService for people (issue #9, "in the
// application"). Candidates come from the blind index (people sharing a
// word of their names) among the cases the actor's agency may see; each is
// read through the person service, so it is authorised and audited like
// any read, and one whose identity the actor may not read is never
// compared, let alone shown.
type MatchService struct {
	db      *DB
	persons *PersonService
}

// NewMatchService returns the match service on db.
func NewMatchService(db *DB, persons *PersonService) *MatchService {
	return &MatchService{db: db, persons: persons}
}

var _ flare.MatchService = (*MatchService)(nil)

// Limits of a proposal: candidates read, and the least probability shown.
const (
	maxMatchCandidates = 50
	minMatchShown      = 0.05
)

// matchLevel is one agreement level of a field with its fixed m and u.
type matchLevel struct {
	label string
	m, u  float64
}

// The Fellegi-Sunter model of the in-application proposal. Unlike `flare
// link`, which estimates m and u by EM over whole files, a proposal looks
// at one person and a few candidates: too few pairs to estimate from, so
// the probabilities are fixed, conservative priors (docs/linkage.md, "In
// the application"). matchPrior is the prior probability that two people
// sharing a word of their names are the same person.
var (
	matchPrior  = 0.001
	nameLevels  = []matchLevel{{"exact", 0.85, 0.0005}, {"close", 0.10, 0.002}, {"similar", 0.03, 0.02}, {"different", 0.02, 0.9775}}
	birthLevels = []matchLevel{{"exact", 0.90, 0.0003}, {"near", 0.07, 0.003}, {"different", 0.03, 0.9967}}
	cityLevels  = []matchLevel{{"shared", 0.95, 0.3}, {"different", 0.05, 0.7}}
	sexLevels   = []matchLevel{{"same", 0.97, 0.5}, {"different", 0.03, 0.5}}
)

func weight(l matchLevel) float64 { return math.Log2(l.m / l.u) }

// PossibleMatches implements flare.MatchService.
func (s *MatchService) PossibleMatches(ctx context.Context, personID string) ([]flare.PersonMatch, error) {
	actor, err := actorOrErr(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.persons.Person(ctx, personID)
	if err != nil {
		return nil, err
	}
	if p.PersonIdentity == nil {
		return nil, flare.Errorf(flare.EFORBIDDEN, "matching compares names and dates of birth: you may not read this person's identity")
	}
	ids, decided, err := s.candidates(ctx, actor, p.ID)
	if err != nil {
		return nil, err
	}
	var out []flare.PersonMatch
	for _, id := range ids {
		other, err := s.persons.Person(ctx, id)
		if code := flare.ErrorCodeOf(err); code == flare.ENOTFOUND || code == flare.EFORBIDDEN {
			continue
		} else if err != nil {
			return nil, err
		}
		if other.PersonIdentity == nil {
			continue // never compare what the actor may not read
		}
		m := comparePersons(p, other)
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

// candidates lists the people sharing a word of personID's names in cases
// the actor's agency owns or was granted, and the people already decided
// on; rejected ones are left out.
func (s *MatchService) candidates(ctx context.Context, actor flare.Actor, personID string) ([]string, map[string]string, error) {
	decided := map[string]string{}
	var ids []string
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.readDecisions(ctx, tx, "person_links", "person_a", "person_b", personID, decided); err != nil {
			return err
		}
		args := []any{personID}
		q := `SELECT DISTINCT t.person_id, t.case_id FROM person_name_tokens t
			WHERE t.token IN (SELECT token FROM person_name_tokens WHERE person_id = $1) AND t.person_id <> $1`
		if !actor.Console {
			args = append(args, actor.AgencyID)
			q += ` AND t.case_id IN (SELECT id FROM cases WHERE agency_id = $2
				UNION SELECT case_id FROM case_grants WHERE agency_id = $2 AND revoked_at IS NULL)`
		}
		q += fmt.Sprintf(` ORDER BY t.person_id LIMIT %d`, maxMatchCandidates)
		found, err := candidateIDs(ctx, tx, q, args)
		if err != nil {
			return err
		}
		for _, id := range found {
			if decided[id] != flare.MatchRejected {
				ids = append(ids, id)
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

// readDecisions reads the match decisions on id from a links table
// (person_links, organisation_links) into decided, keyed by the other id.
func (s *MatchService) readDecisions(ctx context.Context, tx *sql.Tx, table, colA, colB, id string, decided map[string]string) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+colA+`, `+colB+`, decision FROM `+table+` WHERE `+colA+` = $1 OR `+colB+` = $1`, id)
	if err != nil {
		return fmt.Errorf("read match decisions: %w", s.db.dialect.translate(err))
	}
	defer rows.Close()
	for rows.Next() {
		var a, b, d string
		if err := rows.Scan(&a, &b, &d); err != nil {
			return fmt.Errorf("read match decisions: %w", err)
		}
		if a == id {
			decided[b] = d
		} else {
			decided[a] = d
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read match decisions: %w", err)
	}
	return nil
}

// comparePersons scores a pair field by field with the linkage package's
// comparators.
func comparePersons(a, b *flare.Person) flare.PersonMatch {
	m := flare.PersonMatch{Person: b}
	add := func(field string, l matchLevel) {
		m.Fields = append(m.Fields, flare.MatchField{Field: field, Level: l.label, Weight: math.Round(weight(l)*100) / 100})
	}
	na, nb := linkage.FoldName(a.FullName()), linkage.FoldName(b.FullName())
	sim := math.Max(linkage.JaroWinkler(na, nb), linkage.TokenSetSimilarity(na, nb))
	switch {
	case na == nb || sim >= 0.99:
		add("name", nameLevels[0])
	case sim >= 0.92:
		add("name", nameLevels[1])
	case sim >= 0.80:
		add("name", nameLevels[2])
	default:
		add("name", nameLevels[3])
	}
	if a.Birthdate != nil && b.Birthdate != nil {
		da, db := flare.DateOf(*a.Birthdate), flare.DateOf(*b.Birthdate)
		swapped := da.Year() == db.Year() && int(da.Month()) == db.Day() && da.Day() == int(db.Month())
		switch diff := math.Abs(da.Sub(db).Hours() / 24); {
		case diff == 0:
			add("birthdate", birthLevels[0])
		case swapped || diff <= 366:
			add("birthdate", birthLevels[1])
		default:
			add("birthdate", birthLevels[2])
		}
	}
	if len(a.Citizenship) > 0 && len(b.Citizenship) > 0 {
		shared := false
		for _, c := range a.Citizenship {
			shared = shared || slices.Contains(b.Citizenship, c)
		}
		add("citizenship", cityLevels[map[bool]int{true: 0, false: 1}[shared]])
	}
	if a.Gender != "" && b.Gender != "" && a.Gender != flare.GenderNonSpecifiedUnknown && b.Gender != flare.GenderNonSpecifiedUnknown {
		add("gender", sexLevels[map[bool]int{true: 0, false: 1}[a.Gender == b.Gender]])
	}
	total := math.Log2(matchPrior / (1 - matchPrior))
	for _, f := range m.Fields {
		total += f.Weight
	}
	m.Probability = math.Round(1/(1+math.Exp2(-total))*10000) / 10000
	return m
}

// DecideMatch implements flare.MatchService. Deciding needs the right to
// update the first person and to read the other; it is audited on both.
func (s *MatchService) DecideMatch(ctx context.Context, personID, otherID, decision string) error {
	if decision != flare.MatchConfirmed && decision != flare.MatchRejected {
		return flare.FieldError("decision", "must be confirmed or rejected")
	}
	if personID == otherID {
		return flare.FieldError("person_id", "a person is not their own match")
	}
	actor, err := actorOrErr(ctx)
	if err != nil {
		return err
	}
	other, err := s.persons.Person(ctx, otherID)
	if err != nil {
		return err
	}
	if other.PersonIdentity == nil {
		return flare.Errorf(flare.EFORBIDDEN, "you may not read the other person's identity")
	}
	a, b := personID, otherID
	if b < a {
		a, b = b, a
	}
	now := s.db.now().UTC()
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		cs, err := s.db.personScope(ctx, tx, personID, "update", "person")
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO person_links (person_a, person_b, decision, decided_by, decided_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (person_a, person_b) DO UPDATE
			SET decision = excluded.decision, decided_by = excluded.decided_by, decided_at = excluded.decided_at`,
			a, b, decision, actor.UserID, now)
		if err != nil {
			return fmt.Errorf("record match decision: %w", s.db.dialect.translate(err))
		}
		if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionUpdate, recordType: "person", recordID: personID, caseID: cs.ID,
			fields: []string{"links"}}); err != nil {
			return err
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionUpdate, recordType: "person", recordID: otherID, caseID: other.CaseID,
			fields: []string{"links"}})
	})
	return s.db.auditDenied(ctx, err)
}
