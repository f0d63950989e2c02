package linkage

import (
	"fmt"
	"slices"
	"strings"
)

// Comparator names how a field is compared into agreement levels.
type Comparator string

// The comparators. Each compares two folded values into a few levels, from
// the strongest agreement (level 0) down to disagreement; a value missing on
// either side gives no level and so no evidence either way.
const (
	// Exact: equal or not. For sex, state, country codes.
	Exact Comparator = "exact"
	// Name: personal names. Exact, one edit apart (Damerau-Levenshtein),
	// written in the other name field (swapped given name and surname, when
	// the field has swap_with), Jaro-Winkler at least Thresholds[0],
	// same Soundex code, Jaro-Winkler at least Thresholds[1], different.
	Name Comparator = "name"
	// Tokens: multi-word names compared regardless of word order (full
	// names). Exact, token-set similarity at least Thresholds[0], at least
	// Thresholds[1], different.
	Tokens Comparator = "tokens"
	// Organisation: Tokens after writing legal forms one way ("Ltd" =
	// "Limited").
	Organisation Comparator = "organisation"
	// Text: addresses and other free text. Exact, Jaro-Winkler at least
	// Thresholds[0], token-set similarity at least 0.5 (reordered or partly
	// missing words), Jaro-Winkler at least Thresholds[1], different.
	Text Comparator = "text"
	// Code: postcodes, identity and phone numbers, house numbers. Exact
	// (spaces ignored), one edit apart (a typo or two swapped digits),
	// different.
	Code Comparator = "code"
	// DateCmp: dates read leniently (see ParseDate). Same date, one typing
	// error apart or day and month swapped, at most Thresholds[0] days apart,
	// different. Unreadable dates are compared as text.
	DateCmp Comparator = "date"
	// Numeric: numbers. Equal, relative difference at most Thresholds[0],
	// different. Values that are not numbers are compared exactly.
	Numeric Comparator = "numeric"
)

// comparatorInfo describes a comparator: its level labels (strongest first,
// the last is disagreement) and default thresholds.
type comparatorInfo struct {
	levels     []string
	thresholds []float64
}

var comparators = map[Comparator]comparatorInfo{
	Exact:        {[]string{"exact", "different"}, nil},
	Name:         {[]string{"exact", "one edit", "swapped", "jaro-winkler high", "same soundex", "jaro-winkler low", "different"}, []float64{0.92, 0.8}},
	Tokens:       {[]string{"exact", "token-set high", "token-set low", "different"}, []float64{0.9, 0.5}},
	Organisation: {[]string{"exact", "token-set high", "token-set low", "different"}, []float64{0.9, 0.5}},
	Text:         {[]string{"exact", "jaro-winkler high", "token-set half", "jaro-winkler low", "different"}, []float64{0.92, 0.75}},
	Code:         {[]string{"exact", "one edit", "different"}, nil},
	DateCmp:      {[]string{"exact", "one edit or day-month swap", "within threshold days", "different"}, []float64{365}},
	Numeric:      {[]string{"exact", "within relative threshold", "different"}, []float64{0.05}},
}

// Field says how one column is compared.
type Field struct {
	// Name labels the field in output and explanations; defaults to Column.
	Name string `json:"name,omitempty"`
	// Column is the CSV column holding the value.
	Column string `json:"column"`
	// Comparator is one of exact, name, tokens, organisation, text, code,
	// date, numeric.
	Comparator Comparator `json:"comparator"`
	// Thresholds override the comparator's default similarity thresholds
	// (see each comparator).
	Thresholds []float64 `json:"thresholds,omitempty"`
	// TermFrequency adjusts an exact agreement by how common the value is:
	// sharing a rare surname is stronger evidence than sharing "smith".
	TermFrequency bool `json:"term_frequency,omitempty"`
	// SwapWith names another Name field; agreeing with the other record's
	// value there is its own level (given name and surname swapped).
	SwapWith string `json:"swap_with,omitempty"`
}

// Config is a linkage model's specification. The zero values of the numeric
// settings mean their documented defaults (see Defaults).
type Config struct {
	// Fields are the columns compared.
	Fields []Field `json:"fields"`
	// Blocking lists the rules that generate candidate pairs; a pair is
	// compared when any rule puts both records in one block. A rule is a
	// list of keys, each "field" (equal folded value) or "transform:field"
	// with transform one of soundex, first1..first9 (leading characters),
	// year (of a date), sorted (words in order, for reordered names).
	Blocking [][]string `json:"blocking"`
	// Threshold is the match probability at or above which a pair is a
	// match (default 0.5: a match is more likely than not).
	Threshold float64 `json:"threshold,omitempty"`
	// Seed drives the random pairs sampled to estimate u.
	Seed int64 `json:"seed,omitempty"`
	// MaxPairsU is how many random pairs estimate u (default 250,000). Only
	// the fuzzy levels depend on it: the exact level's u is computed from
	// the value frequencies.
	MaxPairsU int `json:"max_pairs_u,omitempty"`
	// MaxBlockSize skips blocks with more records than this (default
	// 5000), which would generate too many pairs and would usually come
	// from a value too common to mean anything; skipped blocks are reported.
	MaxBlockSize int `json:"max_block_size,omitempty"`
	// EMIterations caps the EM iterations (default 100).
	EMIterations int `json:"em_iterations,omitempty"`
	// OneToOne assigns each left record to at most one right record and back
	// (link mode only), keeping the most probable pairs first.
	OneToOne bool `json:"one_to_one,omitempty"`
}

// The documented defaults of Config.
const (
	DefaultThreshold    = 0.5
	DefaultMaxPairsU    = 250_000
	DefaultMaxBlockSize = 5000
	DefaultEMIterations = 100
)

// withDefaults returns c with zero settings replaced by their defaults and
// field names filled in.
func (c Config) withDefaults() Config {
	if c.Threshold == 0 {
		c.Threshold = DefaultThreshold
	}
	if c.MaxPairsU == 0 {
		c.MaxPairsU = DefaultMaxPairsU
	}
	if c.MaxBlockSize == 0 {
		c.MaxBlockSize = DefaultMaxBlockSize
	}
	if c.EMIterations == 0 {
		c.EMIterations = DefaultEMIterations
	}
	c.Fields = slices.Clone(c.Fields)
	for i := range c.Fields {
		f := &c.Fields[i]
		if f.Name == "" {
			f.Name = f.Column
		}
		if f.Thresholds == nil {
			f.Thresholds = comparators[f.Comparator].thresholds
		}
	}
	return c
}

// ConfigError is a configuration mistake; Field names the setting at fault
// (such as "fields[2].comparator" or "blocking[0][1]").
type ConfigError struct {
	Field, Message string
}

func (e *ConfigError) Error() string { return e.Field + ": " + e.Message }

func configErrorf(field, format string, args ...any) error {
	return &ConfigError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Validate checks the configuration: known comparators, unique field names,
// thresholds in range, blocking keys naming fields, settings not negative.
func (c Config) Validate() error {
	if len(c.Fields) == 0 {
		return configErrorf("fields", "at least one field must be compared")
	}
	if len(c.Fields) > maxFields {
		return configErrorf("fields", "at most %d fields can be compared, got %d", maxFields, len(c.Fields))
	}
	if c.Threshold < 0 || c.Threshold > 1 {
		return configErrorf("threshold", "must be a probability between 0 and 1, got %v", c.Threshold)
	}
	if c.MaxPairsU < 0 || c.MaxBlockSize < 0 || c.EMIterations < 0 {
		return configErrorf("max_pairs_u", "max_pairs_u, max_block_size and em_iterations must not be negative")
	}
	d := c.withDefaults()
	names := map[string]Comparator{}
	for i, f := range d.Fields {
		at := fmt.Sprintf("fields[%d]", i)
		if strings.TrimSpace(f.Column) == "" {
			return configErrorf(at+".column", "is required")
		}
		info, ok := comparators[f.Comparator]
		if !ok {
			return configErrorf(at+".comparator", "unknown comparator %q (want one of %s)", f.Comparator, comparatorNames())
		}
		if _, dup := names[f.Name]; dup {
			return configErrorf(at+".name", "field %q is defined twice", f.Name)
		}
		names[f.Name] = f.Comparator
		if len(f.Thresholds) != len(info.thresholds) {
			return configErrorf(at+".thresholds", "comparator %s takes %d thresholds, got %d", f.Comparator, len(info.thresholds), len(f.Thresholds))
		}
		for k, t := range f.Thresholds {
			if f.Comparator == DateCmp {
				if t < 0 || t > 100000 {
					return configErrorf(fmt.Sprintf("%s.thresholds[%d]", at, k), "must be a number of days between 0 and 100000, got %v", t)
				}
				continue
			}
			if t < 0 || t > 1 || t != t {
				return configErrorf(fmt.Sprintf("%s.thresholds[%d]", at, k), "must be between 0 and 1, got %v", t)
			}
		}
	}
	for i, f := range d.Fields {
		if f.SwapWith == "" {
			continue
		}
		at := fmt.Sprintf("fields[%d].swap_with", i)
		if f.Comparator != Name {
			return configErrorf(at, "only name fields can have swap_with")
		}
		if cmp, ok := names[f.SwapWith]; !ok || cmp != Name || f.SwapWith == f.Name {
			return configErrorf(at, "%q is not another name field", f.SwapWith)
		}
	}
	if len(c.Blocking) == 0 {
		return configErrorf("blocking", "at least one blocking rule is needed (comparing every pair does not scale)")
	}
	for i, rule := range c.Blocking {
		if len(rule) == 0 {
			return configErrorf(fmt.Sprintf("blocking[%d]", i), "a rule needs at least one key")
		}
		for k, key := range rule {
			if _, err := parseBlockKey(key, names); err != nil {
				return configErrorf(fmt.Sprintf("blocking[%d][%d]", i, k), "%v", err)
			}
		}
	}
	return nil
}

// maxFields bounds the fields of a model: agreement patterns are packed into
// one 64-bit word, 4 bits per field.
const maxFields = 16

func comparatorNames() string {
	names := make([]string, 0, len(comparators))
	for c := range comparators {
		names = append(names, string(c))
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
