package linkage

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
)

// blockKey is one parsed key of a blocking rule: one or more fields and how
// their values are reduced before records are grouped. With several fields
// ("soundex:given_name+surname") the reduced values are compared as a set,
// in any order, which keeps in one block two records whose given name and
// surname were swapped.
type blockKey struct {
	fields    []string
	transform string // "", "soundex", "first", "year", "sorted"
	n         int    // characters kept by "first"
}

// parseBlockKey reads "field", "transform:field" or "transform:f1+f2+...";
// names lists the configured fields.
func parseBlockKey(key string, names map[string]Comparator) (blockKey, error) {
	transform, fields, ok := strings.Cut(key, ":")
	if !ok {
		transform, fields = "", key
	}
	k := blockKey{transform: transform}
	for _, field := range strings.Split(fields, "+") {
		comparator, known := names[field]
		if !known {
			return blockKey{}, fmt.Errorf("%q names no configured field", field)
		}
		if transform == "year" && comparator != DateCmp {
			return blockKey{}, fmt.Errorf("year: needs a date field, %q is %s", field, comparator)
		}
		k.fields = append(k.fields, field)
	}
	switch {
	case transform == "" || transform == "soundex" || transform == "sorted" || transform == "year":
	case len(transform) == 6 && strings.HasPrefix(transform, "first") && transform[5] >= '1' && transform[5] <= '9':
		k.transform, k.n = "first", int(transform[5]-'0')
	default:
		return blockKey{}, fmt.Errorf("unknown transform %q (want soundex, first1..first9, year or sorted)", transform)
	}
	return k, nil
}

// RuleStats reports what one blocking rule produced before any comparison.
type RuleStats struct {
	// Keys is the rule as configured.
	Keys []string
	// Pairs is how many pairs the rule's blocks generate (pairs shared with
	// other rules included).
	Pairs int64
	// SkippedBlocks and SkippedPairs count the blocks larger than
	// MaxBlockSize, whose pairs were not generated.
	SkippedBlocks int
	SkippedPairs  int64
}

// keyHashes computes, for one field of a key, the hash of the reduced form
// of every dictionary value of the field (0 when the reduced form is empty,
// which keeps the record out of the rule).
func (l *Linker) keyHashes(k blockKey, name string) (field int, hashes []uint64) {
	for i, fd := range l.fields {
		if fd.spec.Name == name {
			field = i
		}
	}
	fd := l.fields[field]
	hashes = make([]uint64, len(fd.values))
	for id := 1; id < len(fd.values); id++ {
		v := &fd.values[id]
		var s string
		switch k.transform {
		case "":
			s = string(v.text)
		case "soundex":
			s = v.soundex
			if s == "" {
				s = Soundex(string(v.text))
			}
		case "first":
			s = string(v.text[:min(k.n, len(v.text))])
		case "year":
			if v.dateOK {
				s = fmt.Sprint(v.date.Year)
			}
		case "sorted":
			words := strings.Fields(string(v.text))
			slices.Sort(words)
			s = strings.Join(words, " ")
		}
		if s == "" {
			continue
		}
		h := fnv.New64a()
		h.Write([]byte(s))
		hashes[id] = h.Sum64() | 1 // never 0, which means "no key"
	}
	return field, hashes
}

// mix combines hashes into one, in order.
func mix(h, k uint64) uint64 {
	h = (h ^ k) * 1099511628211
	return h ^ h>>29
}

// blockEntry is one record in the sorted list of a rule's keys.
type blockEntry struct {
	key uint64
	rec uint32 // record index, side in the top bit
}

const rightBit = 1 << 31

// candidates applies every blocking rule and returns the union of the
// pairs they generate, each packed as left<<32 | right (or lower<<32 |
// higher when deduplicating), sorted, with per-rule statistics.
func (l *Linker) candidates(ctx context.Context, link bool, progress Progress) ([]uint64, []RuleStats, error) {
	names := map[string]Comparator{}
	for _, f := range l.cfg.Fields {
		names[f.Name] = f.Comparator
	}
	var all []uint64
	stats := make([]RuleStats, len(l.cfg.Blocking))
	sides := []Side{Left}
	if link {
		sides = append(sides, Right)
	}
	for r, rule := range l.cfg.Blocking {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		type part struct {
			fields []int
			hashes [][]uint64
		}
		parts := make([]part, len(rule))
		for i, key := range rule {
			k, err := parseBlockKey(key, names)
			if err != nil {
				return nil, nil, err
			}
			for _, name := range k.fields {
				f, h := l.keyHashes(k, name)
				parts[i].fields = append(parts[i].fields, f)
				parts[i].hashes = append(parts[i].hashes, h)
			}
		}
		var set []uint64
		var entries []blockEntry
		for _, side := range sides {
			sd := &l.sides[side]
		records:
			for i := range sd.ids {
				h := uint64(14695981039346656037)
				for _, p := range parts {
					set = set[:0]
					for j, f := range p.fields {
						kh := p.hashes[j][sd.vals[f][i]]
						if kh == 0 {
							continue records
						}
						set = append(set, kh)
					}
					slices.Sort(set)
					for _, kh := range set {
						h = mix(h, kh)
					}
				}
				rec := uint32(i)
				if side == Right {
					rec |= rightBit
				}
				entries = append(entries, blockEntry{key: h, rec: rec})
			}
		}
		// By key, then left records before right ones, each by index.
		slices.SortFunc(entries, func(a, b blockEntry) int {
			if c := cmp.Compare(a.key, b.key); c != 0 {
				return c
			}
			return cmp.Compare(a.rec, b.rec)
		})
		st := RuleStats{Keys: slices.Clone(rule)}
		for start := 0; start < len(entries); {
			end := start + 1
			for end < len(entries) && entries[end].key == entries[start].key {
				end++
			}
			all, st = l.blockPairs(entries[start:end], link, all, st)
			start = end
		}
		stats[r] = st
		if progress != nil {
			progress(fmt.Sprintf("blocking rule %d (%s): %d pairs", r+1, strings.Join(rule, ", "), st.Pairs), int64(r+1), int64(len(l.cfg.Blocking)))
		}
	}
	slices.Sort(all)
	return slices.Compact(all), stats, nil
}

// blockPairs appends the pairs of one block (records sharing a key, sorted
// by index with left records first).
func (l *Linker) blockPairs(block []blockEntry, link bool, all []uint64, st RuleStats) ([]uint64, RuleStats) {
	if !link {
		n := int64(len(block))
		pairs := n * (n - 1) / 2
		if len(block) > l.cfg.MaxBlockSize {
			st.SkippedBlocks++
			st.SkippedPairs += pairs
			return all, st
		}
		st.Pairs += pairs
		for i := range block {
			for j := i + 1; j < len(block); j++ {
				all = append(all, uint64(block[i].rec)<<32|uint64(block[j].rec))
			}
		}
		return all, st
	}
	split := 0
	for split < len(block) && block[split].rec&rightBit == 0 {
		split++
	}
	left, right := block[:split], block[split:]
	pairs := int64(len(left)) * int64(len(right))
	if len(left) > l.cfg.MaxBlockSize || len(right) > l.cfg.MaxBlockSize {
		st.SkippedBlocks++
		st.SkippedPairs += pairs
		return all, st
	}
	st.Pairs += pairs
	for _, a := range left {
		for _, b := range right {
			all = append(all, uint64(a.rec)<<32|uint64(b.rec&^rightBit))
		}
	}
	return all, st
}
