package screening

import "encoding/json"

// EncodeInput writes in as the JSON input document that DecodeInput reads
// (docs/screening.md), so that a stored screening can be read back and
// screened again, e.g. under a later rule set. Decoding the output gives
// in back.
func EncodeInput(in Input) ([]byte, error) {
	type period struct {
		Start Date `json:"start"`
		End   Date `json:"end"`
	}
	type observation struct {
		Episode     string    `json:"episode"`
		On          Date      `json:"on"`
		Element     Element   `json:"element,omitempty"`
		Indicator   Indicator `json:"indicator,omitempty"`
		Perpetrator Role      `json:"perpetrator"`
		Stage       Stage     `json:"stage"`
		Mode        Mode      `json:"mode,omitempty"`
		Evidence    *Evidence `json:"evidence,omitempty"`
	}
	type trafficking struct {
		Acts     []Act     `json:"acts"`
		Means    []Means   `json:"means"`
		Purposes []Purpose `json:"purposes"`
	}
	doc := struct {
		Period       *period         `json:"reference_period"`
		Age          *float64        `json:"age"`
		MayBeMinor   bool            `json:"may_be_minor"`
		Observations []observation   `json:"observations"`
		Parent       bool            `json:"parent_in_forced_labour"`
		WorstForms   map[string]bool `json:"worst_forms"`
		Trafficking  trafficking     `json:"trafficking"`
	}{
		Age: in.Age, MayBeMinor: in.MayBeMinor, Parent: in.ParentInForcedLabour,
		Observations: []observation{},
		WorstForms: map[string]bool{
			string(WorstFormSlavery):                      in.WorstForms.Slavery,
			string(WorstFormCommercialSexualExploitation): in.WorstForms.CommercialSexualExploitation,
			string(WorstFormIllicitActivities):            in.WorstForms.IllicitActivities,
		},
		Trafficking: trafficking{Acts: nonNil(in.Trafficking.Acts), Means: nonNil(in.Trafficking.Means),
			Purposes: nonNil(in.Trafficking.Purposes)},
	}
	if in.Period != nil {
		doc.Period = &period{Start: in.Period.Start, End: in.Period.End}
	}
	for _, o := range in.Observations {
		doc.Observations = append(doc.Observations, observation{Episode: o.Episode, On: o.On, Element: o.Element,
			Indicator: o.Indicator, Perpetrator: o.Perpetrator, Stage: o.Stage, Mode: o.Mode, Evidence: o.Evidence})
	}
	return json.Marshal(doc)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// UnmarshalJSON reads what MarshalJSON writes: a "YYYY-MM-DD" string, or
// null for the zero Date. It lets a stored Result be read back.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	parsed, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}
