package linkage

import (
	"slices"
	"strings"
)

// role is what a column holds, recognised from its header.
type role int

const (
	roleNone role = iota
	roleGiven
	roleSurname
	roleFullName
	roleOrganisation
	roleBirthDate
	roleAddress
	roleStreetNumber
	roleLocality
	rolePostcode
	roleRegion
	roleIDNumber
	roleSex
	rolePhone
	roleEmail
	roleAge
)

// roleNames maps headers, lower-cased with everything but letters and
// digits removed, to their role. English names as used by FEBRL, Splink's
// examples and IOM's HTCDS; other spellings belong in a --config file.
var roleNames = map[string]role{
	"givenname": roleGiven, "firstname": roleGiven, "forename": roleGiven, "forenames": roleGiven, "given": roleGiven, "fname": roleGiven, "firstnames": roleGiven,
	"surname": roleSurname, "lastname": roleSurname, "familyname": roleSurname, "lname": roleSurname,
	"name": roleFullName, "fullname": roleFullName, "personname": roleFullName,
	"organisation": roleOrganisation, "organization": roleOrganisation, "employer": roleOrganisation, "employername": roleOrganisation,
	"company": roleOrganisation, "companyname": roleOrganisation, "business": roleOrganisation, "businessname": roleOrganisation,
	"organisationname": roleOrganisation, "organizationname": roleOrganisation, "tradename": roleOrganisation, "registeredname": roleOrganisation,
	"dateofbirth": roleBirthDate, "dob": roleBirthDate, "birthdate": roleBirthDate, "birthday": roleBirthDate, "born": roleBirthDate,
	"address": roleAddress, "address1": roleAddress, "address2": roleAddress, "addressline1": roleAddress, "addressline2": roleAddress,
	"street": roleAddress, "streetname": roleAddress, "streetaddress": roleAddress,
	"streetnumber": roleStreetNumber, "housenumber": roleStreetNumber, "streetno": roleStreetNumber, "houseno": roleStreetNumber,
	"suburb": roleLocality, "city": roleLocality, "town": roleLocality, "locality": roleLocality, "village": roleLocality, "district": roleLocality,
	"postcode": rolePostcode, "zip": rolePostcode, "zipcode": rolePostcode, "postalcode": rolePostcode,
	"state": roleRegion, "region": roleRegion, "province": roleRegion, "county": roleRegion, "country": roleRegion, "nationality": roleRegion,
	"socsecid": roleIDNumber, "ssn": roleIDNumber, "socialsecuritynumber": roleIDNumber, "nationalid": roleIDNumber, "nationalidnumber": roleIDNumber,
	"nin": roleIDNumber, "nino": roleIDNumber, "passport": roleIDNumber, "passportnumber": roleIDNumber, "passportno": roleIDNumber,
	"idnumber": roleIDNumber, "idno": roleIDNumber, "idcard": roleIDNumber, "taxid": roleIDNumber, "tin": roleIDNumber, "personalid": roleIDNumber,
	"registrationnumber": roleIDNumber, "companynumber": roleIDNumber,
	"sex": roleSex, "gender": roleSex,
	"phone": rolePhone, "telephone": rolePhone, "mobile": rolePhone, "phonenumber": rolePhone,
	"email": roleEmail, "emailaddress": roleEmail,
	"age": roleAge,
}

// roleFields gives the comparator of each role, and whether exact
// agreement is weighted by term frequency (names and places, whose values
// range from very common to unique).
var roleFields = map[role]struct {
	cmp Comparator
	tf  bool
}{
	roleGiven: {Name, true}, roleSurname: {Name, true}, roleFullName: {Tokens, true},
	roleOrganisation: {Organisation, true}, roleBirthDate: {DateCmp, false},
	roleAddress: {Text, false}, roleStreetNumber: {Code, false}, roleLocality: {Text, true},
	rolePostcode: {Code, true}, roleRegion: {Exact, false}, roleIDNumber: {Code, false},
	roleSex: {Exact, false}, rolePhone: {Code, false}, roleEmail: {Code, false},
	roleAge: {Numeric, false},
}

func roleOf(header string) role {
	var b strings.Builder
	for _, r := range strings.ToLower(header) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return roleNames[b.String()]
}

// InferConfig builds a configuration from column names alone: every column
// whose header it recognises (given name, surname, full name, organisation,
// date of birth, address, house number, town, postcode, region, identity
// numbers, sex, phone, e-mail, age) is compared with the comparator suited
// to it, and blocking rules are derived from the fields found. The id column
// is never compared. It returns the configuration and the columns it left
// out, so that the caller can say so.
func InferConfig(header []string, idColumn string) (Config, []string) {
	var cfg Config
	var ignored []string
	byRole := map[role][]string{}
	seen := map[string]bool{}
	for _, h := range header {
		if h == idColumn || seen[h] {
			continue
		}
		seen[h] = true
		r := roleOf(h)
		if r == roleNone || len(cfg.Fields) == maxFields {
			ignored = append(ignored, h)
			continue
		}
		spec := roleFields[r]
		cfg.Fields = append(cfg.Fields, Field{Name: h, Column: h, Comparator: spec.cmp, TermFrequency: spec.tf})
		byRole[r] = append(byRole[r], h)
	}
	given, surname := first(byRole[roleGiven]), first(byRole[roleSurname])
	if given != "" && surname != "" {
		for i := range cfg.Fields {
			switch cfg.Fields[i].Name {
			case given:
				cfg.Fields[i].SwapWith = surname
			case surname:
				cfg.Fields[i].SwapWith = given
			}
		}
	}
	cfg.Blocking = inferBlocking(byRole, cfg.Fields)
	return cfg, ignored
}

// InferBlocking derives blocking rules for configured fields from the
// names of their columns, as InferConfig does; fields whose column name it
// does not recognise are used alone only when nothing else is.
func InferBlocking(fields []Field) [][]string {
	byRole := map[role][]string{}
	named := slices.Clone(fields)
	for i := range named {
		if named[i].Name == "" {
			named[i].Name = named[i].Column
		}
		if r := roleOf(named[i].Column); r != roleNone {
			byRole[r] = append(byRole[r], named[i].Name)
		}
	}
	return inferBlocking(byRole, named)
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// inferBlocking derives blocking rules from the fields present. Each rule
// pairs two pieces of evidence so that blocks stay small on millions of
// records; their union tolerates an error in any one field: names that sound
// alike (in either order) with the birth year, postcode or town; the same
// postcode and house, street or initial; the same street; the birth date
// with an initial, the house number, postcode or town; the same identity
// number. Without a birth date, names that sound alike and places form
// rules on their own.
func inferBlocking(byRole map[role][]string, fields []Field) [][]string {
	var rules [][]string
	add := func(keys ...string) {
		for _, k := range keys {
			if strings.HasSuffix(k, ":") || strings.HasSuffix(k, "+") || k == "" {
				return
			}
		}
		rules = append(rules, keys)
	}
	given, surname := first(byRole[roleGiven]), first(byRole[roleSurname])
	full, org := first(byRole[roleFullName]), first(byRole[roleOrganisation])
	dob, post := first(byRole[roleBirthDate]), first(byRole[rolePostcode])
	number := first(byRole[roleStreetNumber])
	town := first(byRole[roleLocality])
	region := first(byRole[roleRegion])

	names := given + "+" + surname
	switch {
	case given == "":
		names = surname
	case surname == "":
		names = given
	}
	if dob != "" {
		// Names that sound alike are a block of millions of pairs on a
		// large list when the names are common; the year of birth, the
		// postcode or the town keeps each block to a few people.
		add("soundex:"+names, "year:"+dob)
		add("soundex:"+names, post)
		add("soundex:"+names, town)
		add(dob, "first1:"+given)
		add(dob, "first1:"+surname)
		add(dob, "first1:"+full)
		add(dob, number)
		add(dob, post)
		add(dob, town)
	} else {
		// Without a birth date little tells two people apart: the names
		// alone and the place alone form rules too. These generate many
		// pairs on a large list.
		add("soundex:" + names)
		add(post, town)
		add(post, region)
		add(town, region)
		add(number, region)
	}
	add("sorted:" + full)
	add("sorted:" + org)
	add("first3:"+org, post)
	add("first3:"+org, town)
	add(post, number)
	add(post, "first1:"+given)
	add(post, "first1:"+surname)
	add(post, "first1:"+names)
	for _, street := range byRole[roleAddress] {
		add(post, street)
		add(street, number)
		add(street, "first1:"+surname)
		add(street, "first1:"+given)
		add(street, town)
	}
	add(number, "first3:"+given)
	add(number, "first3:"+surname)
	add(town, number)
	add(town, "first3:"+given)
	add(town, "first3:"+surname)
	add(town, "first3:"+full)
	for _, id := range byRole[roleIDNumber] {
		add(id)
	}
	for _, p := range byRole[rolePhone] {
		add(p)
	}
	for _, e := range byRole[roleEmail] {
		add(e)
	}
	if len(rules) == 0 {
		// No recognised pair of fields: block on each field alone.
		for _, f := range fields {
			add(f.Name)
		}
	}
	return rules
}
