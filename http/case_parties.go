package http

import (
	"net/http"

	"github.com/flare-ilo/flare/html"
)

// caseParties fills the parties section of a case page.
func (s *Server) caseParties(r *http.Request, view *html.CaseView) error { return nil }
