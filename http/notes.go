package http

import (
	"net/http"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
)

// noteRequest is the body of POST /api/v1/cases/{id}/notes.
type noteRequest struct {
	Text     string `json:"text"`
	Corrects string `json:"corrects"`
}

func (s *Server) handleAPINotes(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Notes == nil {
		s.writeError(w, r, errNoRoute)
		return
	}
	notes, err := s.cfg.Notes.Notes(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if notes == nil {
		notes = []*flare.Note{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"notes": notes})
}

// handleAPICreateNote adds a note. Notes cannot be changed or deleted: a
// correction is a new note with "corrects" naming the earlier one.
func (s *Server) handleAPICreateNote(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Notes == nil {
		s.writeError(w, r, errNoRoute)
		return
	}
	var req noteRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	n := &flare.Note{CaseID: r.PathValue("id"), Text: req.Text, Corrects: req.Corrects}
	if err := s.cfg.Notes.CreateNote(r.Context(), n); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/cases/"+n.CaseID+"/notes")
	writeJSON(w, http.StatusCreated, n)
}

// handleNewNoteForm shows the note form on a page of its own: used to
// correct a note (?corrects=ID), which the case page links to.
func (s *Server) handleNewNoteForm(w http.ResponseWriter, r *http.Request) {
	c, ok := s.workCase(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	ws := s.newWork(c)
	ws.Form, ws.Corrects = "note", r.URL.Query().Get("corrects")
	s.render(w, r, http.StatusOK, "work_form", html.WorkFormView{Page: s.cfg.Renderer.NewPage(r, "work.form_title"), Case: c, Work: ws})
}

func (s *Server) handleCreateNoteForm(w http.ResponseWriter, r *http.Request) {
	if !s.parseWorkForm(w, r) {
		return
	}
	c, ok := s.workCase(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	n := &flare.Note{CaseID: c.ID, Text: r.PostFormValue("text"), Corrects: r.PostFormValue("corrects")}
	if err := s.cfg.Notes.CreateNote(r.Context(), n); err != nil {
		ws := s.newWork(c)
		ws.Form, ws.Text, ws.Corrects = "note", r.PostFormValue("text"), n.Corrects
		s.refuseWorkForm(w, r, err, c, ws, "work_form")
		return
	}
	http.Redirect(w, r, caseAnchor(c.ID, "note-"+n.ID), http.StatusSeeOther)
}

// maxWorkFormBytes bounds the body of the note and task forms: a note may
// be long (flare.MaxNoteLength runes of up to 4 bytes, form-encoded).
const maxWorkFormBytes = 256 << 10

// parseWorkForm reads a urlencoded work form of at most maxWorkFormBytes.
func (s *Server) parseWorkForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxWorkFormBytes)
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, flare.Errorf(flare.EINVALID, "the form could not be read"))
		return false
	}
	return true
}
