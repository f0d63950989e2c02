package flare

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func validPerson() *Person {
	birth := time.Date(1990, 1, 2, 15, 0, 0, 0, time.UTC)
	return &Person{CaseID: "c1", Role: RolePresumedVictim,
		PersonIdentity: &PersonIdentity{FirstName: " Amina\u202e ", SecondName: "Okafor", Birthdate: &birth,
			Contact:           PersonContact{Email: "a@b.example", MobilePhone: "+254 700-123 456", MailingCountry: "ke"},
			IdentityDocuments: []IdentityDocument{{Type: DocPassport, Number: "X1", IssuingCountry: "ke"}}},
		Gender: GenderFeminine, Citizenship: []string{"ke", "UG"}, PrimaryLanguage: "SW",
		VictimStatus: &VictimStatus{Suspected: &StatusDecision{DecidedOn: birth.AddDate(30, 0, 0), DecidedBy: DecidedByNGO},
			Identified: &StatusDecision{DecidedOn: birth.AddDate(31, 0, 0), DecidedBy: DecidedByCourtOrProsecution}}}
}

func TestPersonValidateNormalises(t *testing.T) {
	p := validPerson()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	switch {
	case p.FirstName != "Amina":
		t.Errorf("first name %q not cleaned", p.FirstName)
	case p.Contact.MobilePhone != "+254700123456":
		t.Errorf("phone %q", p.Contact.MobilePhone)
	case p.Contact.MailingCountry != "KE" || p.IdentityDocuments[0].IssuingCountry != "KE" || p.Citizenship[0] != "KE":
		t.Errorf("country codes not upper-cased: %+v", p)
	case p.PrimaryLanguage != "sw":
		t.Errorf("language %q", p.PrimaryLanguage)
	case !p.Birthdate.Equal(time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC)):
		t.Errorf("birthdate %v not a date", p.Birthdate)
	case p.VictimStatus.Current != VictimIdentified:
		t.Errorf("current stage %q", p.VictimStatus.Current)
	}
}

func TestPersonValidateRefuses(t *testing.T) {
	future := time.Now().AddDate(1, 0, 0)
	for field, mutate := range map[string]func(*Person){
		"case_id":                            func(p *Person) { p.CaseID = "" },
		"role":                               func(p *Person) { p.Role = "victim" },
		"first_name":                         func(p *Person) { p.FirstName, p.SecondName = " ", "" },
		"birthdate":                          func(p *Person) { p.Birthdate = &future },
		"age_years":                          func(p *Person) { a := 3; p.AgeYears = &a },
		"gender":                             func(p *Person) { p.Gender = "F" },
		"citizenship":                        func(p *Person) { p.Citizenship = []string{"KE", "ke"} },
		"primary_language":                   func(p *Person) { p.PrimaryLanguage = "xx-yy" },
		"secondary_language":                 func(p *Person) { p.SecondaryLanguage = "zzz" },
		"contact.email":                      func(p *Person) { p.Contact.Email = "Amina <a@b.example>" },
		"contact.mobile_phone":               func(p *Person) { p.Contact.MobilePhone = "+0123" },
		"contact.mailing_country":            func(p *Person) { p.Contact.MailingCountry = "EU" },
		"identity_documents.type":            func(p *Person) { p.IdentityDocuments[0].Type = "visa" },
		"identity_documents.number":          func(p *Person) { p.IdentityDocuments[0].Number = strings.Repeat("9", 65) },
		"victim_status":                      func(p *Person) { p.Role = RoleWitness },
		"victim_status.suspected.decided_on": func(p *Person) { p.VictimStatus.Suspected.DecidedOn = time.Time{} },
		"second_name":                        func(p *Person) { p.SecondName = strings.Repeat("n", 201) },
		"age_estimated":                      func(p *Person) { p.Birthdate, p.AgeEstimated = nil, true },
	} {
		p := validPerson()
		mutate(p)
		err := p.Validate()
		e, ok := err.(*Error)
		if !ok || e.Code != EINVALID || e.Fields[field] == "" {
			t.Errorf("%s: got %v, want an invalid-input error naming the field", field, err)
		}
	}
}

func TestPersonWithoutIdentityValidates(t *testing.T) {
	a := 40
	p := &Person{CaseID: "c", Role: RoleWitness, AgeYears: &a, AgeEstimated: true}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestHTCDSTraffickingStatus(t *testing.T) {
	for s, want := range map[VictimStage]string{VictimSuspected: "PossibleVictimOfTrafficking",
		VictimPresumed: "PossibleVictimOfTrafficking", VictimIdentified: "ActualVictimOfTrafficking", "": ""} {
		if got := s.HTCDSTraffickingStatus(); got != want {
			t.Errorf("%q → %q, want %q", s, got, want)
		}
	}
}

func TestPersonCountryAndLanguageCodes(t *testing.T) {
	for code, want := range map[string]bool{"KE": true, "NP": true, "BR": true, "ke": false, "EU": false, "ZZ": false, "KEN": false, "001": false} {
		if isCountry(code) != want {
			t.Errorf("isCountry(%q) = %v", code, !want)
		}
	}
	for code, want := range map[string]bool{"sw": true, "ne": true, "fil": true, "SW": false, "english": false, "x": false} {
		if ValidLanguageCode(code) != want {
			t.Errorf("ValidLanguageCode(%q) = %v", code, !want)
		}
	}
}

func TestPersonUpdateFieldsAndApply(t *testing.T) {
	name, g := "B", GenderMasculine
	var none *int
	u := PersonUpdate{FirstName: &name, Gender: &g, AgeYears: &none}
	if got := strings.Join(u.Fields(), ","); got != "first_name,gender,age_years" {
		t.Errorf("fields = %s", got)
	}
	p := validPerson()
	u.Apply(p)
	if p.FirstName != "B" || p.Gender != g || p.AgeYears != nil {
		t.Errorf("applied %+v", p)
	}
}

// FuzzPersonValidate decodes arbitrary JSON into a person and validates
// it twice: never a panic, and validation is idempotent (what it accepts
// once normalised, it accepts again unchanged).
func FuzzPersonValidate(f *testing.F) {
	f.Add(`{"case_id":"c","role":"witness","first_name":"A\u202eB","contact":{"mobile_phone":"+44 (0)20 7946 0000"}}`)
	f.Add(`{"case_id":"c","role":"presumed_victim","second_name":"x","citizenship":["gb","GB"],"age_years":-1}`)
	f.Add(`{"case_id":"c","role":"presumed_victim","first_name":"x","victim_status":{"presumed":{"decided_on":"2026-01-01T00:00:00Z","decided_by":"ngo"}}}`)
	f.Fuzz(func(t *testing.T, s string) {
		var p Person
		if json.Unmarshal([]byte(s), &p) != nil {
			return
		}
		if p.Validate() != nil {
			return
		}
		before, _ := json.Marshal(p)
		if err := p.Validate(); err != nil {
			t.Fatalf("accepted once, refused after normalising: %v", err)
		}
		if after, _ := json.Marshal(p); string(after) != string(before) {
			t.Fatalf("validation is not idempotent:\n%s\n%s", before, after)
		}
	})
}
