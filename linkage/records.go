package linkage

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Side says which list a record belongs to: Left (the only list when
// deduplicating) or Right.
type Side int

// The two lists of a linkage.
const (
	Left Side = iota
	Right
)

// value is the prepared form of one distinct folded value of a field, so
// that each value is parsed once however many records and pairs share it.
type value struct {
	text    []rune   // folded value; YYYYMMDD digits for dates
	prof    profile  // of text
	tokens  [][]rune // words, for token-set comparisons
	tprof   []profile
	soundex string // for name fields
	date    Date
	dateOK  bool
	days    int
	num     float64
	numOK   bool
	count   [2]int // records holding the value, per side
}

// fieldData is one compared field: its specification and the dictionary of
// its distinct values, shared by both sides so that equal values have equal
// ids. Id 0 is the missing value.
type fieldData struct {
	spec   Field
	kind   kind // spec.Comparator, as a small integer for the hot loop
	swap   int  // index of the SwapWith field, or -1
	ids    map[string]uint32
	values []value
	column [2]int // column index in each side's header
}

// sideData holds the records of one side: their ids and, per field, the id
// of their value.
type sideData struct {
	header bool
	width  int
	idCol  int
	ids    []string
	vals   [][]uint32 // [field][record]
}

// Linker accumulates the records of one or two lists and then deduplicates
// or links them. Create it with New, give each side its header with
// SetHeader, add rows with Add, then call Dedupe or Link once.
type Linker struct {
	cfg    Config
	fields []*fieldData
	sides  [2]sideData
	labels [][2]int
}

// New returns a Linker for a validated configuration.
func New(cfg Config) (*Linker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	l := &Linker{cfg: cfg}
	index := map[string]int{}
	for i, f := range cfg.Fields {
		index[f.Name] = i
	}
	for _, f := range cfg.Fields {
		fd := &fieldData{spec: f, kind: kindOf[f.Comparator], swap: -1, ids: map[string]uint32{"": 0}, values: []value{{}}}
		if f.SwapWith != "" {
			fd.swap = index[f.SwapWith]
		}
		l.fields = append(l.fields, fd)
	}
	return l, nil
}

// Config returns the configuration in use, defaults filled in.
func (l *Linker) Config() Config { return l.cfg }

// SetHeader names the columns of one side's rows and which of them holds
// the record id. Every configured field's column must be present.
func (l *Linker) SetHeader(side Side, header []string, idColumn string) error {
	if side != Left && side != Right {
		return fmt.Errorf("linkage: unknown side %d", side)
	}
	sd := &l.sides[side]
	if sd.header {
		return fmt.Errorf("linkage: header of side %d set twice", side)
	}
	sd.idCol = slices.Index(header, idColumn)
	if sd.idCol < 0 {
		return &ConfigError{Field: "id", Message: fmt.Sprintf("column %q not in the header (%s)", idColumn, strings.Join(header, ", "))}
	}
	for _, fd := range l.fields {
		c := slices.Index(header, fd.spec.Column)
		if c < 0 {
			return &ConfigError{Field: "fields." + fd.spec.Name, Message: fmt.Sprintf("column %q not in the header (%s)", fd.spec.Column, strings.Join(header, ", "))}
		}
		fd.column[side] = c
	}
	sd.header, sd.width = true, len(header)
	sd.vals = make([][]uint32, len(l.fields))
	return nil
}

// Add appends one record to a side. The row must have one value per header
// column; values are folded and parsed here, and malformed values (an
// impossible date, a number that is not one) are kept as text rather than
// rejected, because registers are messy and a typo is evidence too.
func (l *Linker) Add(side Side, row []string) error {
	if side != Left && side != Right {
		return fmt.Errorf("linkage: unknown side %d", side)
	}
	sd := &l.sides[side]
	if !sd.header {
		return fmt.Errorf("linkage: side %d has no header", side)
	}
	if len(row) != sd.width {
		return fmt.Errorf("linkage: row has %d values, header has %d", len(row), sd.width)
	}
	if len(sd.ids) >= maxRecords {
		return fmt.Errorf("linkage: more than %d records on one side", maxRecords)
	}
	sd.ids = append(sd.ids, row[sd.idCol])
	for f, fd := range l.fields {
		id := fd.intern(row[fd.column[side]])
		fd.values[id].count[side]++
		sd.vals[f] = append(sd.vals[f], id)
	}
	return nil
}

// maxRecords bounds each side so that a record index fits the 32 bits a
// candidate pair gives it.
const maxRecords = 1<<31 - 1

// Len returns the number of records of a side.
func (l *Linker) Len(side Side) int { return len(l.sides[side].ids) }

// ID returns the id of a side's i-th record.
func (l *Linker) ID(side Side, i int) string { return l.sides[side].ids[i] }

// intern folds a raw value for its comparator and returns its dictionary
// id, preparing the value the first time it is seen.
func (fd *fieldData) intern(raw string) uint32 {
	key, v := prepare(fd.spec.Comparator, raw)
	if id, ok := fd.ids[key]; ok {
		return id
	}
	id := uint32(len(fd.values))
	fd.ids[key] = id
	fd.values = append(fd.values, v)
	return id
}

// prepare folds a raw value into its dictionary key and prepared form. The
// key is "" for a missing value.
func prepare(cmp Comparator, raw string) (string, value) {
	var key string
	var v value
	switch cmp {
	case Name:
		key = FoldName(raw)
		v.soundex = Soundex(key)
	case Tokens:
		key = FoldName(raw)
		v.tokens = tokenRunes(key)
	case Organisation:
		key = FoldOrganisation(raw)
		v.tokens = tokenRunes(key)
	case Text:
		key = Fold(raw)
		v.tokens = tokenRunes(key)
	case Code:
		key = FoldCode(raw)
	case DateCmp:
		if d, ok := ParseDate(raw); ok {
			v.date, v.dateOK, v.days = d, true, d.Days()
			key = fmt.Sprintf("%04d%02d%02d", d.Year, d.Month, d.Day)
		} else {
			key = FoldCode(raw)
		}
	case Numeric:
		s := strings.ReplaceAll(strings.TrimSpace(raw), ",", "")
		if n, err := strconv.ParseFloat(s, 64); err == nil && n == n && n-n == 0 {
			v.num, v.numOK = n, true
			key = strconv.FormatFloat(n, 'g', -1, 64)
		} else {
			key = Fold(raw)
		}
	default:
		key = Fold(raw)
	}
	if key == "" {
		return "", value{}
	}
	v.text = []rune(key)
	v.prof = makeProfile(v.text)
	for _, t := range v.tokens {
		v.tprof = append(v.tprof, makeProfile(t))
	}
	return key, v
}
