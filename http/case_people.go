package http

import (
	"net/http"

	"github.com/flare-ilo/flare/html"
)

// casePeople fills the people section of a case page.
func (s *Server) casePeople(r *http.Request, view *html.CaseView) error { return nil }
