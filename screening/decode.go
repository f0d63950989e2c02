package screening

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// DecodeInput parses the JSON input document of a screening (the format is
// described in docs/screening.md) and validates it. Every error is an
// *InputError naming the field at fault as a JSON path, e.g.
// "observations[2].element". Unknown and repeated keys are refused so that a
// misspelt key cannot silently drop an observation's meaning.
//
// The document is read as one stream of tokens, which knows the path of
// every value and costs a third of decoding each member on its own.
func DecodeInput(data []byte) (Input, error) {
	d := &decoder{dec: json.NewDecoder(bytes.NewReader(data))}
	d.dec.UseNumber() // to tell an episode written 2 from 2.5
	var in Input
	err := d.object("", func(name string) error {
		var err error
		switch name {
		case "reference_period":
			in.Period, err = d.period(name)
		case "age":
			in.Age, err = d.age()
		case "may_be_minor":
			in.MayBeMinor, err = d.boolean()
		case "observations":
			in.Observations, err = d.observations(name)
		case "parent_in_forced_labour":
			in.ParentInForcedLabour, err = d.boolean()
		case "worst_forms":
			in.WorstForms, err = d.worstForms(name)
		case "trafficking":
			in.Trafficking, err = d.trafficking(name)
		default:
			err = errUnknownField
		}
		return err
	})
	if err != nil {
		return Input{}, err
	}
	if _, err := d.dec.Token(); !errors.Is(err, io.EOF) {
		return Input{}, invalid("input", "unexpected data after the JSON object")
	}
	if err := in.Validate(); err != nil {
		return Input{}, err
	}
	return in, nil
}

// decoder reads the input document token by token. Its methods that read a
// single value return errors without a field name; object and array add the
// path of the member or item at fault.
type decoder struct {
	dec *json.Decoder
}

// errUnknownField is returned by a member reader for a key it does not know;
// object turns it into an error naming the key.
var errUnknownField = errors.New("unknown field")

// token reads the next token, turning a syntax error into an input error.
func (d *decoder) token() (json.Token, error) {
	tok, err := d.dec.Token()
	if err == nil {
		return tok, nil
	}
	var syn *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return nil, invalid("input", "malformed JSON: unexpected end of input")
	case errors.As(err, &syn):
		return nil, invalid("input", "malformed JSON at byte %d: %v", syn.Offset, err)
	default:
		return nil, invalid("input", "malformed JSON: %v", err)
	}
}

// object reads an object whose members member reads one by one, in
// document order. member must read the value of the member it is given.
// A null object reads as no members when nullable.
func (d *decoder) object(path string, member func(name string) error) error {
	_, err := d.objectOrNull(path, false, member)
	return err
}

// objectOrNull reads an object as object does, or null when nullable, in
// which case it reports null.
func (d *decoder) objectOrNull(path string, nullable bool, member func(name string) error) (null bool, err error) {
	tok, err := d.token()
	if err != nil {
		return false, err
	}
	if tok == nil && nullable {
		return true, nil
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return false, invalid(fieldOrInput(path), "must be a JSON object")
	}
	var seen []string // few members: a slice beats a map
	for d.dec.More() {
		tok, err := d.token()
		if err != nil {
			return false, err
		}
		name, _ := tok.(string) // keys are always strings
		if slices.Contains(seen, name) {
			return false, invalid(join(path, name), "is given twice")
		}
		seen = append(seen, name)
		if err := member(name); err != nil {
			return false, at(err, join(path, name))
		}
	}
	_, err = d.token() // the closing brace
	return false, err
}

// array reads an array, calling item for each element with its index; null
// reads as no elements.
func (d *decoder) array(path string, item func(i int) error) error {
	tok, err := d.token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '[' {
		return invalid(path, "must be an array")
	}
	for i := 0; d.dec.More(); i++ {
		if err := item(i); err != nil {
			return at(err, fmt.Sprintf("%s[%d]", path, i))
		}
	}
	_, err = d.token() // the closing bracket
	return err
}

// at names the field of an error that has none yet.
func at(err error, path string) error {
	var ie *InputError
	switch {
	case errors.Is(err, errUnknownField):
		return invalid(path, "unknown field")
	case errors.As(err, &ie) && ie.Field == "":
		return invalid(path, "%s", ie.Message)
	}
	return err
}

// str reads a string; null reads as "" so that a required field given as
// null is reported as missing by Validate.
func (d *decoder) str() (string, error) {
	tok, err := d.token()
	if err != nil {
		return "", err
	}
	switch v := tok.(type) {
	case string:
		return v, nil
	case nil:
		return "", nil
	}
	return "", invalid("", "must be a string")
}

func (d *decoder) boolean() (bool, error) {
	tok, err := d.token()
	if err != nil {
		return false, err
	}
	switch v := tok.(type) {
	case bool:
		return v, nil
	case nil:
		return false, nil
	}
	return false, invalid("", "must be true or false")
}

func (d *decoder) age() (*float64, error) {
	tok, err := d.token()
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, nil
	}
	if n, ok := tok.(json.Number); ok {
		if age, err := strconv.ParseFloat(n.String(), 64); err == nil {
			return &age, nil
		}
	}
	return nil, invalid("", "must be a number of years, or null when unknown")
}

func (d *decoder) date() (Date, error) {
	s, err := d.str()
	if err != nil || s == "" {
		return Date{}, err
	}
	date, err := ParseDate(s)
	if err != nil {
		return Date{}, invalid("", "%v", err)
	}
	return date, nil
}

// episode reads an episode identifier written as a string or as a whole
// number ("episode": 1 is how people number jobs).
func (d *decoder) episode() (string, error) {
	tok, err := d.token()
	if err != nil {
		return "", err
	}
	switch v := tok.(type) {
	case string:
		return v, nil
	case nil:
		return "", nil
	case json.Number:
		if n, err := strconv.ParseInt(v.String(), 10, 64); err == nil {
			return strconv.FormatInt(n, 10), nil
		}
	}
	return "", invalid("", "must be a string or a whole number")
}

func (d *decoder) period(path string) (*Period, error) {
	var p Period
	null, err := d.objectOrNull(path, true, func(name string) error {
		var err error
		switch name {
		case "start":
			p.Start, err = d.date()
		case "end":
			p.End, err = d.date()
		default:
			err = errUnknownField
		}
		return err
	})
	if err != nil || null {
		return nil, err
	}
	return &p, nil
}

func (d *decoder) observations(path string) ([]Observation, error) {
	var obs []Observation
	err := d.array(path, func(i int) error {
		o, err := d.observation(fmt.Sprintf("%s[%d]", path, i))
		obs = append(obs, o)
		return err
	})
	return obs, err
}

func (d *decoder) observation(path string) (Observation, error) {
	var o Observation
	err := d.object(path, func(name string) error {
		var s string
		var err error
		switch name {
		case "episode":
			o.Episode, err = d.episode()
		case "on":
			o.On, err = d.date()
		case "element":
			s, err = d.str()
			o.Element = Element(s)
		case "indicator":
			s, err = d.str()
			o.Indicator = Indicator(s)
		case "perpetrator":
			s, err = d.str()
			o.Perpetrator = Role(s)
		case "stage":
			s, err = d.str()
			o.Stage = Stage(s)
		case "mode":
			s, err = d.str()
			o.Mode = Mode(s)
		case "evidence":
			o.Evidence, err = d.evidence(join(path, name))
		default:
			err = errUnknownField
		}
		return err
	})
	return o, err
}

func (d *decoder) evidence(path string) (*Evidence, error) {
	var e Evidence
	null, err := d.objectOrNull(path, true, func(name string) error {
		var s string
		var err error
		switch name {
		case "kind":
			s, err = d.str()
			e.Kind = EvidenceKind(s)
		case "ref":
			e.Ref, err = d.str()
		default:
			err = errUnknownField
		}
		return err
	})
	if err != nil || null {
		return nil, err
	}
	return &e, nil
}

func (d *decoder) worstForms(path string) (WorstForms, error) {
	var w WorstForms
	_, err := d.objectOrNull(path, true, func(name string) error {
		var err error
		switch WorstForm(name) {
		case WorstFormSlavery:
			w.Slavery, err = d.boolean()
		case WorstFormCommercialSexualExploitation:
			w.CommercialSexualExploitation, err = d.boolean()
		case WorstFormIllicitActivities:
			w.IllicitActivities, err = d.boolean()
		default:
			err = errUnknownField
		}
		return err
	})
	return w, err
}

func (d *decoder) trafficking(path string) (TraffickingElements, error) {
	var t TraffickingElements
	_, err := d.objectOrNull(path, true, func(name string) error {
		var err error
		p := join(path, name)
		switch name {
		case "acts":
			t.Acts, err = codes[Act](d, p)
		case "means":
			t.Means, err = codes[Means](d, p)
		case "purposes":
			t.Purposes, err = codes[Purpose](d, p)
		default:
			err = errUnknownField
		}
		return err
	})
	return t, err
}

// codes reads an array of code strings; Validate checks the codes.
func codes[T ~string](d *decoder, path string) ([]T, error) {
	out := []T{}
	err := d.array(path, func(int) error {
		s, err := d.str()
		if err != nil {
			return err
		}
		if s == "" {
			return invalid("", "must not be empty")
		}
		out = append(out, T(s))
		return nil
	})
	return out, err
}

// join appends a member name to a path. A name that is not a short printable
// word (or is empty) is shown quoted and cut, since it comes from the input
// and ends up in error messages.
func join(path, name string) string {
	if r := []rune(name); len(r) == 0 || len(r) > maxShownCode || strings.IndexFunc(name, notWordRune) >= 0 {
		if len(r) > maxShownCode {
			name = string(r[:maxShownCode]) + "..."
		}
		name = strconv.Quote(name)
	}
	if path == "" {
		return name
	}
	return path + "." + name
}

func notWordRune(r rune) bool {
	return !(r == '_' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r))
}

// fieldOrInput names the whole document "input" in errors about it.
func fieldOrInput(path string) string {
	if path == "" {
		return "input"
	}
	return path
}
