package http

import (
	_ "embed"
	"net/http"
)

// openAPIDocument describes the JSON API; a test keeps it and the routes in
// step.
//
//go:embed openapi.json
var openAPIDocument []byte

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPIDocument)
}
