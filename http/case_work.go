package http

import (
	"net/http"
	"strings"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/html"
)

// The work section of a case page: the status form, tasks, notes,
// documents and the last events of the timeline. Every form posts to its
// own route and works without JavaScript; a refused form comes back on a
// page of its own (work_form) with the reason next to the field.

// timelineOnPage is how many events the case page shows.
const timelineOnPage = 20

// workEnabled says whether the server has the work services.
func (s *Server) workEnabled() bool {
	return s.cfg.Notes != nil && s.cfg.Tasks != nil && s.cfg.Documents != nil && s.cfg.Timeline != nil
}

// caseWork fills the work section of a case page.
func (s *Server) caseWork(r *http.Request, view *html.CaseView) error {
	if !s.workEnabled() {
		return nil
	}
	ctx := r.Context()
	me, _ := userFrom(ctx)
	ws := s.newWork(view.Case)
	notes, err := s.cfg.Notes.Notes(ctx, view.Case.ID)
	if err != nil {
		return err
	}
	for _, n := range notes {
		ws.Notes = append(ws.Notes, html.NoteLine{Note: n, Mine: n.AuthorID == me.ID})
	}
	tasks, err := s.cfg.Tasks.Tasks(ctx, view.Case.ID)
	if err != nil {
		return err
	}
	for _, t := range tasks {
		ws.Tasks = append(ws.Tasks, html.TaskLine{Task: t, AssignedToMe: t.AssigneeID != "" && t.AssigneeID == me.ID})
	}
	docs, err := s.cfg.Documents.Documents(ctx, view.Case.ID)
	if err != nil {
		return err
	}
	for _, d := range docs {
		ws.Documents = append(ws.Documents, html.DocumentLine{Document: d, SizeText: flare.HumanSize(d.Size)})
	}
	events, err := s.cfg.Timeline.Timeline(ctx, view.Case.ID, flare.TimelineFilter{Limit: timelineOnPage + 1})
	if err != nil {
		return err
	}
	if len(events) > timelineOnPage {
		events, ws.TimelineMore = events[:timelineOnPage], true
	}
	ws.Timeline = s.timelineLines(r, events)
	view.Work = ws
	return nil
}

// newWork is the work section of case c with empty forms.
func (s *Server) newWork(c *flare.Case) html.WorkSection {
	return html.WorkSection{Shown: true, CaseID: c.ID, CaseVersion: c.Version, Status: c.Status,
		NextStatuses: c.Status.NextStatuses(), ClosureReasons: flare.ClosureReasons(),
		MaxDocumentSize: flare.HumanSize(s.maxDocumentSize()),
		Accept:          strings.Join(append(flare.DocumentExtensions(), flare.DocumentTypes()...), ",")}
}

// maxDocumentSize is the configured upload limit.
func (s *Server) maxDocumentSize() int64 {
	if s.cfg.MaxDocumentSize > 0 {
		return s.cfg.MaxDocumentSize
	}
	return flare.DefaultMaxDocumentSize
}

// timelineLines words a timeline for a page, naming each actor once.
func (s *Server) timelineLines(r *http.Request, events []*flare.TimelineEvent) []html.TimelineLine {
	names := map[string]string{}
	out := make([]html.TimelineLine, len(events))
	for i, e := range events {
		k := e.AgencyID + "/" + e.UserID
		if e.Console {
			k = "console"
		}
		who, ok := names[k]
		if !ok {
			who = s.who(r, audit.Entry{UserID: e.UserID, AgencyID: e.AgencyID, Console: e.Console})
			names[k] = who
		}
		out[i] = html.TimelineLine{At: e.At, Who: who, KindKey: "timeline." + e.Kind, Label: e.Label}
	}
	return out
}

// workCase reads the case a work form posts to; without the work services
// the routes do not exist.
func (s *Server) workCase(w http.ResponseWriter, r *http.Request, id string) (*flare.Case, bool) {
	if !s.workEnabled() {
		s.writeError(w, r, errNoRoute)
		return nil, false
	}
	c, err := s.cfg.Cases.Case(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return nil, false
	}
	return c, true
}

// refuseWorkForm shows a work form again with why the store refused it:
// invalid input and conflicts (a transition not allowed) next to their
// field, anything else as an error page.
func (s *Server) refuseWorkForm(w http.ResponseWriter, r *http.Request, err error, c *flare.Case, ws html.WorkSection, page string) {
	view := html.WorkFormView{Page: s.cfg.Renderer.NewPage(r, "work.form_title"), Case: c, Work: ws}
	s.refuseForm(w, r, err, &view.Work.Errors, &view.Work.ErrorMessage, func(status int) {
		s.render(w, r, status, page, view)
	})
}

// caseAnchor is the URL of a section of a case page.
func caseAnchor(caseID, section string) string { return "/cases/" + caseID + "#" + section }
