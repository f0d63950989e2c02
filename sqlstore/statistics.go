package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
)

// StatisticsService implements flare.StatisticsService.
type StatisticsService struct{ db *DB }

// NewStatisticsService returns the statistics service on db.
func NewStatisticsService(db *DB) *StatisticsService { return &StatisticsService{db: db} }

var _ flare.StatisticsService = (*StatisticsService)(nil)

// CaptureTable implements flare.StatisticsService. It counts across every
// agency, since a multiple systems estimation needs every list; what leaves
// the database is counts per pattern, and the computation is one audited
// read of the statistics, not of any case.
func (s *StatisticsService) CaptureTable(ctx context.Context, f flare.CaptureFilter) (*flare.CaptureTable, error) {
	actor, err := actorOrErr(ctx)
	if err != nil {
		return nil, err
	}
	if !actor.Console && !slices.Contains(actor.Roles, string(flare.RoleAnalyst)) &&
		!slices.Contains(actor.Roles, string(flare.RoleSupervisor)) {
		return nil, s.db.recordDenial(ctx, flare.Errorf(flare.EFORBIDDEN, "statistics are for analysts and supervisors"),
			auditEvent{action: audit.ActionRead, recordType: "statistics"})
	}
	switch {
	case f.From.IsZero() || f.To.IsZero():
		return nil, flare.FieldError("from", "give the period: from and to")
	case f.To.Before(f.From):
		return nil, flare.FieldError("to", "is before from")
	}
	args := []any{flare.DateOf(f.From), flare.DateOf(f.To)}
	q := `SELECT p.id, a.name FROM persons p JOIN cases c ON c.id = p.case_id JOIN agencies a ON a.id = c.agency_id
		WHERE p.role = 'presumed_victim' AND c.opened_on >= $1 AND c.opened_on <= $2`
	if r := flare.CleanLine(f.Region); r != "" {
		args = append(args, r)
		q += ` AND c.region = $3`
	}
	agencyOf := map[string]string{}
	var links [][2]string
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("capture lists: %w", s.db.dialect.translate(err))
		}
		for rows.Next() {
			var id, agency string
			if err := rows.Scan(&id, &agency); err != nil {
				rows.Close()
				return fmt.Errorf("capture lists: %w", err)
			}
			agencyOf[id] = agency
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("capture lists: %w", err)
		}
		rows, err = tx.QueryContext(ctx, `SELECT person_a, person_b FROM person_links WHERE decision = 'confirmed'`)
		if err != nil {
			return fmt.Errorf("capture links: %w", s.db.dialect.translate(err))
		}
		defer rows.Close()
		for rows.Next() {
			var a, b string
			if err := rows.Scan(&a, &b); err != nil {
				return fmt.Errorf("capture links: %w", err)
			}
			if _, ok := agencyOf[a]; ok {
				if _, ok := agencyOf[b]; ok {
					links = append(links, [2]string{a, b})
				}
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("capture links: %w", err)
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "statistics", fields: []string{"capture_table"}})
	})
	if err != nil {
		return nil, err
	}
	return captureTable(agencyOf, links), nil
}

// captureTable joins linked records into individuals (connected
// components) and counts the individuals per pattern of agencies.
func captureTable(agencyOf map[string]string, links [][2]string) *flare.CaptureTable {
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		if p, ok := parent[x]; ok && p != x {
			parent[x] = find(p)
			return parent[x]
		}
		parent[x] = x
		return x
	}
	for _, l := range links {
		ra, rb := find(l[0]), find(l[1])
		if ra != rb {
			parent[ra] = rb
		}
	}
	listSet := map[string]bool{}
	for _, a := range agencyOf {
		listSet[a] = true
	}
	var lists []string
	for a := range listSet {
		lists = append(lists, a)
	}
	sort.Strings(lists)
	index := map[string]int{}
	for i, a := range lists {
		index[a] = i
	}
	members := map[string]uint64{}
	for id, a := range agencyOf {
		members[find(id)] |= 1 << index[a]
	}
	counts := map[uint64]int{}
	for _, mask := range members {
		counts[mask]++
	}
	t := &flare.CaptureTable{Lists: lists, Individuals: len(members), Records: len(agencyOf), Links: len(links)}
	var masks []uint64
	for m := range counts {
		masks = append(masks, m)
	}
	sort.Slice(masks, func(i, j int) bool { return masks[i] < masks[j] })
	for _, m := range masks {
		on := make([]bool, len(lists))
		for i := range lists {
			on[i] = m&(1<<i) != 0
		}
		t.Patterns = append(t.Patterns, flare.CapturePattern{On: on, Count: counts[m]})
	}
	return t
}
