package flare

import (
	"math"
	"reflect"
	"testing"
)

// FuzzOrganisationValidate: validation never panics, and an organisation
// it accepts is accepted again unchanged (normalising is idempotent), with
// a name, a valid country and an E.164 phone.
func FuzzOrganisationValidate(f *testing.F) {
	f.Add("employer", "Sunrise Bricks", "np", "+977 1 4200000", "Sunrise\nSK", "tax_id", "PAN-301")
	f.Add("buyer", " \u202eX ", "UK", "0044 (20) 7946-0000", "", "vat", " ")
	f.Add("other", "Ocean Crew", "", "00", "a\u0000b", "passport", "1")
	f.Fuzz(func(t *testing.T, typ, name, country, phone, trade, scheme, number string) {
		o := &Organisation{CaseID: "c", Type: OrganisationType(typ), Name: name, Country: country, Phone: phone,
			TradeNames: []string{trade, trade}, Registrations: []RegistrationNumber{{RegistrationScheme(scheme), number}}}
		if o.Validate() != nil {
			return
		}
		if o.Name == "" || !ValidCountryCode(o.Country) || (o.Phone != "" && !phonePattern.MatchString(o.Phone)) {
			t.Fatalf("accepted %+v", o)
		}
		again := *o
		if err := again.Validate(); err != nil || !reflect.DeepEqual(&again, o) {
			t.Fatalf("not idempotent: %+v -> %+v, %v", o, again, err)
		}
	})
}

// FuzzWorksiteValidate: validation never panics; an accepted worksite has
// both coordinates or neither, in range, and a division of its section.
func FuzzWorksiteValidate(f *testing.F) {
	f.Add("Kiln 3", "C", "23", 27.67, 85.43, true, "NP")
	f.Add("Boat", "", "03", math.NaN(), 0.0, true, "br")
	f.Add("", "z", "99", 91.0, -181.0, false, "EU")
	f.Fuzz(func(t *testing.T, name, section, division string, lat, lon float64, withCoords bool, country string) {
		w := &Worksite{CaseID: "c", Name: name, ISICSection: section, ISICDivision: division, Country: country}
		if withCoords {
			w.Latitude, w.Longitude = &lat, &lon
		}
		if w.Validate() != nil {
			return
		}
		if w.Latitude != nil && (*w.Latitude < -90 || *w.Latitude > 90 || *w.Longitude < -180 || *w.Longitude > 180) {
			t.Fatalf("accepted coordinates %v, %v", *w.Latitude, *w.Longitude)
		}
		if w.ISICDivision != "" && !ValidISICDivision(w.ISICSection, w.ISICDivision) {
			t.Fatalf("accepted division %q of section %q", w.ISICDivision, w.ISICSection)
		}
		if w.ISICSection != "" && !ValidISICSection(w.ISICSection) {
			t.Fatalf("accepted section %q", w.ISICSection)
		}
		again := *w
		if err := again.Validate(); err != nil || !reflect.DeepEqual(&again, w) {
			t.Fatalf("not idempotent: %+v -> %+v, %v", w, again, err)
		}
	})
}
