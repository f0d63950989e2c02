package http

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
	"github.com/flare-ilo/flare/policy"
	"github.com/flare-ilo/flare/wages"
)

// Enforcement records (issue #6): the inspections and proceedings of a
// case, in the JSON API and on the case page, and the erasure of a person
// under legal holds (security checklist R-DP3). Everything goes through
// flare.InspectionService, flare.ProceedingService and flare.PersonEraser,
// which authorise and audit.

var (
	errNoEnforcement = flare.Errorf(flare.ENOTFOUND, "inspections and proceedings are not served here")
	errNoErasure     = flare.Errorf(flare.ENOTFOUND, "erasure is not served here")
)

// inspectionRequest is the body of POST /api/v1/cases/{id}/inspections.
type inspectionRequest struct {
	Kind               flare.InspectionKind `json:"kind"`
	WorksiteID         string               `json:"worksite_id"`
	VisitedOn          string               `json:"visited_on"`
	InspectorIDs       []string             `json:"inspector_ids"`
	InspectorNames     []string             `json:"inspector_names"`
	Findings           string               `json:"findings"`
	WorkersInterviewed int                  `json:"workers_interviewed"`
	Orders             []string             `json:"orders"`
	AssessmentIDs      []string             `json:"assessment_ids"`
}

// proceedingRequest is the body of POST /api/v1/cases/{id}/proceedings.
type proceedingRequest struct {
	Kind            flare.ProceedingKind    `json:"kind"`
	Stage           flare.ProceedingStage   `json:"stage"`
	Reference       string                  `json:"reference"`
	OpenedOn        string                  `json:"opened_on"`
	ClosedOn        string                  `json:"closed_on"`
	PersonIDs       []string                `json:"person_ids"`
	OrganisationIDs []string                `json:"organisation_ids"`
	Outcome         flare.ProceedingOutcome `json:"outcome"`
	Penalties       []flare.Penalty         `json:"penalties"`
}

// proceedingPatch is the body of PATCH /api/v1/proceedings/{id}: absent
// fields stay as they are; "version" (or If-Match) is the version the
// change is based on.
type proceedingPatch struct {
	Version   int64                    `json:"version"`
	Stage     *flare.ProceedingStage   `json:"stage"`
	Outcome   *flare.ProceedingOutcome `json:"outcome"`
	Reference *string                  `json:"reference"`
	ClosedOn  optionalDate             `json:"closed_on"`
	Penalties *[]flare.Penalty         `json:"penalties"`
}

// eraseRequest is the body of POST /api/v1/persons/{id}/erase.
type eraseRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) handleAPIInspections(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Inspections == nil {
		s.writeError(w, r, errNoEnforcement)
		return
	}
	list, err := s.cfg.Inspections.Inspections(r.Context(), r.PathValue("id"))
	writeList(s, w, r, "inspections", list, err)
}

func (s *Server) handleAPICreateInspection(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Inspections == nil {
		s.writeError(w, r, errNoEnforcement)
		return
	}
	var req inspectionRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	visited, err := formDay("visited_on", req.VisitedOn)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in := &flare.Inspection{CaseID: r.PathValue("id"), Kind: req.Kind, WorksiteID: req.WorksiteID, VisitedOn: visited,
		InspectorIDs: req.InspectorIDs, InspectorNames: req.InspectorNames, Findings: req.Findings,
		WorkersInterviewed: req.WorkersInterviewed, Orders: req.Orders, AssessmentIDs: req.AssessmentIDs}
	if err := s.cfg.Inspections.CreateInspection(r.Context(), in); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/inspections/"+in.ID)
	writeJSON(w, http.StatusCreated, in)
}

func (s *Server) handleAPIInspection(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Inspections == nil {
		s.writeError(w, r, errNoEnforcement)
		return
	}
	in, err := s.cfg.Inspections.Inspection(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, in)
}

func (s *Server) handleAPIProceedings(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Proceedings == nil {
		s.writeError(w, r, errNoEnforcement)
		return
	}
	list, err := s.cfg.Proceedings.Proceedings(r.Context(), r.PathValue("id"))
	writeList(s, w, r, "proceedings", list, err)
}

func (s *Server) handleAPICreateProceeding(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Proceedings == nil {
		s.writeError(w, r, errNoEnforcement)
		return
	}
	var req proceedingRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	opened, err := formDay("opened_on", req.OpenedOn)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p := &flare.Proceeding{CaseID: r.PathValue("id"), Kind: req.Kind, Stage: req.Stage, Reference: req.Reference, OpenedOn: opened,
		PersonIDs: req.PersonIDs, OrganisationIDs: req.OrganisationIDs, Outcome: req.Outcome, Penalties: req.Penalties}
	if req.ClosedOn != "" {
		closed, err := formDay("closed_on", req.ClosedOn)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		p.ClosedOn = &closed
	}
	if err := s.cfg.Proceedings.CreateProceeding(r.Context(), p); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/proceedings/"+p.ID)
	w.Header().Set("ETag", etag(p.Version))
	writeJSON(w, http.StatusCreated, p)
}

func (s *Server) handleAPIProceeding(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Proceedings == nil {
		s.writeError(w, r, errNoEnforcement)
		return
	}
	p, err := s.cfg.Proceedings.Proceeding(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(p.Version))
	writeJSON(w, http.StatusOK, p)
}

// handleAPIUpdateProceeding moves a proceeding on. The version it is based
// on comes in the body ("version"; a stale one is 409, like the case
// pages) or in If-Match (a stale one is 412, like the rest of the API);
// with neither the answer is 428 (security checklist R-CC1).
func (s *Server) handleAPIUpdateProceeding(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Proceedings == nil {
		s.writeError(w, r, errNoEnforcement)
		return
	}
	var req proceedingPatch
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	version, ifMatch := req.Version, false
	if version == 0 {
		v, ok := s.ifMatchVersion(w, r, "proceeding")
		if !ok {
			return
		}
		version, ifMatch = v, true
	}
	if version < 1 {
		s.writeError(w, r, flare.FieldError("version", "must be the version you read, 1 or more"))
		return
	}
	upd := flare.ProceedingUpdate{Version: version, Stage: req.Stage, Outcome: req.Outcome, Reference: req.Reference, Penalties: req.Penalties}
	if req.ClosedOn.Set {
		upd.ClosedOn = &req.ClosedOn.Value
	}
	p, err := s.cfg.Proceedings.UpdateProceeding(r.Context(), r.PathValue("id"), upd)
	if err != nil {
		if ifMatch {
			s.writeVersionedError(w, r, err)
		} else {
			s.writeError(w, r, err)
		}
		return
	}
	w.Header().Set("ETag", etag(p.Version))
	writeJSON(w, http.StatusOK, p)
}

// handleAPIErasePerson erases a person (R-DP3): 204 when done, 409 with
// the hold's reason when a proceeding of the case is open.
func (s *Server) handleAPIErasePerson(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Erasure == nil {
		s.writeError(w, r, errNoErasure)
		return
	}
	var req eraseRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.cfg.Erasure.ErasePerson(r.Context(), r.PathValue("id"), req.Reason); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAPILegalHolds(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Erasure == nil {
		s.writeError(w, r, errNoErasure)
		return
	}
	holds, err := s.cfg.Erasure.LegalHolds(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	type hold struct {
		flare.LegalHold
		Reason string `json:"reason"`
	}
	out := make([]hold, len(holds))
	for i, h := range holds {
		out[i] = hold{LegalHold: h, Reason: h.Reason()}
	}
	writeJSON(w, http.StatusOK, map[string]any{"legal_holds": out})
}

// The case page's section.

// caseEnforcement fills the inspections and proceedings of a case page;
// it runs after the people and parties sections, whose names it reuses. A
// user the store keeps from these records (a grant of some people only)
// sees the section without them rather than no case page.
func (s *Server) caseEnforcement(r *http.Request, view *html.CaseView) error {
	if s.cfg.Inspections == nil || s.cfg.Proceedings == nil {
		return nil
	}
	sec := &view.Enforcement
	sec.CaseID = view.Case.ID
	inspections, err := s.cfg.Inspections.Inspections(r.Context(), view.Case.ID)
	if err != nil && !hidden(err) {
		return err
	}
	proceedings, err := s.cfg.Proceedings.Proceedings(r.Context(), view.Case.ID)
	if err != nil && !hidden(err) {
		return err
	}
	sec.Shown = true
	sites := map[string]string{}
	for _, w := range view.Parties.Worksites {
		sites[w.ID] = w.Name
	}
	for _, in := range inspections {
		sec.Inspections = append(sec.Inspections, html.InspectionLine{Inspection: in, WorksiteName: sites[in.WorksiteID]})
	}
	for _, p := range proceedings {
		sec.Proceedings = append(sec.Proceedings, proceedingLine(p, view.People.People, partyOrganisations(view.Parties.Organisations)))
	}
	return nil
}

// hidden reports a refusal that leaves a section empty.
func hidden(err error) bool {
	code := flare.ErrorCodeOf(err)
	return code == flare.ENOTFOUND || code == flare.EFORBIDDEN
}

func partyOrganisations(lines []html.OrganisationLine) []*flare.Organisation {
	out := make([]*flare.Organisation, len(lines))
	for i, o := range lines {
		out[i] = o.Organisation
	}
	return out
}

// proceedingLine names who a proceeding is against, as far as the user may
// see them: a person not in people shows as a person whose name is
// withheld.
func proceedingLine(p *flare.Proceeding, people []html.PersonLine, orgs []*flare.Organisation) html.ProceedingLine {
	line := html.ProceedingLine{Proceeding: p}
	for _, id := range p.PersonIDs {
		found := html.PersonLine{ID: id, Withheld: flare.IdentityNotPermitted}
		for _, pl := range people {
			if pl.ID == id {
				found = pl
			}
		}
		line.People = append(line.People, found)
	}
	for _, id := range p.OrganisationIDs {
		for _, o := range orgs {
			if o.ID == id {
				line.Organisations = append(line.Organisations, o.Name)
			}
		}
	}
	return line
}

// personLines reads the people of a case as the user may see them.
func (s *Server) personLines(r *http.Request, caseID string) ([]html.PersonLine, []*flare.Person, error) {
	if s.cfg.Persons == nil {
		return nil, nil, nil
	}
	people, err := s.cfg.Persons.CasePersons(withJustification(r).Context(), caseID)
	if err != nil {
		return nil, nil, err
	}
	var out []html.PersonLine
	for _, p := range people {
		line := html.PersonLine{ID: p.ID, Role: p.Role, Withheld: p.IdentityWithheld}
		if p.PersonIdentity != nil {
			line.Name = p.FullName()
		}
		out = append(out, line)
	}
	return out, people, nil
}

// refuseEnforcementForm shows a form again after the store refused it:
// each field at fault with the catalogue's words when it has them.
func (s *Server) refuseEnforcementForm(w http.ResponseWriter, r *http.Request, err error, p html.Page, fields *map[string]string, msg *string, show func(int)) {
	var fe *flare.Error
	if !errors.As(err, &fe) || (fe.Code != flare.EINVALID && fe.Code != flare.ECONFLICT) {
		s.writeError(w, r, err)
		return
	}
	*fields = map[string]string{}
	for f, m := range fe.Fields {
		key := "enforcement.error." + f
		if _, name, ok := strings.Cut(f, "]."); ok && strings.HasPrefix(f, "penalties[") {
			key = "enforcement.error.penalty." + name
		}
		if t := p.T(key); t != key {
			m = t
		}
		(*fields)[f] = m
	}
	*msg = p.T("enforcement.error.summary")
	status := http.StatusBadRequest
	if fe.Code == flare.ECONFLICT {
		status = http.StatusConflict
		*msg = p.T("enforcement.error.conflict")
	}
	show(status)
}

// lines splits a textarea into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// The inspection form.

func (s *Server) newInspectionFormView(r *http.Request, caseID string, form html.InspectionForm) (html.InspectionFormView, error) {
	v := html.InspectionFormView{Page: s.cfg.Renderer.NewPage(r, "enforcement.add_inspection"), CaseID: caseID, Form: form,
		Kinds: flare.InspectionKinds()}
	if s.cfg.Worksites != nil {
		sites, err := s.cfg.Worksites.Worksites(r.Context(), caseID)
		if err != nil {
			return v, err
		}
		v.Worksites = sites
		if len(sites) == 1 && v.Form.WorksiteID == "" {
			v.Form.WorksiteID = sites[0].ID
		}
	}
	people, stored, err := s.personLines(r, caseID)
	if err != nil {
		return v, err
	}
	if s.cfg.Assessments != nil {
		for i, p := range stored {
			list, err := s.cfg.Assessments.PersonAssessments(r.Context(), p.ID)
			if hidden(err) {
				continue
			}
			if err != nil {
				return v, err
			}
			for _, a := range list {
				v.Screenings = append(v.Screenings, html.ScreeningOption{ID: a.ID, Person: people[i], On: a.AssessedAt, Result: string(a.Result.Result)})
			}
		}
	}
	return v, nil
}

func (s *Server) handleNewInspectionForm(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Inspections == nil {
		s.writeError(w, r, errNoEnforcement)
		return
	}
	c, err := s.cfg.Cases.Case(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	form := html.InspectionForm{Kind: string(flare.InspectionUnannounced), VisitedOn: time.Now().UTC().Format(time.DateOnly), WithMe: true}
	view, err := s.newInspectionFormView(r, c.ID, form)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "inspection_form", view)
}

func (s *Server) handleCreateInspectionForm(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Inspections == nil {
		s.writeError(w, r, errNoEnforcement)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	caseID := r.PathValue("id")
	form := html.InspectionForm{Kind: r.PostFormValue("kind"), WorksiteID: r.PostFormValue("worksite_id"),
		VisitedOn: r.PostFormValue("visited_on"), InspectorNames: r.PostFormValue("inspector_names"),
		Findings: r.PostFormValue("findings"), WorkersInterviewed: r.PostFormValue("workers_interviewed"),
		Orders: r.PostFormValue("orders"), WithMe: r.PostFormValue("with_me") == "yes", AssessmentIDs: r.PostForm["assessment_ids"]}
	in := &flare.Inspection{CaseID: caseID, Kind: flare.InspectionKind(form.Kind), WorksiteID: form.WorksiteID,
		InspectorNames: lines(form.InspectorNames), Findings: form.Findings, Orders: lines(form.Orders), AssessmentIDs: form.AssessmentIDs}
	if me, ok := userFrom(r.Context()); ok && form.WithMe {
		in.InspectorIDs = []string{me.ID}
	}
	err := func() error {
		var err error
		if in.VisitedOn, err = formDay("visited_on", form.VisitedOn); err != nil {
			return err
		}
		if n := strings.TrimSpace(form.WorkersInterviewed); n != "" {
			if in.WorkersInterviewed, err = strconv.Atoi(n); err != nil {
				return flare.FieldError("workers_interviewed", "must be a whole number")
			}
		}
		return s.cfg.Inspections.CreateInspection(r.Context(), in)
	}()
	if err == nil {
		http.Redirect(w, r, "/cases/"+caseID+"#enforcement", http.StatusSeeOther)
		return
	}
	view, verr := s.newInspectionFormView(r, caseID, form)
	if verr != nil {
		s.writeError(w, r, err)
		return
	}
	s.refuseEnforcementForm(w, r, err, view.Page, &view.Errors, &view.ErrorMessage, func(status int) {
		s.render(w, r, status, "inspection_form", view)
	})
}

// The proceeding forms.

func (s *Server) newProceedingFormView(r *http.Request, caseID string, form html.ProceedingForm) (html.ProceedingFormView, error) {
	v := html.ProceedingFormView{Page: s.cfg.Renderer.NewPage(r, "enforcement.add_proceeding"), CaseID: caseID, Form: form,
		Kinds: flare.ProceedingKinds()}
	people, _, err := s.personLines(r, caseID)
	if err != nil {
		return v, err
	}
	v.People = people
	if s.cfg.Organisations != nil {
		if v.Organisations, err = s.cfg.Organisations.Organisations(r.Context(), caseID); err != nil {
			return v, err
		}
	}
	return v, nil
}

func (s *Server) handleNewProceedingForm(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Proceedings == nil {
		s.writeError(w, r, errNoEnforcement)
		return
	}
	c, err := s.cfg.Cases.Case(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	view, err := s.newProceedingFormView(r, c.ID, html.ProceedingForm{Kind: string(flare.ProceedingCriminal)})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "proceeding_form", view)
}

func (s *Server) handleCreateProceedingForm(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Proceedings == nil {
		s.writeError(w, r, errNoEnforcement)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	caseID := r.PathValue("id")
	form := html.ProceedingForm{Kind: r.PostFormValue("kind"), Reference: r.PostFormValue("reference"), OpenedOn: r.PostFormValue("opened_on"),
		PersonIDs: r.PostForm["person_ids"], OrganisationIDs: r.PostForm["organisation_ids"]}
	p := &flare.Proceeding{CaseID: caseID, Kind: flare.ProceedingKind(form.Kind), Reference: form.Reference,
		PersonIDs: form.PersonIDs, OrganisationIDs: form.OrganisationIDs}
	opened, err := formDay("opened_on", form.OpenedOn)
	if err == nil {
		p.OpenedOn = opened
		err = s.cfg.Proceedings.CreateProceeding(r.Context(), p)
	}
	if err == nil {
		http.Redirect(w, r, "/proceedings/"+p.ID, http.StatusSeeOther)
		return
	}
	view, verr := s.newProceedingFormView(r, caseID, form)
	if verr != nil {
		s.writeError(w, r, err)
		return
	}
	s.refuseEnforcementForm(w, r, err, view.Page, &view.Errors, &view.ErrorMessage, func(status int) {
		s.render(w, r, status, "proceeding_form", view)
	})
}

// proceedingUpdateFormOf fills the form with a stored proceeding, plus an
// empty row for a new penalty.
func proceedingUpdateFormOf(p *flare.Proceeding) html.ProceedingUpdateForm {
	f := html.ProceedingUpdateForm{Stage: string(p.Stage), Outcome: string(p.Outcome), ClosedOn: html.Date(p.ClosedOn), Reference: p.Reference}
	for _, pe := range p.Penalties {
		row := html.PenaltyRow{Kind: string(pe.Kind), Amount: pe.FormatAmount(), Currency: pe.Currency, Note: pe.Note, Suspended: pe.Suspended}
		if pe.Months > 0 {
			row.Months = strconv.Itoa(pe.Months)
		}
		f.Penalties = append(f.Penalties, row)
	}
	// One empty row to add a penalty; saving adds another.
	f.Penalties = append(f.Penalties, html.PenaltyRow{})
	return f
}

// proceedingView builds a proceeding's page, naming who it is against.
func (s *Server) proceedingView(r *http.Request, p *flare.Proceeding, form html.ProceedingUpdateForm) (html.ProceedingView, error) {
	v := html.ProceedingView{Page: s.cfg.Renderer.NewPage(r, "enforcement.proceeding"), Version: p.Version, Form: form,
		Stages: flare.ProceedingStages(p.Kind), Outcomes: flare.ProceedingOutcomes(p.Kind), PenaltyKinds: flare.PenaltyKinds()}
	people, _, err := s.personLines(r, p.CaseID)
	if err != nil && !hidden(err) {
		return v, err
	}
	var orgs []*flare.Organisation
	if s.cfg.Organisations != nil && len(p.OrganisationIDs) > 0 {
		if orgs, err = s.cfg.Organisations.Organisations(r.Context(), p.CaseID); err != nil && !hidden(err) {
			return v, err
		}
	}
	v.Line = proceedingLine(p, people, orgs)
	return v, nil
}

func (s *Server) handleProceedingPage(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Proceedings == nil {
		s.writeError(w, r, errNoEnforcement)
		return
	}
	p, err := s.cfg.Proceedings.Proceeding(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	view, err := s.proceedingView(r, p, proceedingUpdateFormOf(p))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "proceeding", view)
}

// penaltiesFrom reads the penalty rows of the form; a row without a kind
// is skipped. Amounts are typed in major units of the currency.
func penaltiesFrom(r *http.Request) ([]html.PenaltyRow, []flare.Penalty, error) {
	kinds, amounts, currencies, months, notes := r.PostForm["penalty_kind"], r.PostForm["penalty_amount"],
		r.PostForm["penalty_currency"], r.PostForm["penalty_months"], r.PostForm["penalty_note"]
	at := func(list []string, i int) string {
		if i < len(list) {
			return list[i]
		}
		return ""
	}
	var rows []html.PenaltyRow
	out := []flare.Penalty{}
	var firstErr error
	for i := range kinds {
		if i >= 2*flare.MaxPenalties {
			break
		}
		row := html.PenaltyRow{Kind: kinds[i], Amount: at(amounts, i), Currency: at(currencies, i), Months: at(months, i),
			Note: at(notes, i), Suspended: r.PostFormValue("penalty_suspended_"+strconv.Itoa(i)) == "yes"}
		rows = append(rows, row)
		if strings.TrimSpace(row.Kind) == "" {
			continue
		}
		pe := flare.Penalty{Kind: flare.PenaltyKind(row.Kind), Currency: strings.ToUpper(strings.TrimSpace(row.Currency)), Note: row.Note,
			Suspended: row.Suspended}
		field := func(name string) string { return "penalties[" + strconv.Itoa(len(out)) + "]." + name }
		if m := strings.TrimSpace(row.Months); m != "" {
			n, err := strconv.Atoi(m)
			if err != nil && firstErr == nil {
				firstErr = flare.FieldError(field("months"), "must be a whole number of months")
			}
			pe.Months = n
		}
		if a := strings.TrimSpace(row.Amount); a != "" && firstErr == nil {
			amount, err := minorUnits(pe.Currency, a)
			if err != nil {
				firstErr = flare.FieldError(field("amount"), "%v", err)
			}
			pe.Amount = amount
		}
		out = append(out, pe)
	}
	return rows, out, firstErr
}

// minorUnits converts an amount typed in major units ("1500.50") to minor
// units of the ISO 4217 currency, with the wage engine's decimal rules.
func minorUnits(currency, text string) (int64, error) {
	cur, ok := wages.LookupCurrency(currency)
	if !ok {
		return 0, errors.New("give an ISO 4217 currency code such as USD with the amount")
	}
	d, err := wages.ParseDecimal(text)
	if err != nil {
		return 0, errors.New("must be a number like 1500.50")
	}
	a, err := cur.Amount(d)
	if err != nil {
		return 0, err
	}
	return int64(a), nil
}

// handleUpdateProceedingForm saves the proceeding page's form at the
// version the page showed; a stale version shows the stored proceeding
// again with 409 and what was typed lost only after the user saw it.
func (s *Server) handleUpdateProceedingForm(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Proceedings == nil {
		s.writeError(w, r, errNoEnforcement)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	id := r.PathValue("id")
	version, err := partyFormVersion(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	form := html.ProceedingUpdateForm{Stage: r.PostFormValue("stage"), Outcome: r.PostFormValue("outcome"),
		ClosedOn: r.PostFormValue("closed_on"), Reference: r.PostFormValue("reference")}
	rows, penalties, err := penaltiesFrom(r)
	form.Penalties = rows
	stage, outcome := flare.ProceedingStage(form.Stage), flare.ProceedingOutcome(form.Outcome)
	upd := flare.ProceedingUpdate{Version: version, Stage: &stage, Outcome: &outcome, Reference: &form.Reference, Penalties: &penalties}
	if err == nil && strings.TrimSpace(form.ClosedOn) != "" {
		var closed time.Time
		if closed, err = formDay("closed_on", form.ClosedOn); err == nil {
			c := &closed
			upd.ClosedOn = &c
		}
	} else if err == nil && stage != flare.StageClosed {
		var none *time.Time
		upd.ClosedOn = &none
	}
	var p *flare.Proceeding
	if err == nil {
		if p, err = s.cfg.Proceedings.UpdateProceeding(r.Context(), id, upd); err == nil {
			http.Redirect(w, r, "/proceedings/"+p.ID, http.StatusSeeOther)
			return
		}
	}
	stored, rerr := s.cfg.Proceedings.Proceeding(r.Context(), id)
	if rerr != nil {
		s.writeError(w, r, err)
		return
	}
	stale := false
	if fv, _ := fieldOf(err, "version"); fv == "stale" {
		// Show what is stored now, to be changed again knowingly.
		form, stale = proceedingUpdateFormOf(stored), true
	} else {
		form.Penalties = append(form.Penalties, html.PenaltyRow{})
	}
	view, verr := s.proceedingView(r, stored, form)
	if verr != nil {
		s.writeError(w, r, err)
		return
	}
	if !stale {
		view.Version = version
	}
	s.refuseEnforcementForm(w, r, err, view.Page, &view.Errors, &view.ErrorMessage, func(status int) {
		s.render(w, r, status, "proceeding", view)
	})
}

// Erasure.

// eraseView builds the erasure page of a person: the holds on them and,
// for a supervisor of the owning agency, the form.
func (s *Server) eraseView(r *http.Request, p *flare.Person) (html.EraseView, error) {
	v := html.EraseView{Page: s.cfg.Renderer.NewPage(r, "enforcement.erase_title"), Person: p}
	holds, err := s.cfg.Erasure.LegalHolds(r.Context(), p.ID)
	if err != nil {
		return v, err
	}
	v.Holds = holds
	c, err := s.cfg.Cases.Case(r.Context(), p.CaseID)
	if err != nil && !hidden(err) {
		return v, err
	}
	actor, _ := flare.ActorFrom(r.Context())
	v.CanErase = c != nil && policy.Decide(actor, policy.Delete, policy.Record{Type: "person", OwnerAgencyID: c.AgencyID, PersonID: p.ID}, nil) == policy.Allow
	return v, nil
}

func (s *Server) handleEraseForm(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Erasure == nil || s.cfg.Persons == nil {
		s.writeError(w, r, errNoErasure)
		return
	}
	p, err := s.cfg.Persons.Person(withJustification(r).Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	view, err := s.eraseView(r, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "person_erase", view)
}

// handleErase erases a person from the page: the reason typed, and the box
// ticked that says the user knows it cannot be undone.
func (s *Server) handleErase(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Erasure == nil || s.cfg.Persons == nil {
		s.writeError(w, r, errNoErasure)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	id := r.PathValue("id")
	reason := r.PostFormValue("reason")
	var err error
	if r.PostFormValue("confirm") != "yes" {
		err = flare.FieldError("confirm", "tick the box to confirm that the erasure cannot be undone")
	} else {
		err = s.cfg.Erasure.ErasePerson(r.Context(), id, reason)
	}
	if err == nil {
		http.Redirect(w, r, "/persons/"+id, http.StatusSeeOther)
		return
	}
	if !hidden(err) {
		p, perr := s.cfg.Persons.Person(r.Context(), id)
		if perr == nil {
			view, verr := s.eraseView(r, p)
			if verr == nil {
				view.Reason = reason
				s.refuseEnforcementForm(w, r, err, view.Page, &view.Errors, &view.ErrorMessage, func(status int) {
					if status == http.StatusConflict {
						view.ErrorMessage = view.T("enforcement.erase_refused")
					}
					s.render(w, r, status, "person_erase", view)
				})
				return
			}
		}
	}
	s.writeError(w, r, err)
}
