package html

import (
	"strconv"
	"strings"

	"github.com/flare-ilo/flare"
)

// PartiesSection is the organisations and worksites of a case on its page.
type PartiesSection struct {
	// Shown is false when the server has no organisation and worksite
	// services, so the section is left out.
	Shown         bool
	CaseID        string
	Organisations []OrganisationLine
	Worksites     []WorksiteLine
}

// OrganisationLine is one organisation in the parties section.
type OrganisationLine struct{ *flare.Organisation }

// Place joins the organisation's city and country.
func (o OrganisationLine) Place() string { return joinNonEmpty(o.City, o.Country) }

// WorksiteLine is one worksite in the parties section, with the name of
// the organisation operating it.
type WorksiteLine struct {
	*flare.Worksite
	OperatorName string
}

// Address joins the non-empty parts of the worksite's address on one line.
func (w WorksiteLine) Address() string {
	return joinNonEmpty(w.Street, w.City, w.State, w.PostalCode, w.Country)
}

// Coordinates writes the worksite's latitude and longitude, or "".
func (w WorksiteLine) Coordinates() string {
	if w.Latitude == nil || w.Longitude == nil {
		return ""
	}
	return FormatCoordinate(w.Latitude) + ", " + FormatCoordinate(w.Longitude)
}

// FormatCoordinate writes a coordinate in decimal degrees, or "" for nil.
func FormatCoordinate(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

// OrganisationForm is what an organisation form holds, as typed.
type OrganisationForm struct {
	Type, Name, TradeNames, Country, State, City, Street, PostalCode, Phone string
	// Registrations are the rows of registration numbers, with empty rows
	// to add new ones.
	Registrations []flare.RegistrationNumber
}

// OrganisationFormView adds or edits an organisation of a case.
// Organisation is nil for a new one; Version is the version an edit is
// based on.
type OrganisationFormView struct {
	Page
	CaseID       string
	Organisation *flare.Organisation
	Version      int64
	// CanDelete shows the delete button: a supervisor's.
	CanDelete bool
	Form      OrganisationForm
	Types     []flare.OrganisationType
	Schemes   []flare.RegistrationScheme
	// Errors holds, per field, the message to show next to it.
	Errors       map[string]string
	ErrorMessage string
}

// WorksiteForm is what a worksite form holds, as typed.
type WorksiteForm struct {
	Name, Description, OrganisationID, Street, City, State, PostalCode, Country, Latitude, Longitude string
	// Sector is "" or an ISIC Rev.4 section, alone ("C") or with a
	// division ("C/10").
	Sector string
}

// WorksiteFormView adds or edits a worksite of a case.
type WorksiteFormView struct {
	Page
	CaseID        string
	Worksite      *flare.Worksite
	Version       int64
	CanDelete     bool
	Form          WorksiteForm
	Organisations []*flare.Organisation
	Sectors       []ISICGroup
	Errors        map[string]string
	ErrorMessage  string
}

// ISICGroup is one ISIC Rev.4 section and its divisions, an <optgroup>
// of the sector select.
type ISICGroup struct {
	Code      string
	Divisions []flare.ISICDivision
}

// ISICGroups returns the sections of ISIC Rev.4 with their divisions.
func ISICGroups() []ISICGroup {
	var out []ISICGroup
	for _, s := range flare.ISICSections() {
		out = append(out, ISICGroup{Code: s.Code, Divisions: flare.ISICDivisionsOf(s.Code)})
	}
	return out
}

// SectorValue is the value of the sector select for a section and
// division: "C/10", "C" or "".
func SectorValue(section, division string) string {
	if division != "" {
		return section + "/" + division
	}
	return section
}
