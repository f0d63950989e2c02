package http

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
	"github.com/flare-ilo/flare/policy"
)

// The organisations of a case (issue #5): the JSON API under
// /api/v1/cases/{id}/organisations and /api/v1/organisations/{id}, and the
// pages that add and edit them. Both go through the one
// flare.OrganisationService, which authorises against the case and audits.

// organisationRequest is the body of POST /api/v1/cases/{id}/organisations.
type organisationRequest struct {
	Type          flare.OrganisationType     `json:"type"`
	Name          string                     `json:"name"`
	TradeNames    []string                   `json:"trade_names"`
	Registrations []flare.RegistrationNumber `json:"registration_numbers"`
	Country       string                     `json:"country"`
	State         string                     `json:"state"`
	City          string                     `json:"city"`
	Street        string                     `json:"street"`
	PostalCode    string                     `json:"postal_code"`
	Phone         string                     `json:"phone"`
}

// organisationPatch is the body of PATCH /api/v1/organisations/{id}:
// absent fields stay as they are.
type organisationPatch struct {
	Type          *flare.OrganisationType     `json:"type"`
	Name          *string                     `json:"name"`
	TradeNames    *[]string                   `json:"trade_names"`
	Registrations *[]flare.RegistrationNumber `json:"registration_numbers"`
	Country       *string                     `json:"country"`
	State         *string                     `json:"state"`
	City          *string                     `json:"city"`
	Street        *string                     `json:"street"`
	PostalCode    *string                     `json:"postal_code"`
	Phone         *string                     `json:"phone"`
}

// errNoOrganisations answers when the server was built without the
// service (a test server of another area).
var errNoParties = flare.Errorf(flare.ENOTFOUND, "organisations and worksites are not served here")

func (s *Server) handleAPIOrganisations(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Organisations == nil {
		s.writeError(w, r, errNoParties)
		return
	}
	list, err := s.cfg.Organisations.Organisations(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []*flare.Organisation{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"organisations": list})
}

func (s *Server) handleAPICreateOrganisation(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Organisations == nil {
		s.writeError(w, r, errNoParties)
		return
	}
	var req organisationRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	o := &flare.Organisation{CaseID: r.PathValue("id"), Type: req.Type, Name: req.Name, TradeNames: req.TradeNames,
		Registrations: req.Registrations, Country: req.Country, State: req.State, City: req.City, Street: req.Street,
		PostalCode: req.PostalCode, Phone: req.Phone}
	if err := s.cfg.Organisations.CreateOrganisation(r.Context(), o); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/organisations/"+o.ID)
	w.Header().Set("ETag", etag(o.Version))
	writeJSON(w, http.StatusCreated, o)
}

func (s *Server) handleAPIOrganisation(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Organisations == nil {
		s.writeError(w, r, errNoParties)
		return
	}
	o, err := s.cfg.Organisations.Organisation(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(o.Version))
	writeJSON(w, http.StatusOK, o)
}

// ifMatchVersion reads the version a write is based on from If-Match:
// without the header the answer is 428, with a malformed one 400
// (security checklist R-CC1). ok is false when an error was written.
func (s *Server) ifMatchVersion(w http.ResponseWriter, r *http.Request, what string) (int64, bool) {
	match := r.Header.Get("If-Match")
	if match == "" {
		s.writeErrorStatus(w, r, http.StatusPreconditionRequired,
			flare.Errorf(flare.EINVALID, "send If-Match with the ETag of the %s as you read it", what))
		return 0, false
	}
	version, ok := parseETag(match)
	if !ok {
		s.writeError(w, r, flare.Errorf(flare.EINVALID, "If-Match must be an ETag from this API, like \"v3\""))
		return 0, false
	}
	return version, true
}

// writeVersionedError answers a refused write: a stale version is 412,
// anything else as usual.
func (s *Server) writeVersionedError(w http.ResponseWriter, r *http.Request, err error) {
	if fv, _ := fieldOf(err, "version"); fv == "stale" {
		s.writeErrorStatus(w, r, http.StatusPreconditionFailed, err)
		return
	}
	s.writeError(w, r, err)
}

func (s *Server) handleAPIUpdateOrganisation(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Organisations == nil {
		s.writeError(w, r, errNoParties)
		return
	}
	version, ok := s.ifMatchVersion(w, r, "organisation")
	if !ok {
		return
	}
	var req organisationPatch
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	upd := flare.OrganisationUpdate{Version: version, Type: req.Type, Name: req.Name, TradeNames: req.TradeNames,
		Registrations: req.Registrations, Country: req.Country, State: req.State, City: req.City, Street: req.Street,
		PostalCode: req.PostalCode, Phone: req.Phone}
	o, err := s.cfg.Organisations.UpdateOrganisation(r.Context(), r.PathValue("id"), upd)
	if err != nil {
		s.writeVersionedError(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(o.Version))
	writeJSON(w, http.StatusOK, o)
}

func (s *Server) handleAPIDeleteOrganisation(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Organisations == nil {
		s.writeError(w, r, errNoParties)
		return
	}
	version, ok := s.ifMatchVersion(w, r, "organisation")
	if !ok {
		return
	}
	if err := s.cfg.Organisations.DeleteOrganisation(r.Context(), r.PathValue("id"), version); err != nil {
		s.writeVersionedError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// The pages.

// organisationFormOf fills the form with a stored organisation, plus two
// empty rows for new registration numbers.
func organisationFormOf(o *flare.Organisation) html.OrganisationForm {
	f := html.OrganisationForm{Type: string(o.Type), Name: o.Name, TradeNames: strings.Join(o.TradeNames, "\n"),
		Country: o.Country, State: o.State, City: o.City, Street: o.Street, PostalCode: o.PostalCode, Phone: o.Phone}
	f.Registrations = append(append(f.Registrations, o.Registrations...), emptyRegistrationRows()...)
	return f
}

func emptyRegistrationRows() []flare.RegistrationNumber {
	return []flare.RegistrationNumber{{Scheme: flare.RegCompanyRegister}, {Scheme: flare.RegTaxID}}
}

// organisationFormFrom reads the organisation form as posted.
func organisationFormFrom(r *http.Request) html.OrganisationForm {
	f := html.OrganisationForm{Type: r.PostFormValue("type"), Name: r.PostFormValue("name"),
		TradeNames: r.PostFormValue("trade_names"), Country: r.PostFormValue("country"), State: r.PostFormValue("state"),
		City: r.PostFormValue("city"), Street: r.PostFormValue("street"), PostalCode: r.PostFormValue("postal_code"),
		Phone: r.PostFormValue("phone")}
	schemes, numbers := r.PostForm["reg_scheme"], r.PostForm["reg_number"]
	for i, n := range numbers {
		if i >= len(schemes) || i >= 2*flare.MaxRegistrations {
			break
		}
		f.Registrations = append(f.Registrations, flare.RegistrationNumber{Scheme: flare.RegistrationScheme(schemes[i]), Number: n})
	}
	return f
}

// tradeNames splits the trade names typed one per line.
func tradeNames(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

func (s *Server) newOrganisationFormView(r *http.Request, caseID string, o *flare.Organisation, form html.OrganisationForm) html.OrganisationFormView {
	title := "parties.add_organisation"
	if o != nil {
		title = "parties.edit_organisation"
	}
	v := html.OrganisationFormView{Page: s.cfg.Renderer.NewPage(r, title), CaseID: caseID, Organisation: o, Form: form,
		Types: flare.OrganisationTypes(), Schemes: flare.RegistrationSchemes()}
	if o != nil {
		v.Version, v.CanDelete = o.Version, canDeleteParty(r, "organisation")
	}
	if len(v.Form.Registrations) == 0 {
		v.Form.Registrations = emptyRegistrationRows()
	}
	return v
}

func (s *Server) handleNewOrganisationForm(w http.ResponseWriter, r *http.Request) {
	view := s.newOrganisationFormView(r, r.PathValue("id"), nil, html.OrganisationForm{Type: string(flare.OrgEmployer)})
	s.render(w, r, http.StatusOK, "organisation_form", view)
}

// handleCreateOrganisationForm adds an organisation from the form; a
// refusal shows the form again with what was typed and, next to each
// field at fault, the catalogue's words for what is wrong.
func (s *Server) handleCreateOrganisationForm(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Organisations == nil {
		s.writeError(w, r, errNoParties)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	caseID := r.PathValue("id")
	form := organisationFormFrom(r)
	o := &flare.Organisation{CaseID: caseID, Type: flare.OrganisationType(form.Type), Name: form.Name,
		TradeNames: tradeNames(form.TradeNames), Registrations: form.Registrations, Country: form.Country, State: form.State,
		City: form.City, Street: form.Street, PostalCode: form.PostalCode, Phone: form.Phone}
	if err := s.cfg.Organisations.CreateOrganisation(r.Context(), o); err != nil {
		view := s.newOrganisationFormView(r, caseID, nil, form)
		s.refusePartyForm(w, r, err, view.Page, &view.Errors, &view.ErrorMessage, func(status int) {
			s.render(w, r, status, "organisation_form", view)
		})
		return
	}
	http.Redirect(w, r, "/cases/"+caseID+"#parties", http.StatusSeeOther)
}

func (s *Server) handleEditOrganisationForm(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Organisations == nil {
		s.writeError(w, r, errNoParties)
		return
	}
	o, err := s.cfg.Organisations.Organisation(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "organisation_form", s.newOrganisationFormView(r, o.CaseID, o, organisationFormOf(o)))
}

// handleEditOrganisation saves the edit form. The hidden version is the
// one the user saw: if someone saved in between, the conflict page shows
// what is stored next to what they typed (R-CC1).
func (s *Server) handleEditOrganisation(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Organisations == nil {
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
	form := organisationFormFrom(r)
	typ, names, regs := flare.OrganisationType(form.Type), tradeNames(form.TradeNames), form.Registrations
	upd := flare.OrganisationUpdate{Version: version, Type: &typ, Name: &form.Name, TradeNames: &names, Registrations: &regs,
		Country: &form.Country, State: &form.State, City: &form.City, Street: &form.Street, PostalCode: &form.PostalCode, Phone: &form.Phone}
	id := r.PathValue("id")
	o, err := s.cfg.Organisations.UpdateOrganisation(r.Context(), id, upd)
	if err == nil {
		http.Redirect(w, r, "/cases/"+o.CaseID+"#parties", http.StatusSeeOther)
		return
	}
	// The organisation as stored now: for the conflict page, or to show
	// the form again. Reading it is audited like any read.
	stored, rerr := s.cfg.Organisations.Organisation(r.Context(), id)
	if rerr != nil {
		s.writeError(w, r, err)
		return
	}
	if fv, _ := fieldOf(err, "version"); fv == "stale" {
		s.showOrganisationConflict(w, r, stored, form)
		return
	}
	view := s.newOrganisationFormView(r, stored.CaseID, stored, form)
	view.Version = version
	s.refusePartyForm(w, r, err, view.Page, &view.Errors, &view.ErrorMessage, func(status int) {
		s.render(w, r, status, "organisation_form", view)
	})
}

// showOrganisationConflict answers a stale save with 409 and the stored
// values next to the ones typed.
func (s *Server) showOrganisationConflict(w http.ResponseWriter, r *http.Request, stored *flare.Organisation, form html.OrganisationForm) {
	p := s.cfg.Renderer.NewPage(r, "conflict.heading")
	storedForm := organisationFormOf(stored)
	view := html.ConflictView{Page: p, RecordLabel: stored.Name, BackURL: "/organisations/" + stored.ID + "/edit",
		Fields: []html.ConflictField{
			html.NewConflictField("parties.type", p.T("parties.type."+form.Type), p.T("parties.type."+string(stored.Type))),
			html.NewConflictField("parties.name", form.Name, stored.Name),
			html.NewConflictField("parties.trade_names", strings.Join(tradeNames(form.TradeNames), ", "), strings.Join(stored.TradeNames, ", ")),
			html.NewConflictField("parties.registrations", registrationsText(p, form.Registrations), registrationsText(p, storedForm.Registrations)),
			html.NewConflictField("parties.street", form.Street, stored.Street),
			html.NewConflictField("parties.city", form.City, stored.City),
			html.NewConflictField("parties.state", form.State, stored.State),
			html.NewConflictField("parties.postal_code", form.PostalCode, stored.PostalCode),
			html.NewConflictField("parties.country", strings.ToUpper(strings.TrimSpace(form.Country)), stored.Country),
			html.NewConflictField("parties.phone", form.Phone, stored.Phone),
		}}
	s.render(w, r, http.StatusConflict, "conflict", view)
}

// registrationsText writes registration numbers on one line, skipping
// empty form rows.
func registrationsText(p html.Page, regs []flare.RegistrationNumber) string {
	var parts []string
	for _, reg := range regs {
		if n := strings.TrimSpace(reg.Number); n != "" {
			parts = append(parts, p.T("parties.scheme."+string(reg.Scheme))+" "+n)
		}
	}
	return strings.Join(parts, "; ")
}

// refusePartyForm shows a form again after the store refused it: invalid
// input names its fields, each shown with the catalogue's message for it
// in the page's language; anything else is an error page.
func (s *Server) refusePartyForm(w http.ResponseWriter, r *http.Request, err error, p html.Page, fields *map[string]string, msg *string, show func(int)) {
	var fe *flare.Error
	if !errors.As(err, &fe) || (fe.Code != flare.EINVALID && fe.Code != flare.ECONFLICT) {
		s.writeError(w, r, err)
		return
	}
	*fields = map[string]string{}
	for f, m := range fe.Fields {
		key := "parties.error." + f
		if t := p.T(key); t != key {
			m = t
		}
		(*fields)[f] = m
	}
	*msg = p.T("parties.error.summary")
	status := http.StatusBadRequest
	if fe.Code == flare.ECONFLICT {
		status = http.StatusConflict
	}
	show(status)
}

// canDeleteParty says whether to offer the delete button: the policy lets
// only a supervisor of the owning agency delete a part of a case. The
// store decides again on the case itself when the form is sent.
func canDeleteParty(r *http.Request, recordType string) bool {
	actor, ok := flare.ActorFrom(r.Context())
	return ok && policy.Decide(actor, policy.Delete, policy.Record{Type: recordType, OwnerAgencyID: actor.AgencyID}, nil) == policy.Allow
}

// partyFormVersion reads the hidden version of a form.
func partyFormVersion(r *http.Request) (int64, error) {
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil || version < 1 {
		return 0, flare.FieldError("version", "is missing: reload the page")
	}
	return version, nil
}

// handleDeleteOrganisationForm deletes an organisation from its edit page
// (supervisors), at the version the page showed; a stale version or an
// organisation still operating a worksite is a conflict page.
func (s *Server) handleDeleteOrganisationForm(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Organisations == nil {
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
	o, err := s.cfg.Organisations.Organisation(r.Context(), r.PathValue("id"))
	if err == nil {
		err = s.cfg.Organisations.DeleteOrganisation(r.Context(), o.ID, version)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/cases/"+o.CaseID+"#parties", http.StatusSeeOther)
}
