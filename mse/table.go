package mse

import (
	"fmt"
	"math/bits"
	"strings"
)

// Limits of a capture table. Two lists are the least that carry information
// about the unobserved; twelve (4,095 patterns, 79 parameters with every
// pairwise term) is the upper bound and keeps a fit within milliseconds.
const (
	MinLists = 2
	MaxLists = 12
	// MaxCount bounds a single count and the total so that every sum of
	// counts stays exact in a float64 (2^53) with room to spare.
	MaxCount = int64(1) << 50
)

// Table is a capture-pattern table: for each of the 2^K-1 non-empty patterns
// of presence on K lists, the number of cases seen with exactly that pattern.
// The all-zero pattern, the cases on no list, is what MSE estimates and is
// never part of a table.
type Table struct {
	lists  []string
	counts []int64 // indexed by pattern bit mask (bit i: on list i); counts[0] is always 0
}

// NewTable returns an empty table over the named lists.
func NewTable(lists []string) (*Table, error) {
	if len(lists) < MinLists || len(lists) > MaxLists {
		return nil, fmt.Errorf("need between %d and %d lists, got %d", MinLists, MaxLists, len(lists))
	}
	seen := map[string]bool{}
	for i, name := range lists {
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, fmt.Errorf("list %d has no name", i+1)
		}
		if strings.Contains(name, ":") {
			// ":" joins list names in term names such as "LA:NG".
			return nil, fmt.Errorf("list name %q must not contain ':'", name)
		}
		if seen[name] {
			return nil, fmt.Errorf("list name %q appears twice", name)
		}
		seen[name] = true
	}
	t := &Table{lists: append([]string(nil), lists...), counts: make([]int64, 1<<len(lists))}
	for i := range t.lists {
		t.lists[i] = strings.TrimSpace(t.lists[i])
	}
	return t, nil
}

// K returns the number of lists.
func (t *Table) K() int { return len(t.lists) }

// Lists returns the list names in column order.
func (t *Table) Lists() []string { return append([]string(nil), t.lists...) }

// Pattern returns the bit mask of a capture pattern given as presence flags.
func Pattern(onList []bool) uint {
	var p uint
	for i, on := range onList {
		if on {
			p |= 1 << i
		}
	}
	return p
}

// Set records count cases with the given pattern, replacing any count the
// pattern had.
func (t *Table) Set(pattern uint, count int64) error {
	if pattern == 0 || pattern >= uint(len(t.counts)) {
		return fmt.Errorf("pattern %s is not a non-empty pattern over %d lists", t.patternString(pattern), t.K())
	}
	if count < 0 || count > MaxCount {
		return fmt.Errorf("count %d out of range [0, %d]", count, MaxCount)
	}
	total := t.Observed() - t.counts[pattern]
	if total > MaxCount-count {
		return fmt.Errorf("total of counts exceeds %d", MaxCount)
	}
	t.counts[pattern] = count
	return nil
}

// Count returns the number of cases with exactly the given pattern.
func (t *Table) Count(pattern uint) int64 {
	if pattern >= uint(len(t.counts)) {
		return 0
	}
	return t.counts[pattern]
}

// Observed returns the number of cases on at least one list.
func (t *Table) Observed() int64 {
	var n int64
	for _, c := range t.counts {
		n += c
	}
	return n
}

// ListTotal returns the number of cases on list i.
func (t *Table) ListTotal(i int) int64 { return t.onAll(1 << i) }

// Overlap returns the number of cases on both lists i and j, whatever other
// lists they are on.
func (t *Table) Overlap(i, j int) int64 { return t.onAll(1<<i | 1<<j) }

func (t *Table) onAll(mask uint) int64 {
	var n int64
	for p, c := range t.counts {
		if uint(p)&mask == mask {
			n += c
		}
	}
	return n
}

// Clone returns an independent copy of the table.
func (t *Table) Clone() *Table {
	return &Table{lists: append([]string(nil), t.lists...), counts: append([]int64(nil), t.counts...)}
}

// Rows returns the patterns with a positive count in increasing bit-mask
// order.
func (t *Table) Rows() []uint {
	var rows []uint
	for p, c := range t.counts {
		if c > 0 {
			rows = append(rows, uint(p))
		}
	}
	return rows
}

func (t *Table) patternString(p uint) string {
	var b strings.Builder
	for i := range t.K() {
		if i > 0 {
			b.WriteByte(',')
		}
		if p&(1<<i) != 0 {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	return b.String()
}

// onLists returns the number of lists a pattern is on.
func onLists(p uint) int { return bits.OnesCount(p) }
