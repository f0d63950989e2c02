package screening

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// DecodeInput parses the JSON input document of a screening (the format is
// described in docs/screening.md) and validates it. Every error is an
// *InputError naming the field at fault as a JSON path, e.g.
// "observations[2].element". Unknown and repeated keys are refused so that a
// misspelt key cannot silently drop an observation's meaning.
func DecodeInput(data []byte) (Input, error) {
	var in Input
	fields, err := decodeObject(data, "")
	if err != nil {
		return Input{}, err
	}
	for _, f := range fields {
		var err error
		switch f.name {
		case "reference_period":
			in.Period, err = decodePeriod(f.value, f.name)
		case "age":
			in.Age, err = decodeAge(f.value, f.name)
		case "may_be_minor":
			in.MayBeMinor, err = decodeBool(f.value, f.name)
		case "observations":
			in.Observations, err = decodeObservations(f.value, f.name)
		case "parent_in_forced_labour":
			in.ParentInForcedLabour, err = decodeBool(f.value, f.name)
		case "worst_forms":
			in.WorstForms, err = decodeWorstForms(f.value, f.name)
		case "trafficking":
			in.Trafficking, err = decodeTrafficking(f.value, f.name)
		default:
			err = unknownField(join("", f.name))
		}
		if err != nil {
			return Input{}, err
		}
	}
	if err := in.Validate(); err != nil {
		return Input{}, err
	}
	return in, nil
}

// rawField is one member of a JSON object, in document order.
type rawField struct {
	name  string
	value json.RawMessage
}

// decodeObject splits a JSON object into its members, refusing anything that
// is not exactly one object and any key given twice.
func decodeObject(raw []byte, path string) ([]rawField, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, malformed(path, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, invalid(fieldOrInput(path), "must be a JSON object")
	}
	var fields []rawField
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, malformed(path, err)
		}
		name, _ := tok.(string) // object keys are always strings
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, malformed(join(path, name), err)
		}
		if seen[name] {
			return nil, invalid(join(path, name), "is given twice")
		}
		seen[name] = true
		fields = append(fields, rawField{name: name, value: value})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, malformed(path, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, invalid(fieldOrInput(path), "unexpected data after the JSON object")
	}
	return fields, nil
}

func decodePeriod(raw json.RawMessage, path string) (*Period, error) {
	if isNull(raw) {
		return nil, nil
	}
	fields, err := decodeObject(raw, path)
	if err != nil {
		return nil, err
	}
	var p Period
	for _, f := range fields {
		switch f.name {
		case "start":
			p.Start, err = decodeDate(f.value, join(path, f.name))
		case "end":
			p.End, err = decodeDate(f.value, join(path, f.name))
		default:
			err = unknownField(join(path, f.name))
		}
		if err != nil {
			return nil, err
		}
	}
	return &p, nil
}

func decodeAge(raw json.RawMessage, path string) (*float64, error) {
	if isNull(raw) {
		return nil, nil
	}
	var age float64
	if err := json.Unmarshal(raw, &age); err != nil {
		return nil, invalid(path, "must be a number of years, or null when unknown")
	}
	return &age, nil
}

func decodeObservations(raw json.RawMessage, path string) ([]Observation, error) {
	items, err := decodeArray(raw, path)
	if err != nil {
		return nil, err
	}
	obs := make([]Observation, len(items))
	for i, item := range items {
		if obs[i], err = decodeObservation(item, fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return nil, err
		}
	}
	return obs, nil
}

func decodeObservation(raw json.RawMessage, path string) (Observation, error) {
	fields, err := decodeObject(raw, path)
	if err != nil {
		return Observation{}, err
	}
	var o Observation
	for _, f := range fields {
		p := join(path, f.name)
		var s string
		switch f.name {
		case "episode":
			o.Episode, err = decodeEpisode(f.value, p)
		case "on":
			o.On, err = decodeDate(f.value, p)
		case "element":
			s, err = decodeString(f.value, p)
			o.Element = Element(s)
		case "indicator":
			s, err = decodeString(f.value, p)
			o.Indicator = Indicator(s)
		case "perpetrator":
			s, err = decodeString(f.value, p)
			o.Perpetrator = Role(s)
		case "stage":
			s, err = decodeString(f.value, p)
			o.Stage = Stage(s)
		case "mode":
			s, err = decodeString(f.value, p)
			o.Mode = Mode(s)
		case "evidence":
			o.Evidence, err = decodeEvidence(f.value, p)
		default:
			err = unknownField(p)
		}
		if err != nil {
			return Observation{}, err
		}
	}
	return o, nil
}

// decodeEpisode accepts an episode identifier written as a string or as a
// whole number ("episode": 1 is how people number jobs).
func decodeEpisode(raw json.RawMessage, path string) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err == nil {
		switch v := v.(type) {
		case string:
			return v, nil
		case json.Number:
			if n, err := strconv.ParseInt(v.String(), 10, 64); err == nil {
				return strconv.FormatInt(n, 10), nil
			}
		}
	}
	return "", invalid(path, "must be a string or a whole number")
}

func decodeEvidence(raw json.RawMessage, path string) (*Evidence, error) {
	if isNull(raw) {
		return nil, nil
	}
	fields, err := decodeObject(raw, path)
	if err != nil {
		return nil, err
	}
	var e Evidence
	for _, f := range fields {
		var s string
		switch f.name {
		case "kind":
			s, err = decodeString(f.value, join(path, f.name))
			e.Kind = EvidenceKind(s)
		case "ref":
			e.Ref, err = decodeString(f.value, join(path, f.name))
		default:
			err = unknownField(join(path, f.name))
		}
		if err != nil {
			return nil, err
		}
	}
	return &e, nil
}

func decodeWorstForms(raw json.RawMessage, path string) (WorstForms, error) {
	var w WorstForms
	if isNull(raw) {
		return w, nil
	}
	fields, err := decodeObject(raw, path)
	if err != nil {
		return w, err
	}
	for _, f := range fields {
		p := join(path, f.name)
		switch WorstForm(f.name) {
		case WorstFormSlavery:
			w.Slavery, err = decodeBool(f.value, p)
		case WorstFormCommercialSexualExploitation:
			w.CommercialSexualExploitation, err = decodeBool(f.value, p)
		case WorstFormIllicitActivities:
			w.IllicitActivities, err = decodeBool(f.value, p)
		default:
			err = unknownField(p)
		}
		if err != nil {
			return w, err
		}
	}
	return w, nil
}

func decodeTrafficking(raw json.RawMessage, path string) (TraffickingElements, error) {
	var t TraffickingElements
	if isNull(raw) {
		return t, nil
	}
	fields, err := decodeObject(raw, path)
	if err != nil {
		return t, err
	}
	for _, f := range fields {
		p := join(path, f.name)
		switch f.name {
		case "acts":
			t.Acts, err = decodeCodes[Act](f.value, p)
		case "means":
			t.Means, err = decodeCodes[Means](f.value, p)
		case "purposes":
			t.Purposes, err = decodeCodes[Purpose](f.value, p)
		default:
			err = unknownField(p)
		}
		if err != nil {
			return t, err
		}
	}
	return t, nil
}

// decodeCodes reads an array of code strings; Validate checks the codes.
func decodeCodes[T ~string](raw json.RawMessage, path string) ([]T, error) {
	items, err := decodeArray(raw, path)
	if err != nil {
		return nil, err
	}
	codes := make([]T, len(items))
	for i, item := range items {
		p := fmt.Sprintf("%s[%d]", path, i)
		s, err := decodeString(item, p)
		if err != nil {
			return nil, err
		}
		if s == "" {
			return nil, invalid(p, "must not be empty")
		}
		codes[i] = T(s)
	}
	return codes, nil
}

func decodeArray(raw json.RawMessage, path string) ([]json.RawMessage, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, invalid(path, "must be an array")
	}
	return items, nil
}

// decodeString reads a string; null reads as "" so that a required field
// given as null is reported as missing by Validate.
func decodeString(raw json.RawMessage, path string) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", invalid(path, "must be a string")
	}
	return s, nil
}

func decodeBool(raw json.RawMessage, path string) (bool, error) {
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		return false, invalid(path, "must be true or false")
	}
	return b, nil
}

func decodeDate(raw json.RawMessage, path string) (Date, error) {
	s, err := decodeString(raw, path)
	if err != nil || s == "" {
		return Date{}, err
	}
	d, err := ParseDate(s)
	if err != nil {
		return Date{}, invalid(path, "%v", err)
	}
	return d, nil
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

func unknownField(path string) error {
	return invalid(path, "unknown field")
}

// malformed reports a JSON syntax error at path, with the byte offset the
// decoder gives (relative to the value at path).
func malformed(path string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return invalid(fieldOrInput(path), "malformed JSON: unexpected end of input")
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return invalid(fieldOrInput(path), "malformed JSON at byte %d: %v", syn.Offset, err)
	}
	return invalid(fieldOrInput(path), "malformed JSON: %v", err)
}

// join appends a member name to a path. A name that is not a short printable
// word (or is empty) is shown quoted and cut, since it comes from the input and ends up in
// error messages.
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
