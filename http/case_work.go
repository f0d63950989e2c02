package http

import (
	"net/http"

	"github.com/flare-ilo/flare/html"
)

// caseWork fills the work section of a case page.
func (s *Server) caseWork(r *http.Request, view *html.CaseView) error { return nil }
