package flare

import (
	"strings"
	"testing"
)

func validOrganisation() *Organisation {
	return &Organisation{CaseID: "c1", Type: OrgEmployer, Name: "Sunrise Bricks Ltd", Country: "np"}
}

func TestOrganisationValidate(t *testing.T) {
	tests := []struct {
		name      string
		change    func(o *Organisation)
		wantField string
	}{
		{"valid", func(o *Organisation) {}, ""},
		{"no case", func(o *Organisation) { o.CaseID = "" }, "case_id"},
		{"no type", func(o *Organisation) { o.Type = "" }, "type"},
		{"unknown type", func(o *Organisation) { o.Type = "ngo" }, "type"},
		{"blank name", func(o *Organisation) { o.Name = " \u202e " }, "name"},
		{"long name", func(o *Organisation) { o.Name = strings.Repeat("n", MaxNameLength+1) }, "name"},
		{"unknown country", func(o *Organisation) { o.Country = "ZZ" }, "country"},
		{"alpha-3 country", func(o *Organisation) { o.Country = "NPL" }, "country"},
		{"grouping not a country", func(o *Organisation) { o.Country = "EU" }, "country"},
		{"no country", func(o *Organisation) { o.Country = "" }, ""},
		{"phone spaced", func(o *Organisation) { o.Phone = "+977 1-4200 000" }, ""},
		{"phone 00", func(o *Organisation) { o.Phone = "00 33 1 23 45 67 89" }, ""},
		{"phone letters", func(o *Organisation) { o.Phone = "call me" }, "phone"},
		{"phone too long", func(o *Organisation) { o.Phone = "+1234567890123456" }, "phone"},
		{"long city", func(o *Organisation) { o.City = strings.Repeat("c", MaxNameLength+1) }, "city"},
		{"long postal code", func(o *Organisation) { o.PostalCode = strings.Repeat("1", MaxCodeLength+1) }, "postal_code"},
		{"too many trade names", func(o *Organisation) {
			for i := range MaxTradeNames + 1 {
				o.TradeNames = append(o.TradeNames, strings.Repeat("t", i+1))
			}
		}, "trade_names"},
		{"unknown scheme", func(o *Organisation) {
			o.Registrations = []RegistrationNumber{{Scheme: "passport", Number: "X1"}}
		}, "registration_numbers"},
		{"blank number dropped", func(o *Organisation) {
			o.Registrations = []RegistrationNumber{{Scheme: "passport", Number: " "}}
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := validOrganisation()
			tt.change(o)
			err := o.Validate()
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

func asError(err error, fe **Error) bool {
	e, ok := err.(*Error)
	*fe = e
	return ok
}

func TestOrganisationNormalises(t *testing.T) {
	o := validOrganisation()
	o.Phone = "0044 (20) 7946-0000"
	o.TradeNames = []string{" Sunrise ", "", "Sunrise", "Kiln\tNo 3"}
	o.Registrations = []RegistrationNumber{{RegTaxID, " 601-234 "}, {RegTaxID, "601-234"}, {RegVAT, ""}}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if o.Country != "NP" || o.Phone != "+442079460000" {
		t.Errorf("country %q phone %q", o.Country, o.Phone)
	}
	if strings.Join(o.TradeNames, "|") != "Sunrise|Kiln No 3" {
		t.Errorf("trade names = %q", o.TradeNames)
	}
	if len(o.Registrations) != 1 || o.Registrations[0].Number != "601-234" {
		t.Errorf("registrations = %+v", o.Registrations)
	}
	if got := strings.Join(o.SearchText(), "|"); got != "Sunrise Bricks Ltd|Sunrise|Kiln No 3|601-234" {
		t.Errorf("search text = %q", got)
	}
}

func TestValidCountryCode(t *testing.T) {
	for code, want := range map[string]bool{"": true, "FR": true, "BR": true, "XK": true, "HK": true,
		"fr": false, "UK": false, "ZZ": false, "EU": false, "QO": false, "FRA": false, "F": false, "250": false} {
		if got := ValidCountryCode(code); got != want {
			t.Errorf("ValidCountryCode(%q) = %v, want %v", code, got, want)
		}
	}
}

func TestOrganisationUpdateApply(t *testing.T) {
	o := validOrganisation()
	name, city := "New name", "Bhaktapur"
	names := []string{"Other"}
	changed := OrganisationUpdate{Name: &name, City: &city, TradeNames: &names}.Apply(o)
	if strings.Join(changed, ",") != "name,trade_names,city" || o.Name != name || o.City != city || o.TradeNames[0] != "Other" {
		t.Errorf("changed %v, organisation %+v", changed, o)
	}
	names[0] = "mutated"
	if o.TradeNames[0] != "Other" {
		t.Error("Apply shares the caller's slice")
	}
}
