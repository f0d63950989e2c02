package http

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
)

// The worksites of a case (issue #5): the JSON API under
// /api/v1/cases/{id}/worksites and /api/v1/worksites/{id}, the pages that
// add and edit them, and the ISIC Rev.4 code list their sector comes from.

// worksiteRequest is the body of POST /api/v1/cases/{id}/worksites.
type worksiteRequest struct {
	OrganisationID string   `json:"organisation_id"`
	Name           string   `json:"name"`
	Description    string   `json:"description"`
	Street         string   `json:"street"`
	City           string   `json:"city"`
	State          string   `json:"state"`
	PostalCode     string   `json:"postal_code"`
	Country        string   `json:"country"`
	Latitude       *float64 `json:"latitude"`
	Longitude      *float64 `json:"longitude"`
	ISICSection    string   `json:"isic_section"`
	ISICDivision   string   `json:"isic_division"`
}

// worksitePatch is the body of PATCH /api/v1/worksites/{id}: absent fields
// stay as they are; "latitude": null (with "longitude": null) clears the
// coordinates. They are raw so null can be told from absent.
type worksitePatch struct {
	OrganisationID *string         `json:"organisation_id"`
	Name           *string         `json:"name"`
	Description    *string         `json:"description"`
	Street         *string         `json:"street"`
	City           *string         `json:"city"`
	State          *string         `json:"state"`
	PostalCode     *string         `json:"postal_code"`
	Country        *string         `json:"country"`
	Latitude       json.RawMessage `json:"latitude"`
	Longitude      json.RawMessage `json:"longitude"`
	ISICSection    *string         `json:"isic_section"`
	ISICDivision   *string         `json:"isic_division"`
}

// optionalCoordinate reads a raw coordinate of a PATCH: nil when absent, a
// pointer to nil for null, a pointer to the value for a number.
func optionalCoordinate(field string, raw json.RawMessage) (**float64, error) {
	if raw == nil {
		return nil, nil
	}
	var v *float64
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, flare.FieldError(field, "must be a number of decimal degrees or null")
	}
	return &v, nil
}

func (s *Server) handleAPIWorksites(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Worksites == nil {
		s.writeError(w, r, errNoParties)
		return
	}
	list, err := s.cfg.Worksites.Worksites(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []*flare.Worksite{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"worksites": list})
}

func (s *Server) handleAPICreateWorksite(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Worksites == nil {
		s.writeError(w, r, errNoParties)
		return
	}
	var req worksiteRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ws := &flare.Worksite{CaseID: r.PathValue("id"), OrganisationID: req.OrganisationID, Name: req.Name,
		Description: req.Description, Street: req.Street, City: req.City, State: req.State, PostalCode: req.PostalCode,
		Country: req.Country, Latitude: req.Latitude, Longitude: req.Longitude, ISICSection: req.ISICSection,
		ISICDivision: req.ISICDivision}
	if err := s.cfg.Worksites.CreateWorksite(r.Context(), ws); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/worksites/"+ws.ID)
	w.Header().Set("ETag", etag(ws.Version))
	writeJSON(w, http.StatusCreated, ws)
}

func (s *Server) handleAPIWorksite(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Worksites == nil {
		s.writeError(w, r, errNoParties)
		return
	}
	ws, err := s.cfg.Worksites.Worksite(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(ws.Version))
	writeJSON(w, http.StatusOK, ws)
}

func (s *Server) handleAPIUpdateWorksite(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Worksites == nil {
		s.writeError(w, r, errNoParties)
		return
	}
	version, ok := s.ifMatchVersion(w, r, "worksite")
	if !ok {
		return
	}
	var req worksitePatch
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	upd := flare.WorksiteUpdate{Version: version, OrganisationID: req.OrganisationID, Name: req.Name,
		Description: req.Description, Street: req.Street, City: req.City, State: req.State, PostalCode: req.PostalCode,
		Country: req.Country, ISICSection: req.ISICSection, ISICDivision: req.ISICDivision}
	var err error
	if upd.Latitude, err = optionalCoordinate("latitude", req.Latitude); err != nil {
		s.writeError(w, r, err)
		return
	}
	if upd.Longitude, err = optionalCoordinate("longitude", req.Longitude); err != nil {
		s.writeError(w, r, err)
		return
	}
	ws, err := s.cfg.Worksites.UpdateWorksite(r.Context(), r.PathValue("id"), upd)
	if err != nil {
		s.writeVersionedError(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(ws.Version))
	writeJSON(w, http.StatusOK, ws)
}

func (s *Server) handleAPIDeleteWorksite(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Worksites == nil {
		s.writeError(w, r, errNoParties)
		return
	}
	version, ok := s.ifMatchVersion(w, r, "worksite")
	if !ok {
		return
	}
	if err := s.cfg.Worksites.DeleteWorksite(r.Context(), r.PathValue("id"), version); err != nil {
		s.writeVersionedError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// isicSectionJSON is one section of GET /api/v1/isic.
type isicSectionJSON struct {
	Code      string               `json:"code"`
	Title     string               `json:"title"`
	Divisions []flare.ISICDivision `json:"divisions"`
}

// handleAPIISIC returns the ISIC Rev.4 code list (UN Statistics Division)
// that worksites' sectors take their values from: 21 sections and their
// 88 divisions, with the English titles.
func (s *Server) handleAPIISIC(w http.ResponseWriter, r *http.Request) {
	var out []isicSectionJSON
	for _, sec := range flare.ISICSections() {
		out = append(out, isicSectionJSON{Code: sec.Code, Title: sec.Title, Divisions: flare.ISICDivisionsOf(sec.Code)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"classification": "ISIC Rev.4", "sections": out})
}

// The pages.

// worksiteFormOf fills the form with a stored worksite.
func worksiteFormOf(ws *flare.Worksite) html.WorksiteForm {
	return html.WorksiteForm{Name: ws.Name, Description: ws.Description, OrganisationID: ws.OrganisationID,
		Street: ws.Street, City: ws.City, State: ws.State, PostalCode: ws.PostalCode, Country: ws.Country,
		Latitude: html.FormatCoordinate(ws.Latitude), Longitude: html.FormatCoordinate(ws.Longitude),
		Sector: html.SectorValue(ws.ISICSection, ws.ISICDivision)}
}

// worksiteFormFrom reads the worksite form as posted.
func worksiteFormFrom(r *http.Request) html.WorksiteForm {
	return html.WorksiteForm{Name: r.PostFormValue("name"), Description: r.PostFormValue("description"),
		OrganisationID: r.PostFormValue("organisation_id"), Street: r.PostFormValue("street"), City: r.PostFormValue("city"),
		State: r.PostFormValue("state"), PostalCode: r.PostFormValue("postal_code"), Country: r.PostFormValue("country"),
		Latitude: r.PostFormValue("latitude"), Longitude: r.PostFormValue("longitude"), Sector: r.PostFormValue("sector")}
}

// formCoordinate reads a typed coordinate: empty is none, and a decimal
// comma (27,67 as French, Spanish and Portuguese write it) is accepted.
func formCoordinate(field, s string) (*float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	v, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil {
		return nil, flare.FieldError(field, "must be a number of decimal degrees")
	}
	return &v, nil
}

// formSector splits the sector select's value, "C/10" or "C", into the
// section and division.
func formSector(v string) (section, division string) {
	section, division, _ = strings.Cut(strings.TrimSpace(v), "/")
	return section, division
}

// worksiteFromForm builds the worksite fields the form carries.
func worksiteFromForm(caseID string, f html.WorksiteForm) (*flare.Worksite, error) {
	ws := &flare.Worksite{CaseID: caseID, OrganisationID: f.OrganisationID, Name: f.Name, Description: f.Description,
		Street: f.Street, City: f.City, State: f.State, PostalCode: f.PostalCode, Country: f.Country}
	ws.ISICSection, ws.ISICDivision = formSector(f.Sector)
	var err error
	if ws.Latitude, err = formCoordinate("latitude", f.Latitude); err != nil {
		return nil, err
	}
	if ws.Longitude, err = formCoordinate("longitude", f.Longitude); err != nil {
		return nil, err
	}
	return ws, nil
}

// newWorksiteFormView builds the form page; the organisations of the case
// fill the operator select (reading them is audited).
func (s *Server) newWorksiteFormView(r *http.Request, caseID string, ws *flare.Worksite, form html.WorksiteForm) (html.WorksiteFormView, error) {
	title := "parties.add_worksite"
	if ws != nil {
		title = "parties.edit_worksite"
	}
	v := html.WorksiteFormView{Page: s.cfg.Renderer.NewPage(r, title), CaseID: caseID, Worksite: ws, Form: form, Sectors: html.ISICGroups()}
	if ws != nil {
		v.Version, v.CanDelete = ws.Version, canDeleteParty(r, "worksite")
	}
	if s.cfg.Organisations != nil {
		orgs, err := s.cfg.Organisations.Organisations(r.Context(), caseID)
		if err != nil {
			return v, err
		}
		v.Organisations = orgs
	}
	return v, nil
}

func (s *Server) handleNewWorksiteForm(w http.ResponseWriter, r *http.Request) {
	view, err := s.newWorksiteFormView(r, r.PathValue("id"), nil, html.WorksiteForm{})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "worksite_form", view)
}

func (s *Server) handleCreateWorksiteForm(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Worksites == nil {
		s.writeError(w, r, errNoParties)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	caseID := r.PathValue("id")
	form := worksiteFormFrom(r)
	ws, err := worksiteFromForm(caseID, form)
	if err == nil {
		err = s.cfg.Worksites.CreateWorksite(r.Context(), ws)
	}
	if err != nil {
		s.showWorksiteForm(w, r, err, caseID, nil, form, 0)
		return
	}
	http.Redirect(w, r, "/cases/"+caseID+"#parties", http.StatusSeeOther)
}

// showWorksiteForm shows the form again after the store refused it.
func (s *Server) showWorksiteForm(w http.ResponseWriter, r *http.Request, err error, caseID string, stored *flare.Worksite, form html.WorksiteForm, version int64) {
	view, verr := s.newWorksiteFormView(r, caseID, stored, form)
	if verr != nil {
		s.writeError(w, r, verr)
		return
	}
	if stored != nil {
		view.Version = version
	}
	s.refusePartyForm(w, r, err, view.Page, &view.Errors, &view.ErrorMessage, func(status int) {
		s.render(w, r, status, "worksite_form", view)
	})
}

func (s *Server) handleEditWorksiteForm(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Worksites == nil {
		s.writeError(w, r, errNoParties)
		return
	}
	ws, err := s.cfg.Worksites.Worksite(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	view, err := s.newWorksiteFormView(r, ws.CaseID, ws, worksiteFormOf(ws))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "worksite_form", view)
}

// handleEditWorksite saves the edit form, with the hidden version; a
// stale save shows the conflict page (R-CC1).
func (s *Server) handleEditWorksite(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Worksites == nil {
		s.writeError(w, r, errNoParties)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil || version < 1 {
		s.writeError(w, r, flare.FieldError("version", "is missing: reload the page"))
		return
	}
	id := r.PathValue("id")
	form := worksiteFormFrom(r)
	typed, err := worksiteFromForm("", form)
	if err == nil {
		var saved *flare.Worksite
		saved, err = s.cfg.Worksites.UpdateWorksite(r.Context(), id, worksiteUpdateOf(version, typed))
		if err == nil {
			http.Redirect(w, r, "/cases/"+saved.CaseID+"#parties", http.StatusSeeOther)
			return
		}
	}
	stored, rerr := s.cfg.Worksites.Worksite(r.Context(), id)
	if rerr != nil {
		s.writeError(w, r, rerr)
		return
	}
	if fv, _ := fieldOf(err, "version"); fv == "stale" {
		s.showWorksiteConflict(w, r, stored, form)
		return
	}
	s.showWorksiteForm(w, r, err, stored.CaseID, stored, form, version)
}

// worksiteUpdateOf sets every field of the form on an update.
func worksiteUpdateOf(version int64, ws *flare.Worksite) flare.WorksiteUpdate {
	return flare.WorksiteUpdate{Version: version, OrganisationID: &ws.OrganisationID, Name: &ws.Name,
		Description: &ws.Description, Street: &ws.Street, City: &ws.City, State: &ws.State, PostalCode: &ws.PostalCode,
		Country: &ws.Country, Latitude: &ws.Latitude, Longitude: &ws.Longitude, ISICSection: &ws.ISICSection,
		ISICDivision: &ws.ISICDivision}
}

// showWorksiteConflict answers a stale save with 409 and the stored values
// next to the ones typed.
func (s *Server) showWorksiteConflict(w http.ResponseWriter, r *http.Request, stored *flare.Worksite, form html.WorksiteForm) {
	p := s.cfg.Renderer.NewPage(r, "conflict.heading")
	sf := worksiteFormOf(stored)
	view := html.ConflictView{Page: p, RecordLabel: stored.Name, BackURL: "/worksites/" + stored.ID + "/edit",
		Fields: []html.ConflictField{
			html.NewConflictField("parties.worksite_name", form.Name, sf.Name),
			html.NewConflictField("parties.sector", form.Sector, sf.Sector),
			html.NewConflictField("parties.operator", s.operatorName(r, stored.CaseID, form.OrganisationID), s.operatorName(r, stored.CaseID, sf.OrganisationID)),
			html.NewConflictField("parties.description", form.Description, sf.Description),
			html.NewConflictField("parties.street", form.Street, sf.Street),
			html.NewConflictField("parties.city", form.City, sf.City),
			html.NewConflictField("parties.state", form.State, sf.State),
			html.NewConflictField("parties.postal_code", form.PostalCode, sf.PostalCode),
			html.NewConflictField("parties.country", strings.ToUpper(strings.TrimSpace(form.Country)), sf.Country),
			html.NewConflictField("parties.latitude", form.Latitude, sf.Latitude),
			html.NewConflictField("parties.longitude", form.Longitude, sf.Longitude),
		}}
	s.render(w, r, http.StatusConflict, "conflict", view)
}

// operatorName names an organisation of the case for the conflict page,
// falling back to its id when it cannot be read (deleted meanwhile).
func (s *Server) operatorName(r *http.Request, caseID, id string) string {
	if id == "" || s.cfg.Organisations == nil {
		return ""
	}
	if o, err := s.cfg.Organisations.Organisation(r.Context(), id); err == nil && o.CaseID == caseID {
		return o.Name
	}
	return id
}

// handleDeleteWorksiteForm deletes a worksite from its edit page
// (supervisors), at the version the page showed.
func (s *Server) handleDeleteWorksiteForm(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Worksites == nil {
		s.writeError(w, r, errNoParties)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	version, err := partyFormVersion(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ws, err := s.cfg.Worksites.Worksite(r.Context(), r.PathValue("id"))
	if err == nil {
		err = s.cfg.Worksites.DeleteWorksite(r.Context(), ws.ID, version)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/cases/"+ws.CaseID+"#parties", http.StatusSeeOther)
}
