package http

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
)

// The pages that open a case and edit its details. The status and closure
// have their own form on the case page; both go through the same case
// service as the JSON API.

func (s *Server) handleNewCaseForm(w http.ResponseWriter, r *http.Request) {
	view := html.CaseFormView{Page: s.cfg.Renderer.NewPage(r, "cases.new"),
		OpenedOn: flare.DateOf(time.Now()).Format(time.DateOnly), AssignToMe: true}
	s.render(w, r, http.StatusOK, "case_form", view)
}

// handleCreateCaseForm opens a case from the form; a refusal shows the
// form again with what was typed and the reason next to the field.
func (s *Server) handleCreateCaseForm(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	me, _ := userFrom(r.Context())
	view := html.CaseFormView{Page: s.cfg.Renderer.NewPage(r, "cases.new"),
		Reference: r.PostFormValue("reference"), Title: r.PostFormValue("title"), Region: r.PostFormValue("region"),
		OpenedOn: r.PostFormValue("opened_on"), AssignToMe: r.PostFormValue("assign_to_me") == "1"}
	c := &flare.Case{AgencyID: me.AgencyID, Reference: view.Reference, Title: view.Title, Region: view.Region,
		Status: flare.CaseOpen, OpenedOn: flare.DateOf(time.Now())}
	if view.AssignToMe {
		c.AssignedTo = me.ID
	}
	err := error(nil)
	if view.OpenedOn != "" {
		c.OpenedOn, err = parseDate("opened_on", view.OpenedOn)
	}
	if err == nil {
		err = s.cfg.Cases.CreateCase(r.Context(), c)
	}
	if err != nil {
		s.refuseForm(w, r, err, &view.Errors, &view.ErrorMessage, func(status int) {
			s.render(w, r, status, "case_form", view)
		})
		return
	}
	http.Redirect(w, r, "/cases/"+c.ID, http.StatusSeeOther)
}

// refuseForm shows a form again after the store refused it: invalid input
// and conflicts (a reference already used, a transition not allowed) name
// their field; anything else is an error page.
func (s *Server) refuseForm(w http.ResponseWriter, r *http.Request, err error, fields *map[string]string, msg *string, show func(int)) {
	var fe *flare.Error
	if !errors.As(err, &fe) || (fe.Code != flare.EINVALID && fe.Code != flare.ECONFLICT) {
		s.writeError(w, r, err)
		return
	}
	*fields, *msg = fe.Fields, fe.Message
	status := http.StatusBadRequest
	if fe.Code == flare.ECONFLICT {
		status = http.StatusConflict
	}
	show(status)
}

func (s *Server) handleEditCaseForm(w http.ResponseWriter, r *http.Request) {
	c, err := s.cfg.Cases.Case(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	me, _ := userFrom(r.Context())
	view := html.CaseFormView{Page: s.cfg.Renderer.NewPage(r, "case.edit_heading"), Case: c, Version: c.Version,
		Title: c.Title, Region: c.Region, AssignToMe: c.AssignedTo == me.ID}
	s.render(w, r, http.StatusOK, "case_form", view)
}

// handleEditCase saves the details form. The hidden version is the one the
// user saw: if someone saved in between, the conflict page shows both.
func (s *Server) handleEditCase(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil || version < 1 {
		s.writeError(w, r, flare.FieldError("version", "is missing: reload the page"))
		return
	}
	me, _ := userFrom(r.Context())
	title, region := r.PostFormValue("title"), r.PostFormValue("region")
	toMe := r.PostFormValue("assign_to_me") == "1"
	upd := flare.CaseUpdate{Version: version, Title: &title, Region: &region}
	current, err := s.cfg.Cases.Case(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	switch {
	case toMe && current.AssignedTo != me.ID:
		upd.AssignedTo = &me.ID
	case !toMe && current.AssignedTo == me.ID:
		none := ""
		upd.AssignedTo = &none
	}
	if _, err := s.cfg.Cases.UpdateCase(r.Context(), current.ID, upd); err != nil {
		if fv, _ := fieldOf(err, "version"); fv == "stale" {
			s.showCaseConflict(w, r, current, title, region)
			return
		}
		view := html.CaseFormView{Page: s.cfg.Renderer.NewPage(r, "case.edit_heading"), Case: current, Version: version,
			Title: title, Region: region, AssignToMe: toMe}
		s.refuseForm(w, r, err, &view.Errors, &view.ErrorMessage, func(status int) {
			s.render(w, r, status, "case_form", view)
		})
		return
	}
	http.Redirect(w, r, "/cases/"+current.ID, http.StatusSeeOther)
}

// showCaseConflict answers a stale save of the details form with 409 and
// the stored values next to the ones typed.
func (s *Server) showCaseConflict(w http.ResponseWriter, r *http.Request, stored *flare.Case, title, region string) {
	view := html.ConflictView{Page: s.cfg.Renderer.NewPage(r, "conflict.heading"),
		RecordLabel: stored.Reference, BackURL: "/cases/" + stored.ID + "/edit",
		Fields: []html.ConflictField{
			html.NewConflictField("case.title_label", title, stored.Title),
			html.NewConflictField("case.region", region, stored.Region),
		}}
	s.render(w, r, http.StatusConflict, "conflict", view)
}
