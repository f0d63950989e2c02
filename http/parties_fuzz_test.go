package http

import (
	"testing"

	"github.com/flare-ilo/flare/html"
)

// FuzzWorksiteForm: whatever a browser posts, reading the worksite form
// never panics, and what it accepts validates or is refused with a field.
func FuzzWorksiteForm(f *testing.F) {
	f.Add("Kiln 3", "C/23", "27,671", "85.4298")
	f.Add("", "/", "1e309", "-0")
	f.Add("x", "Z/99/1", " ", "NaN")
	f.Fuzz(func(t *testing.T, name, sector, lat, lon string) {
		ws, err := worksiteFromForm("c", html.WorksiteForm{Name: name, Sector: sector, Latitude: lat, Longitude: lon})
		if err != nil {
			if _, ok := fieldOf(err, "latitude"); !ok {
				if _, ok := fieldOf(err, "longitude"); !ok {
					t.Fatalf("refusal names no coordinate: %v", err)
				}
			}
			return
		}
		if err := ws.Validate(); err != nil {
			if fieldsOf(err) == 0 {
				t.Fatalf("refusal names no field: %v", err)
			}
		}
	})
}

func fieldsOf(err error) int {
	for _, f := range []string{"name", "isic_section", "isic_division", "latitude", "longitude", "country"} {
		if _, ok := fieldOf(err, f); ok {
			return 1
		}
	}
	return 0
}
