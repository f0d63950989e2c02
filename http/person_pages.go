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
	"github.com/flare-ilo/flare/policy"
)

// handlePersonPage shows one person. Police and prosecution looking at a
// victim see a form asking why before the identity is shown; the reason
// comes back as the justification query parameter and is recorded with
// the read.
func (s *Server) handlePersonPage(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.persons(w, r)
	if !ok {
		return
	}
	r = withJustification(r)
	p, err := svc.Person(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	view := html.PersonView{Page: s.cfg.Renderer.NewPage(r, "people.title"), Person: p,
		AskReason: p.IdentityWithheld == flare.IdentityJustificationRequired, Justification: flare.JustificationFrom(r.Context())}
	if me, ok := userFrom(r.Context()); ok && s.cfg.Erasure != nil {
		view.CanErase = me.HasRole(flare.RoleSupervisor) && p.IdentityWithheld != flare.IdentityErased
	}
	if err := s.personWork(r, p, &view); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.personProtection(r, p, &view); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "person", view)
}

func (s *Server) newPersonFormView(r *http.Request, caseID string) html.PersonFormView {
	return html.PersonFormView{Page: s.cfg.Renderer.NewPage(r, "people.title"), CaseID: caseID,
		Roles: flare.PersonRoles(), Genders: flare.Genders(), DocTypes: flare.IdentityDocumentTypes(), Deciders: flare.DecisionMakers()}
}

// handleNewPersonForm shows the form to add a person to a case; the
// identity fields only to a user who may write them in the case's own
// agency (another agency's grant is checked when the form is saved).
func (s *Server) handleNewPersonForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.persons(w, r); !ok {
		return
	}
	c, err := s.cfg.Cases.Case(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	view := s.newPersonFormView(r, c.ID)
	actor, _ := flare.ActorFrom(r.Context())
	rec := policy.Record{Type: "person", OwnerAgencyID: c.AgencyID}
	view.ShowIdentity = actor.AgencyID != c.AgencyID ||
		policy.DecideGroup(actor, policy.Create, rec, nil, flare.FieldGroupIdentity) == policy.Allow
	view.Form = personFormOf(&flare.Person{Role: flare.RolePresumedVictim})
	s.render(w, r, http.StatusOK, "person_form", view)
}

// handleCreatePersonForm adds a person from the form.
func (s *Server) handleCreatePersonForm(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.persons(w, r)
	if !ok {
		return
	}
	caseID := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, flare.Errorf(flare.EINVALID, "the form could not be read"))
		return
	}
	form := personFormFrom(r.PostForm)
	view := s.newPersonFormView(r, caseID)
	view.Form, view.ShowIdentity = form, r.PostForm.Has("first_name")
	upd, err := personUpdateFromForm(r.PostForm, form, 0)
	if err == nil {
		p := &flare.Person{CaseID: caseID}
		if view.ShowIdentity {
			p.PersonIdentity = &flare.PersonIdentity{}
		}
		upd.Apply(p)
		err = svc.CreatePerson(withJustification(r).Context(), p)
		if err == nil {
			http.Redirect(w, r, "/persons/"+p.ID, http.StatusSeeOther)
			return
		}
	}
	s.refusePersonForm(w, r, err, &view)
}

// handleEditPersonForm shows the edit form of a person, with its version.
func (s *Server) handleEditPersonForm(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.persons(w, r)
	if !ok {
		return
	}
	r = withJustification(r)
	p, err := svc.Person(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if p.IdentityWithheld == flare.IdentityJustificationRequired {
		http.Redirect(w, r, "/persons/"+p.ID, http.StatusSeeOther)
		return
	}
	view := s.newPersonFormView(r, p.CaseID)
	view.PersonID, view.Version, view.ShowIdentity = p.ID, p.Version, p.PersonIdentity != nil
	view.Justification = flare.JustificationFrom(r.Context())
	view.Form = personFormOf(p)
	s.render(w, r, http.StatusOK, "person_form", view)
}

// handleEditPerson saves the edit form. A stale version shows the conflict
// page with the stored values next to the typed ones (R-CC1).
func (s *Server) handleEditPerson(w http.ResponseWriter, r *http.Request) {
	svc, ok := s.persons(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, flare.Errorf(flare.EINVALID, "the form could not be read"))
		return
	}
	r = withJustification(r)
	if why := r.PostForm.Get("justification"); why != "" {
		r = r.WithContext(flare.WithJustification(r.Context(), why))
	}
	id := r.PathValue("id")
	version, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil || version < 1 {
		s.writeError(w, r, flare.FieldError("version", "is missing: reload the form"))
		return
	}
	form := personFormFrom(r.PostForm)
	upd, err := personUpdateFromForm(r.PostForm, form, version)
	var saved *flare.Person
	if err == nil {
		saved, err = svc.UpdatePerson(r.Context(), id, upd)
	}
	if err == nil {
		http.Redirect(w, r, "/persons/"+saved.ID, http.StatusSeeOther)
		return
	}
	stored, rerr := svc.Person(r.Context(), id)
	if rerr != nil {
		s.writeError(w, r, err)
		return
	}
	if fv, _ := fieldOf(err, "version"); fv == "stale" {
		s.showPersonConflict(w, r, stored, form)
		return
	}
	view := s.newPersonFormView(r, stored.CaseID)
	view.PersonID, view.Version, view.ShowIdentity = stored.ID, version, r.PostForm.Has("first_name")
	view.Justification = flare.JustificationFrom(r.Context())
	view.Form = form
	s.refusePersonForm(w, r, err, &view)
}

// refusePersonForm shows the form again with the catalogue's message next
// to each refused field; other errors are error pages.
func (s *Server) refusePersonForm(w http.ResponseWriter, r *http.Request, err error, view *html.PersonFormView) {
	var fe *flare.Error
	if !errors.As(err, &fe) || fe.Code != flare.EINVALID {
		s.writeError(w, r, err)
		return
	}
	view.Errors = map[string]string{}
	for f := range fe.Fields {
		key := "people.error." + f
		msg := view.T(key)
		if msg == key {
			msg = view.T("people.error.invalid")
		}
		switch {
		case strings.HasPrefix(f, "identity_documents"):
			view.DocError = msg
		case strings.HasPrefix(f, "victim_status"):
			view.StageError = msg
		}
		view.Errors[f] = msg
	}
	view.ErrorMessage = view.T("people.error.summary")
	s.render(w, r, http.StatusBadRequest, "person_form", *view)
}

// showPersonConflict answers a stale save with 409 and what is saved now
// next to what was typed.
func (s *Server) showPersonConflict(w http.ResponseWriter, r *http.Request, stored *flare.Person, form html.PersonForm) {
	p := s.cfg.Renderer.NewPage(r, "conflict.heading")
	was := personFormOf(stored)
	label := p.T("people.role." + string(stored.Role))
	fields := []html.ConflictField{html.NewConflictField("people.role", p.T("people.role."+form.Role), label)}
	if stored.PersonIdentity != nil {
		label = stored.FullName()
		fields = append(fields,
			html.NewConflictField("people.first_name", form.FirstName, was.FirstName),
			html.NewConflictField("people.middle_name", form.MiddleName, was.MiddleName),
			html.NewConflictField("people.second_name", form.SecondName, was.SecondName),
			html.NewConflictField("people.birthdate", form.Birthdate, was.Birthdate),
			html.NewConflictField("people.email", form.Email, was.Email),
			html.NewConflictField("people.mobile_phone", form.MobilePhone, was.MobilePhone),
			html.NewConflictField("people.city", form.City, was.City),
			html.NewConflictField("people.country", form.Country, was.Country))
	}
	fields = append(fields,
		html.NewConflictField("people.gender", form.Gender, was.Gender),
		html.NewConflictField("people.age", form.AgeYears, was.AgeYears),
		html.NewConflictField("people.citizenship", form.Citizenship, was.Citizenship),
		html.NewConflictField("people.primary_language", form.PrimaryLanguage, was.PrimaryLanguage),
		html.NewConflictField("people.secondary_language", form.SecondaryLanguage, was.SecondaryLanguage))
	view := html.ConflictView{Page: p, RecordLabel: label, BackURL: "/persons/" + stored.ID + "/edit", Fields: fields}
	s.render(w, r, http.StatusConflict, "conflict", view)
}

// victimStages lists the stages in form order.
var victimStages = []flare.VictimStage{flare.VictimSuspected, flare.VictimPresumed, flare.VictimIdentified}

// personFormOf fills the form from a stored person, with one empty
// document row to add a document.
func personFormOf(p *flare.Person) html.PersonForm {
	f := html.PersonForm{Role: string(p.Role), Gender: string(p.Gender), AgeEstimated: p.AgeEstimated,
		Citizenship: strings.Join(p.Citizenship, ", "), PrimaryLanguage: p.PrimaryLanguage, SecondaryLanguage: p.SecondaryLanguage}
	if p.AgeYears != nil {
		f.AgeYears = strconv.Itoa(*p.AgeYears)
	}
	if id := p.PersonIdentity; id != nil {
		f.FirstName, f.MiddleName, f.SecondName = id.FirstName, id.MiddleName, id.SecondName
		f.Birthdate = personDateText(id.Birthdate)
		c := id.Contact
		f.Email, f.MobilePhone, f.Street, f.City, f.State, f.PostalCode, f.Country = c.Email, c.MobilePhone,
			c.MailingStreet, c.MailingCity, c.MailingState, c.MailingPostalCode, c.MailingCountry
		for _, d := range id.IdentityDocuments {
			f.Documents = append(f.Documents, html.PersonDocumentForm{Type: string(d.Type), Number: d.Number,
				Country: d.IssuingCountry, ExpiresOn: personDateText(d.ExpiresOn)})
		}
	}
	f.Documents = append(f.Documents, html.PersonDocumentForm{})
	for i := range f.Documents {
		f.Documents[i].N = i + 1
	}
	for _, st := range victimStages {
		row := html.PersonStageForm{Stage: st}
		if p.VictimStatus != nil {
			if d := stageOf(p.VictimStatus, st); d != nil {
				row.DecidedOn, row.DecidedBy = d.DecidedOn.Format(time.DateOnly), string(d.DecidedBy)
			}
		}
		f.Stages = append(f.Stages, row)
	}
	return f
}

func stageOf(v *flare.VictimStatus, st flare.VictimStage) *flare.StatusDecision {
	switch st {
	case flare.VictimSuspected:
		return v.Suspected
	case flare.VictimPresumed:
		return v.Presumed
	}
	return v.Identified
}

func personDateText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

// personFormFrom reads the submitted form as typed.
func personFormFrom(v url.Values) html.PersonForm {
	f := html.PersonForm{Role: v.Get("role"), FirstName: v.Get("first_name"), MiddleName: v.Get("middle_name"),
		SecondName: v.Get("second_name"), Birthdate: v.Get("birthdate"), AgeYears: strings.TrimSpace(v.Get("age_years")),
		AgeEstimated: v.Get("age_estimated") != "", Gender: v.Get("gender"), Citizenship: v.Get("citizenship"),
		PrimaryLanguage: v.Get("primary_language"), SecondaryLanguage: v.Get("secondary_language"),
		Email: v.Get("email"), MobilePhone: v.Get("mobile_phone"), Street: v.Get("street"), City: v.Get("city"),
		State: v.Get("state"), PostalCode: v.Get("postal_code"), Country: v.Get("country")}
	types, numbers, countries, expires := v["doc_type"], v["doc_number"], v["doc_country"], v["doc_expires"]
	for i := range types {
		d := html.PersonDocumentForm{N: i + 1, Type: types[i]}
		if i < len(numbers) {
			d.Number = numbers[i]
		}
		if i < len(countries) {
			d.Country = countries[i]
		}
		if i < len(expires) {
			d.ExpiresOn = expires[i]
		}
		f.Documents = append(f.Documents, d)
	}
	for _, st := range victimStages {
		f.Stages = append(f.Stages, html.PersonStageForm{Stage: st, DecidedOn: v.Get(string(st) + "_on"), DecidedBy: v.Get(string(st) + "_by")})
	}
	return f
}

// formDate reads an optional date field of the form.
func formDate(field, s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return nil, flare.FieldError(field, "must be a date YYYY-MM-DD")
	}
	return &t, nil
}

// formDay reads a "YYYY-MM-DD" date field; "" is the zero time (the
// service says whether the field is required).
func formDay(field, value string) (time.Time, error) {
	t, err := formDate(field, value)
	if err != nil || t == nil {
		return time.Time{}, err
	}
	return *t, nil
}

// personUpdateFromForm turns a submitted form into an update that sets
// every field the form carried: identity fields only when the form showed
// them, so a user without the identity group never sends any.
func personUpdateFromForm(v url.Values, f html.PersonForm, version int64) (flare.PersonUpdate, error) {
	upd := flare.PersonUpdate{Version: version}
	role, gender := flare.PersonRole(f.Role), flare.Gender(f.Gender)
	upd.Role, upd.Gender, upd.AgeEstimated = &role, &gender, &f.AgeEstimated
	var age *int
	if f.AgeYears != "" {
		n, err := strconv.Atoi(f.AgeYears)
		if err != nil {
			return upd, flare.FieldError("age_years", "must be a whole number of years")
		}
		age = &n
	}
	upd.AgeYears = &age
	cit := strings.FieldsFunc(f.Citizenship, func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
	upd.Citizenship, upd.PrimaryLanguage, upd.SecondaryLanguage = &cit, &f.PrimaryLanguage, &f.SecondaryLanguage
	var vs flare.VictimStatus
	for _, st := range f.Stages {
		if strings.TrimSpace(st.DecidedOn) == "" && st.DecidedBy == "" {
			continue
		}
		on, err := formDate("victim_status."+string(st.Stage)+".decided_on", st.DecidedOn)
		if err != nil {
			return upd, err
		}
		d := &flare.StatusDecision{DecidedBy: flare.DecisionMaker(st.DecidedBy)}
		if on != nil {
			d.DecidedOn = *on
		}
		switch st.Stage {
		case flare.VictimSuspected:
			vs.Suspected = d
		case flare.VictimPresumed:
			vs.Presumed = d
		default:
			vs.Identified = d
		}
	}
	vsp := &vs
	if vs.IsZero() {
		vsp = nil
	}
	upd.VictimStatus = &vsp
	if !v.Has("first_name") {
		return upd, nil
	}
	upd.FirstName, upd.MiddleName, upd.SecondName = &f.FirstName, &f.MiddleName, &f.SecondName
	birth, err := formDate("birthdate", f.Birthdate)
	if err != nil {
		return upd, err
	}
	upd.Birthdate = &birth
	upd.Contact = &flare.PersonContact{Email: f.Email, MobilePhone: f.MobilePhone, MailingStreet: f.Street, MailingCity: f.City,
		MailingState: f.State, MailingPostalCode: f.PostalCode, MailingCountry: f.Country}
	docs := []flare.IdentityDocument{}
	for _, d := range f.Documents {
		if d.Type == "" && strings.TrimSpace(d.Number) == "" {
			continue // the empty row
		}
		exp, err := formDate("identity_documents.expires_on", d.ExpiresOn)
		if err != nil {
			return upd, err
		}
		docs = append(docs, flare.IdentityDocument{Type: flare.IdentityDocumentType(d.Type), Number: d.Number, IssuingCountry: d.Country, ExpiresOn: exp})
	}
	upd.IdentityDocuments = &docs
	return upd, nil
}
