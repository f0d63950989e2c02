package http

import (
	"net/http"
	"strconv"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
)

// timelinePage is how many events a page of the full timeline shows.
const timelinePage = 100

// timelineFilter reads ?before= and ?limit=.
func timelineFilter(r *http.Request, defaultLimit int) (flare.TimelineFilter, error) {
	f := flare.TimelineFilter{Limit: defaultLimit}
	q := r.URL.Query()
	for _, p := range []struct {
		name string
		to   *int64
	}{{"before", &f.Before}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return f, flare.FieldError(p.name, "must be a whole number, 0 or more")
			}
			*p.to = n
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return f, flare.FieldError("limit", "must be a whole number, 1 or more")
		}
		f.Limit = n
	}
	return f, nil
}

// handleAPITimeline returns what happened to a case, newest first; page
// with ?before=<seq of the last event>.
func (s *Server) handleAPITimeline(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Timeline == nil {
		s.writeError(w, r, errNoRoute)
		return
	}
	f, err := timelineFilter(r, 500)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	events, err := s.cfg.Timeline.Timeline(r.Context(), r.PathValue("id"), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if events == nil {
		events = []*flare.TimelineEvent{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": events})
}

// handleTimelinePage shows a case's whole timeline, a page at a time.
func (s *Server) handleTimelinePage(w http.ResponseWriter, r *http.Request) {
	c, ok := s.workCase(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	f, err := timelineFilter(r, timelinePage)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Limit = min(f.Limit, timelinePage) + 1
	events, err := s.cfg.Timeline.Timeline(r.Context(), c.ID, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	view := html.TimelineView{Page: s.cfg.Renderer.NewPage(r, "timeline.title"), Case: c}
	if len(events) == f.Limit {
		events = events[:f.Limit-1]
		view.Older = events[len(events)-1].Seq
	}
	view.Events = s.timelineLines(r, events)
	s.render(w, r, http.StatusOK, "timeline", view)
}
