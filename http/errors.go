package http

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
)

var (
	errCrossOrigin = flare.Errorf(flare.EFORBIDDEN, "cross-origin request refused")
	errPanic       = flare.Errorf(flare.EINTERNAL, "internal error")
	errNoRoute     = flare.Errorf(flare.ENOTFOUND, "no such page or endpoint")
)

// ErrorStatus maps an error code to its HTTP status.
func ErrorStatus(code flare.ErrorCode) int {
	switch code {
	case flare.EINVALID:
		return http.StatusBadRequest
	case flare.ENOTFOUND:
		return http.StatusNotFound
	case flare.ECONFLICT:
		return http.StatusConflict
	case flare.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case flare.EFORBIDDEN:
		return http.StatusForbidden
	default:
		return http.StatusInternalServerError
	}
}

// ErrorResponse is the JSON body of every API error.
type ErrorResponse struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong: a stable code, a message for people,
// the fields at fault, and the request id to quote to support.
type ErrorDetail struct {
	Code      flare.ErrorCode   `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

// writeError answers with err: JSON for API clients, a page for browsers.
// Internal errors are logged in full and shown only as "internal error".
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	s.writeErrorStatus(w, r, ErrorStatus(flare.ErrorCodeOf(err)), err)
}

// writeErrorStatus is writeError with an explicit HTTP status, for the few
// answers (429) that have no error code of their own.
func (s *Server) writeErrorStatus(w http.ResponseWriter, r *http.Request, status int, err error) {
	code := flare.ErrorCodeOf(err)
	reqID := RequestIDFrom(r.Context())
	if code == flare.EINTERNAL {
		s.logger.Error("internal error", "request_id", reqID, "error", err.Error())
	}
	if wantsJSON(r) {
		detail := ErrorDetail{Code: code, Message: flare.ErrorMessageOf(err), RequestID: reqID}
		var fe *flare.Error
		if code != flare.EINTERNAL && errors.As(err, &fe) {
			detail.Fields = fe.Fields
		}
		writeJSON(w, status, ErrorResponse{Error: detail})
		return
	}
	key := errorPageKey(status)
	view := html.ErrorView{Page: s.cfg.Renderer.NewPage(r, "error.title"), Status: status, MessageKey: key, RequestID: reqID}
	if rerr := s.cfg.Renderer.Render(w, r, status, "error", view); rerr != nil {
		s.logger.Error("render error page", "request_id", reqID, "error", rerr.Error())
		http.Error(w, http.StatusText(status), status)
	}
}

// wantsJSON is true for the API and for clients that ask for JSON only.
func wantsJSON(r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		return true
	}
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}

// writeJSON writes v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// errorPageKey is the message key of the error page for a status.
func errorPageKey(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "error.bad_request"
	case http.StatusUnauthorized:
		return "error.unauthorized"
	case http.StatusForbidden:
		return "error.forbidden"
	case http.StatusNotFound:
		return "error.not_found"
	case http.StatusConflict:
		return "error.conflict"
	case http.StatusTooManyRequests:
		return "error.too_many"
	}
	return "error.internal"
}

// fieldOf returns what an application error says about one input field.
func fieldOf(err error, field string) (string, bool) {
	var fe *flare.Error
	if !errors.As(err, &fe) || fe.Fields == nil {
		return "", false
	}
	v, ok := fe.Fields[field]
	return v, ok
}

// writeList answers a list under key (an empty list as [], never null),
// or the error that kept it from being read.
func writeList[T any](s *Server, w http.ResponseWriter, r *http.Request, key string, list []T, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []T{}
	}
	writeJSON(w, http.StatusOK, map[string]any{key: list})
}
