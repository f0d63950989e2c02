package http

import (
	"net/http"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
)

// handleCaseStatus moves a case along its workflow from the status form of
// the case page. The store refuses an illegal transition (a conflict that
// says why, shown with the form again) and a stale version (the conflict
// page, with the saved status next to the one chosen).
func (s *Server) handleCaseStatus(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	version, err := formVersion(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, ok := s.workCase(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	status := flare.CaseStatus(r.PostFormValue("status"))
	reason := flare.ClosureReason(r.PostFormValue("closure_reason"))
	upd := flare.CaseUpdate{Version: version, Status: &status}
	// The reason select is always on the form (no script hides it): it
	// counts only when closing.
	if status == flare.CaseClosed {
		upd.ClosureReason = &reason
	}
	if _, err := s.cfg.Cases.UpdateCase(r.Context(), c.ID, upd); err != nil {
		if fv, _ := fieldOf(err, "version"); fv == "stale" {
			s.showStatusConflict(w, r, c, status, reason)
			return
		}
		ws := s.newWork(c)
		ws.Form, ws.NewStatus, ws.ClosureReason, ws.CaseVersion = "status", string(status), string(reason), version
		s.refuseWorkForm(w, r, err, c, ws, "work_form")
		return
	}
	http.Redirect(w, r, caseAnchor(c.ID, "status"), http.StatusSeeOther)
}

// showStatusConflict answers a stale status change with 409 and the saved
// status next to the one chosen (security checklist R-CC1).
func (s *Server) showStatusConflict(w http.ResponseWriter, r *http.Request, stored *flare.Case, status flare.CaseStatus, reason flare.ClosureReason) {
	p := s.cfg.Renderer.NewPage(r, "conflict.heading")
	words := func(st flare.CaseStatus, cr flare.ClosureReason) string {
		out := p.T("case.status." + string(st))
		if cr != "" {
			out += " (" + p.T("case.closure."+string(cr)) + ")"
		}
		return out
	}
	view := html.ConflictView{Page: p, RecordLabel: stored.Reference, BackURL: caseAnchor(stored.ID, "status"),
		Fields: []html.ConflictField{html.NewConflictField("case.status", words(status, reason), words(stored.Status, stored.ClosureReason))}}
	s.render(w, r, http.StatusConflict, "conflict", view)
}
