package flare

import (
	"context"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxDescriptionLength bounds a worksite's description.
const MaxDescriptionLength = 2000

// Worksite is a place where people in a case worked: a kiln, a farm, a
// vessel, a workshop. Its address follows the HTCDS 2.0 org_Shipping*
// fields (street, city, state, postal_code, country; see
// docs/casework.md), and its sector the ISIC Rev.4 section and division
// (issue #5), which the case list filters on. Not personal data: stored in
// plaintext, searchable by name, description and address, audited as a
// part of the case.
type Worksite struct {
	ID     string `json:"id"`
	CaseID string `json:"case_id"`
	// OrganisationID is the organisation of the same case operating the
	// worksite, usually the employer; empty when unknown.
	OrganisationID string `json:"organisation_id,omitempty"`
	Name           string `json:"name"`
	Description    string `json:"description,omitempty"`
	Street         string `json:"street,omitempty"`
	City           string `json:"city,omitempty"`
	State          string `json:"state,omitempty"`
	PostalCode     string `json:"postal_code,omitempty"`
	// Country is an ISO 3166-1 alpha-2 code.
	Country string `json:"country,omitempty"`
	// Latitude and Longitude are WGS 84 decimal degrees
	// (org_ShippingLatitude, org_ShippingLongitude): both or neither.
	Latitude  *float64 `json:"latitude,omitempty"`
	Longitude *float64 `json:"longitude,omitempty"`
	// ISICSection is the ISIC Rev.4 section letter (A to U) of the work
	// done there, and ISICDivision its two-digit division, which must
	// belong to the section. A division alone implies its section.
	ISICSection  string    `json:"isic_section,omitempty"`
	ISICDivision string    `json:"isic_division,omitempty"`
	Version      int64     `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Validate normalises the worksite's fields and checks each one.
func (w *Worksite) Validate() error {
	w.Name = CleanLine(w.Name)
	w.Description = CleanText(w.Description)
	w.Street, w.City, w.State = CleanLine(w.Street), CleanLine(w.City), CleanLine(w.State)
	w.PostalCode = CleanLine(w.PostalCode)
	w.Country = strings.ToUpper(CleanLine(w.Country))
	w.ISICSection = strings.ToUpper(strings.TrimSpace(w.ISICSection))
	w.ISICDivision = strings.TrimSpace(w.ISICDivision)
	switch {
	case w.CaseID == "":
		return FieldError("case_id", "is required")
	case w.Name == "":
		return FieldError("name", "is required")
	case utf8.RuneCountInString(w.Description) > MaxDescriptionLength:
		return FieldError("description", "is longer than %d characters", MaxDescriptionLength)
	case utf8.RuneCountInString(w.PostalCode) > MaxCodeLength:
		return FieldError("postal_code", "is longer than %d characters", MaxCodeLength)
	case !ValidCountryCode(w.Country):
		return FieldError("country", "must be an ISO 3166 two-letter country code, like FR or BR")
	}
	for _, f := range []struct{ name, v string }{{"name", w.Name}, {"street", w.Street}, {"city", w.City}, {"state", w.State}} {
		if utf8.RuneCountInString(f.v) > MaxNameLength {
			return FieldError(f.name, "is longer than %d characters", MaxNameLength)
		}
	}
	if err := w.validateCoordinates(); err != nil {
		return err
	}
	return w.validateSector()
}

func (w *Worksite) validateCoordinates() error {
	switch {
	case (w.Latitude == nil) != (w.Longitude == nil):
		field := "latitude"
		if w.Longitude == nil {
			field = "longitude"
		}
		return FieldError(field, "is required with the other coordinate: give both or neither")
	case w.Latitude == nil:
		return nil
	case math.IsNaN(*w.Latitude) || *w.Latitude < -90 || *w.Latitude > 90:
		return FieldError("latitude", "must be between -90 and 90")
	case math.IsNaN(*w.Longitude) || *w.Longitude < -180 || *w.Longitude > 180:
		return FieldError("longitude", "must be between -180 and 180")
	}
	return nil
}

// validateSector checks the ISIC Rev.4 codes and fills the section of a
// division given alone.
func (w *Worksite) validateSector() error {
	if w.ISICSection != "" && !ValidISICSection(w.ISICSection) {
		return FieldError("isic_section", "%q is not an ISIC Rev.4 section letter (A to U)", w.ISICSection)
	}
	if w.ISICDivision == "" {
		return nil
	}
	section, ok := ISICSectionOf(w.ISICDivision)
	switch {
	case !ok:
		return FieldError("isic_division", "%q is not an ISIC Rev.4 division (two digits, like 10)", w.ISICDivision)
	case w.ISICSection == "":
		w.ISICSection = section
	case section != w.ISICSection:
		return FieldError("isic_division", "division %s belongs to section %s, not %s", w.ISICDivision, section, w.ISICSection)
	}
	return nil
}

// SearchText returns the worksite's searchable text: its name,
// description and address.
func (w *Worksite) SearchText() []string {
	return []string{w.Name, w.Description, w.Street, w.City, w.State, w.PostalCode, w.Country}
}

// WorksiteUpdate changes some fields of a worksite; nil fields are left
// alone. Version must be the version the change was based on. For the
// pointer-to-pointer fields, a non-nil pointer to nil clears the value.
type WorksiteUpdate struct {
	Version        int64
	OrganisationID *string
	Name           *string
	Description    *string
	Street         *string
	City           *string
	State          *string
	PostalCode     *string
	Country        *string
	Latitude       **float64
	Longitude      **float64
	ISICSection    *string
	ISICDivision   *string
}

// Apply sets the fields upd carries on w and names them, for the audit
// trail. It does not validate.
func (upd WorksiteUpdate) Apply(w *Worksite) []string {
	var changed []string
	set := func(name string, dst *string, v *string) {
		if v != nil {
			*dst = *v
			changed = append(changed, name)
		}
	}
	set("organisation_id", &w.OrganisationID, upd.OrganisationID)
	set("name", &w.Name, upd.Name)
	set("description", &w.Description, upd.Description)
	set("street", &w.Street, upd.Street)
	set("city", &w.City, upd.City)
	set("state", &w.State, upd.State)
	set("postal_code", &w.PostalCode, upd.PostalCode)
	set("country", &w.Country, upd.Country)
	if upd.Latitude != nil {
		w.Latitude = *upd.Latitude
		changed = append(changed, "latitude")
	}
	if upd.Longitude != nil {
		w.Longitude = *upd.Longitude
		changed = append(changed, "longitude")
	}
	set("isic_section", &w.ISICSection, upd.ISICSection)
	set("isic_division", &w.ISICDivision, upd.ISICDivision)
	return changed
}

// WorksiteService manages the worksites of cases, with the same rules of
// access as OrganisationService.
type WorksiteService interface {
	// CreateWorksite stores a new worksite in its case and sets its ID,
	// Version and timestamps. OrganisationID must name an organisation of
	// the same case.
	CreateWorksite(ctx context.Context, w *Worksite) error
	// Worksite returns one worksite.
	Worksite(ctx context.Context, id string) (*Worksite, error)
	// Worksites returns the worksites of a case, by name.
	Worksites(ctx context.Context, caseID string) ([]*Worksite, error)
	// UpdateWorksite applies upd if the worksite is still at upd.Version;
	// a stale version is a conflict and changes nothing.
	UpdateWorksite(ctx context.Context, id string, upd WorksiteUpdate) (*Worksite, error)
	// DeleteWorksite removes a worksite at version; only a supervisor of
	// the owning agency may.
	DeleteWorksite(ctx context.Context, id string, version int64) error
}
