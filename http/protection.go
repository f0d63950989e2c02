package http

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
)

// Protection of victims (issue #6): services, protection periods and the
// "ending soon" list, as pages and in the JSON API. The person's page
// shows them in its protection section (personProtection).

func (s *Server) protection(w http.ResponseWriter, r *http.Request) (flare.ProtectionService, bool) {
	if s.cfg.Protection == nil {
		s.writeError(w, r, errNoRoute)
		return nil, false
	}
	return s.cfg.Protection, true
}

// protectionChoices are the agencies and kinds the forms offer.
func (s *Server) protectionChoices(r *http.Request) (html.ProtectionChoices, error) {
	c := html.ProtectionChoices{ServiceKinds: flare.ServiceKinds(), PeriodKinds: flare.PeriodKinds(), Config: s.cfg.Protection.Config()}
	if me, ok := userFrom(r.Context()); ok {
		c.MyAgencyID = me.AgencyID
	}
	if s.cfg.Agencies != nil {
		list, err := s.cfg.Agencies.Agencies(r.Context())
		if err != nil {
			return c, err
		}
		c.Agencies = list
	}
	return c, nil
}

// personProtection fills the protection section of a person's page. A user
// the policy does not let see the records gets the page without it, not
// an error page. Only presumed victims have one.
func (s *Server) personProtection(r *http.Request, p *flare.Person, view *html.PersonView) error {
	if s.cfg.Protection == nil || p.Role != flare.RolePresumedVictim {
		return nil
	}
	svc := s.cfg.Protection
	services, err := svc.PersonServices(r.Context(), p.ID)
	switch flare.ErrorCodeOf(err) {
	case "":
	case flare.EFORBIDDEN, flare.ENOTFOUND:
		return nil
	default:
		return err
	}
	periods, err := svc.PersonPeriods(r.Context(), p.ID)
	if err != nil {
		return err
	}
	choices, err := s.protectionChoices(r)
	if err != nil {
		return err
	}
	view.Protection = html.PersonProtection{Page: view.Page, Shown: true, PersonID: p.ID, Services: services, Periods: periods,
		Status: p.VictimStatus, Today: flare.DateOf(time.Now()), ProtectionChoices: choices}
	return nil
}

// protectionFormFrom reads a submitted protection form as typed.
func protectionFormFrom(which, personID, targetID string, v url.Values) html.ProtectionForm {
	return html.ProtectionForm{Which: which, PersonID: personID, TargetID: targetID, Version: v.Get("version"),
		Kind: v.Get("kind"), AgencyID: v.Get("agency_id"), Provider: v.Get("provider"), StartedOn: v.Get("started_on"),
		EndedOn: v.Get("ended_on"), Outcome: v.Get("outcome"), StartsOn: v.Get("starts_on"), EndsOn: v.Get("ends_on"),
		Reference: v.Get("reference"), Reason: v.Get("reason")}
}

// refuseProtectionForm shows a refused form again, 400, with the
// catalogue's message next to each refused field; a stale version is 409.
// Other errors are error pages.
func (s *Server) refuseProtectionForm(w http.ResponseWriter, r *http.Request, err error, form html.ProtectionForm) {
	var fe *flare.Error
	if !errors.As(err, &fe) || (fe.Code != flare.EINVALID && fe.Code != flare.ECONFLICT) || len(fe.Fields) == 0 {
		s.writeError(w, r, err)
		return
	}
	choices, cerr := s.protectionChoices(r)
	if cerr != nil {
		s.writeError(w, r, cerr)
		return
	}
	view := html.ProtectionFormView{Page: s.cfg.Renderer.NewPage(r, "protection.heading"), ProtectionChoices: choices, Form: form,
		Errors: map[string]string{}}
	for f := range fe.Fields {
		key := "protection.error." + f
		msg := view.T(key)
		if msg == key {
			msg = view.T("protection.error.invalid")
		}
		view.Errors[f] = msg
	}
	view.ErrorMessage = view.T("protection.error.summary")
	status := http.StatusBadRequest
	if fe.Code == flare.ECONFLICT {
		status = http.StatusConflict
	}
	s.render(w, r, status, "protection_form", view)
}

// protectionVersion reads the version a form was based on.
func protectionVersion(v url.Values) (int64, error) {
	n, err := strconv.ParseInt(v.Get("version"), 10, 64)
	if err != nil || n < 1 {
		return 0, flare.FieldError("version", "is missing: reload the page")
	}
	return n, nil
}

func (s *Server) handleServiceForm(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.protection(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	personID := r.PathValue("id")
	form := protectionFormFrom("service", personID, "", r.PostForm)
	ps := &flare.ProvidedService{PersonID: personID, Kind: flare.ServiceKind(form.Kind), AgencyID: form.AgencyID,
		Provider: form.Provider, Outcome: form.Outcome}
	var err error
	if ps.StartedOn, err = formDay("started_on", form.StartedOn); err == nil {
		if ps.EndedOn, err = formDate("ended_on", form.EndedOn); err == nil {
			err = svc.RecordService(r.Context(), ps)
		}
	}
	if err != nil {
		s.refuseProtectionForm(w, r, err, form)
		return
	}
	http.Redirect(w, r, "/persons/"+personID+"#service-"+ps.ID, http.StatusSeeOther)
}

func (s *Server) handleServiceUpdateForm(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.protection(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	id := r.PathValue("id")
	form := protectionFormFrom("service_update", r.PostForm.Get("person_id"), id, r.PostForm)
	version, err := protectionVersion(r.PostForm)
	var saved *flare.ProvidedService
	if err == nil {
		var end *time.Time
		if end, err = formDate("ended_on", form.EndedOn); err == nil {
			saved, err = svc.UpdateService(r.Context(), id, flare.ServiceUpdate{Version: version, EndedOn: &end, Outcome: &form.Outcome})
		}
	}
	if err != nil {
		s.refuseProtectionForm(w, r, err, form)
		return
	}
	http.Redirect(w, r, "/persons/"+saved.PersonID+"#service-"+saved.ID, http.StatusSeeOther)
}

func (s *Server) handlePeriodForm(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.protection(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	personID := r.PathValue("id")
	form := protectionFormFrom("period", personID, "", r.PostForm)
	p := &flare.ProtectionPeriod{PersonID: personID, Kind: flare.PeriodKind(form.Kind), AgencyID: form.AgencyID, Reference: form.Reference}
	var err error
	if p.StartsOn, err = formDay("starts_on", form.StartsOn); err == nil {
		if p.EndsOn, err = formDay("ends_on", form.EndsOn); err == nil {
			err = svc.StartPeriod(r.Context(), p)
		}
	}
	if err != nil {
		s.refuseProtectionForm(w, r, err, form)
		return
	}
	http.Redirect(w, r, "/persons/"+personID+"#period-"+p.ID, http.StatusSeeOther)
}

func (s *Server) handleExtensionForm(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.protection(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	id := r.PathValue("id")
	form := protectionFormFrom("extension", r.PostForm.Get("person_id"), id, r.PostForm)
	version, err := protectionVersion(r.PostForm)
	var saved *flare.ProtectionPeriod
	if err == nil {
		e := &flare.PeriodExtension{Reason: form.Reason}
		if e.EndsOn, err = formDay("ends_on", form.EndsOn); err == nil {
			saved, err = svc.ExtendPeriod(r.Context(), id, version, e)
		}
	}
	if err != nil {
		s.refuseProtectionForm(w, r, err, form)
		return
	}
	http.Redirect(w, r, "/persons/"+saved.PersonID+"#period-"+saved.ID, http.StatusSeeOther)
}

// endingDays reads the days query parameter: empty is def, the
// configured default.
func endingDays(r *http.Request, def int) (int, error) {
	v := strings.TrimSpace(r.URL.Query().Get("days"))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > flare.MaxEndingDays {
		return 0, flare.FieldError("days", "must be a whole number of days between 1 and %d", flare.MaxEndingDays)
	}
	return n, nil
}

// handleEndingPage lists the periods the user's agency is responsible for
// that end soon, each with the person's name when the user may see it
// (an audited read of the person, as on any page).
func (s *Server) handleEndingPage(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.protection(w, r)
	if !ok {
		return
	}
	view := html.ProtectionEndingView{Page: s.cfg.Renderer.NewPage(r, "protection.ending_title"), MaxDays: flare.MaxEndingDays}
	days, err := endingDays(r, svc.Config().EndingDays)
	if err != nil {
		view.Days, view.Error = svc.Config().EndingDays, view.T("protection.error.days")
		s.render(w, r, http.StatusBadRequest, "protection_ending", view)
		return
	}
	view.Days = days
	list, err := svc.PeriodsEnding(r.Context(), days)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, p := range list {
		row := html.EndingPeriod{Period: p, Withheld: flare.IdentityNotPermitted}
		if s.cfg.Persons != nil {
			person, err := s.cfg.Persons.Person(r.Context(), p.PersonID)
			switch {
			case err == nil && person.PersonIdentity != nil:
				row.Name, row.Withheld = person.FullName(), ""
			case err == nil:
				row.Withheld = person.IdentityWithheld
			case flare.ErrorCodeOf(err) != flare.ENOTFOUND && flare.ErrorCodeOf(err) != flare.EFORBIDDEN:
				s.writeError(w, r, err)
				return
			}
		}
		view.Periods = append(view.Periods, row)
	}
	s.render(w, r, http.StatusOK, "protection_ending", view)
}

// ----- JSON API -----

// serviceRequest is the body of POST /api/v1/persons/{id}/services.
type serviceRequest struct {
	Kind      flare.ServiceKind `json:"kind"`
	AgencyID  string            `json:"agency_id"`
	Provider  string            `json:"provider"`
	StartedOn string            `json:"started_on"`
	EndedOn   string            `json:"ended_on"`
	Outcome   string            `json:"outcome"`
}

// apiDate reads an optional "YYYY-MM-DD" of an API body.
func apiDate(field, value string) (*time.Time, error) {
	if value == "" {
		return nil, nil
	}
	t, err := parseDate(field, value)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func (s *Server) handleAPIRecordService(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.protection(w, r)
	if !ok {
		return
	}
	var req serviceRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ps := &flare.ProvidedService{PersonID: r.PathValue("id"), Kind: req.Kind, AgencyID: req.AgencyID, Provider: req.Provider, Outcome: req.Outcome}
	start, err := apiDate("started_on", req.StartedOn)
	if err == nil {
		if start != nil {
			ps.StartedOn = *start
		}
		ps.EndedOn, err = apiDate("ended_on", req.EndedOn)
	}
	if err == nil {
		err = svc.RecordService(r.Context(), ps)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, ps)
}

func (s *Server) handleAPIPersonServices(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.protection(w, r)
	if !ok {
		return
	}
	list, err := svc.PersonServices(r.Context(), r.PathValue("id"))
	writeList(s, w, r, "services", list, err)
}

// serviceUpdateRequest is the body of PATCH /api/v1/protection-services/{id}:
// ended_on "" clears the end; an absent key leaves it alone.
type serviceUpdateRequest struct {
	Version int64   `json:"version"`
	EndedOn *string `json:"ended_on"`
	Outcome *string `json:"outcome"`
}

func (s *Server) handleAPIUpdateService(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.protection(w, r)
	if !ok {
		return
	}
	var req serviceUpdateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Version < 1 {
		s.writeError(w, r, flare.FieldError("version", "is required: the version the change is based on"))
		return
	}
	upd := flare.ServiceUpdate{Version: req.Version, Outcome: req.Outcome}
	if req.EndedOn != nil {
		end, err := apiDate("ended_on", *req.EndedOn)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		upd.EndedOn = &end
	}
	saved, err := svc.UpdateService(r.Context(), r.PathValue("id"), upd)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, saved)
}

// periodRequest is the body of POST /api/v1/persons/{id}/protection-periods.
type periodRequest struct {
	Kind      flare.PeriodKind `json:"kind"`
	StartsOn  string           `json:"starts_on"`
	EndsOn    string           `json:"ends_on"`
	AgencyID  string           `json:"agency_id"`
	Reference string           `json:"reference"`
}

func (s *Server) handleAPIStartPeriod(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.protection(w, r)
	if !ok {
		return
	}
	var req periodRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	p := &flare.ProtectionPeriod{PersonID: r.PathValue("id"), Kind: req.Kind, AgencyID: req.AgencyID, Reference: req.Reference}
	for _, d := range []struct {
		field, value string
		dst          *time.Time
	}{{"starts_on", req.StartsOn, &p.StartsOn}, {"ends_on", req.EndsOn, &p.EndsOn}} {
		t, err := apiDate(d.field, d.value)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if t != nil {
			*d.dst = *t
		}
	}
	if err := svc.StartPeriod(r.Context(), p); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, p)
}

func (s *Server) handleAPIPersonPeriods(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.protection(w, r)
	if !ok {
		return
	}
	list, err := svc.PersonPeriods(r.Context(), r.PathValue("id"))
	writeList(s, w, r, "protection_periods", list, err)
}

// extensionRequest is the body of POST
// /api/v1/protection-periods/{id}/extensions; version is optional.
type extensionRequest struct {
	EndsOn  string `json:"ends_on"`
	Reason  string `json:"reason"`
	Version int64  `json:"version"`
}

func (s *Server) handleAPIExtendPeriod(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.protection(w, r)
	if !ok {
		return
	}
	var req extensionRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	e := &flare.PeriodExtension{Reason: req.Reason}
	end, err := apiDate("ends_on", req.EndsOn)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if end != nil {
		e.EndsOn = *end
	}
	p, err := svc.ExtendPeriod(r.Context(), r.PathValue("id"), req.Version, e)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, p)
}

func (s *Server) handleAPIPeriodsEnding(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.protection(w, r)
	if !ok {
		return
	}
	days, err := endingDays(r, svc.Config().EndingDays)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := svc.PeriodsEnding(r.Context(), days)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []*flare.ProtectionPeriod{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"days": days, "protection_periods": list})
}
