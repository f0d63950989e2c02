package flare

import (
	"math"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

func TestWorksiteValidate(t *testing.T) {
	tests := []struct {
		name      string
		change    func(w *Worksite)
		wantField string
	}{
		{"valid", func(w *Worksite) {}, ""},
		{"no case", func(w *Worksite) { w.CaseID = "" }, "case_id"},
		{"no name", func(w *Worksite) { w.Name = "" }, "name"},
		{"long description", func(w *Worksite) { w.Description = strings.Repeat("d", MaxDescriptionLength+1) }, "description"},
		{"bad country", func(w *Worksite) { w.Country = "XX" }, "country"},
		{"latitude alone", func(w *Worksite) { w.Longitude = nil }, "longitude"},
		{"longitude alone", func(w *Worksite) { w.Latitude = nil }, "latitude"},
		{"neither coordinate", func(w *Worksite) { w.Latitude, w.Longitude = nil, nil }, ""},
		{"latitude out of range", func(w *Worksite) { w.Latitude = ptr(90.5) }, "latitude"},
		{"longitude out of range", func(w *Worksite) { w.Longitude = ptr(-180.01) }, "longitude"},
		{"latitude NaN", func(w *Worksite) { w.Latitude = ptr(math.NaN()) }, "latitude"},
		{"edges", func(w *Worksite) { w.Latitude, w.Longitude = ptr(-90.0), ptr(180.0) }, ""},
		{"unknown section", func(w *Worksite) { w.ISICSection, w.ISICDivision = "V", "" }, "isic_section"},
		{"division of another section", func(w *Worksite) { w.ISICSection = "A" }, "isic_division"},
		{"unknown division", func(w *Worksite) { w.ISICDivision = "04" }, "isic_division"},
		{"section alone", func(w *Worksite) { w.ISICDivision = "" }, ""},
		{"no sector", func(w *Worksite) { w.ISICSection, w.ISICDivision = "", "" }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &Worksite{CaseID: "c1", Name: "Kiln 3", Country: "NP", Latitude: ptr(27.67), Longitude: ptr(85.43),
				ISICSection: "C", ISICDivision: "23"}
			tt.change(w)
			err := w.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var fe *Error
			if !asError(err, &fe) || fe.Code != EINVALID || fe.Fields[tt.wantField] == "" {
				t.Fatalf("Validate() = %v, want invalid %s", err, tt.wantField)
			}
		})
	}
}

func TestWorksiteDivisionImpliesSection(t *testing.T) {
	w := &Worksite{CaseID: "c1", Name: "Boat", ISICDivision: "03", ISICSection: " a "}
	if err := w.Validate(); err != nil || w.ISICSection != "A" {
		t.Fatalf("Validate() = %v, section %q", err, w.ISICSection)
	}
	w = &Worksite{CaseID: "c1", Name: "Farm", ISICDivision: "01"}
	if err := w.Validate(); err != nil || w.ISICSection != "A" {
		t.Fatalf("division alone: Validate() = %v, section %q", err, w.ISICSection)
	}
}

func TestWorksiteUpdateApply(t *testing.T) {
	w := &Worksite{CaseID: "c1", Name: "Kiln", Latitude: ptr(1.0), Longitude: ptr(2.0)}
	var none *float64
	changed := WorksiteUpdate{Latitude: &none, Longitude: &none, ISICSection: ptr("F")}.Apply(w)
	if strings.Join(changed, ",") != "latitude,longitude,isic_section" || w.Latitude != nil || w.Longitude != nil || w.ISICSection != "F" {
		t.Errorf("changed %v, worksite %+v", changed, w)
	}
}
