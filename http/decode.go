package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/flare-ilo/flare"
)

// maxJSONBytes bounds every JSON request body.
const maxJSONBytes = 1 << 20

// decodeJSON reads one JSON object into v, refusing unknown fields,
// trailing data and oversized bodies with an invalid-input error that says
// what is wrong, so a client learns of a typo instead of having it ignored.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return flare.Errorf(flare.EINVALID, "send the body as application/json")
	}
	return decodeJSONBody(http.MaxBytesReader(w, r.Body, maxJSONBytes), v)
}

func decodeJSONBody(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return flare.Errorf(flare.EINVALID, "the body must hold one JSON object and nothing after it")
	}
	if _, err := dec.Token(); err != io.EOF {
		return flare.Errorf(flare.EINVALID, "the body must hold one JSON object and nothing after it")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &syn):
		return flare.Errorf(flare.EINVALID, "malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return flare.FieldError(typ.Field, "must be %s", typ.Type.String())
	case errors.As(err, &tooBig):
		return flare.Errorf(flare.EINVALID, "the body is larger than %d bytes", tooBig.Limit)
	case errors.Is(err, io.EOF):
		return flare.Errorf(flare.EINVALID, "the body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return flare.Errorf(flare.EINVALID, "the JSON ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return flare.FieldError(field, "is not a known field")
	}
	return flare.Errorf(flare.EINVALID, "the body is not valid JSON: %s", fmt.Sprint(err))
}
