package http

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
)

// upload is a document as sent in a multipart/form-data body: the part
// named "file" and an optional "description".
type upload struct {
	content     []byte
	declared    string
	filename    string
	description string
}

// maxDescriptionBytes bounds the description part of an upload.
const maxDescriptionBytes = 8 << 10

// readUpload reads an upload, never more than the size limit plus a little
// room for the other fields: an oversized file is refused with "too large"
// (413) before it is read whole (security checklist R-IH2).
func (s *Server) readUpload(w http.ResponseWriter, r *http.Request) (*upload, error) {
	limit := s.maxDocumentSize()
	tooLarge := &flare.Error{Code: flare.EINVALID, Message: "file: is larger than " + flare.HumanSize(limit),
		Fields: map[string]string{"file": flare.FileTooLarge}}
	r.Body = http.MaxBytesReader(w, r.Body, limit+maxDescriptionBytes+16<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, flare.FieldError("file", "send the document as multipart/form-data, in a field named \"file\"")
	}
	up := &upload{}
	seen := false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge
		}
		if err != nil {
			return nil, flare.FieldError("file", "the upload could not be read")
		}
		switch part.FormName() {
		case "file":
			if seen {
				return nil, flare.FieldError("file", "send one file at a time")
			}
			seen = true
			up.declared, up.filename = part.Header.Get("Content-Type"), part.FileName()
			up.content, err = io.ReadAll(io.LimitReader(part, limit+1))
			if errors.As(err, &mbe) || int64(len(up.content)) > limit {
				return nil, tooLarge
			}
		case "description":
			var b []byte
			b, err = io.ReadAll(io.LimitReader(part, maxDescriptionBytes+1))
			if len(b) > maxDescriptionBytes {
				return nil, flare.FieldError("description", "is too long")
			}
			up.description = string(b)
		default:
			_, err = io.Copy(io.Discard, part)
		}
		if errors.As(err, &mbe) {
			return nil, tooLarge
		}
		if err != nil {
			return nil, flare.FieldError("file", "the upload could not be read")
		}
	}
	if !seen || len(up.content) == 0 {
		return nil, flare.FieldError("file", "is empty: choose a file to upload")
	}
	return up, nil
}

// uploadStatus is the HTTP status of a refused upload: 413 for a file too
// large, 415 for a type not accepted, else what the error code says.
func uploadStatus(err error) int {
	switch v, _ := fieldOf(err, "file"); v {
	case flare.FileTooLarge:
		return http.StatusRequestEntityTooLarge
	case flare.FileUnsupportedType:
		return http.StatusUnsupportedMediaType
	}
	return ErrorStatus(flare.ErrorCodeOf(err))
}

// addDocument reads an upload and stores it in case caseID.
func (s *Server) addDocument(w http.ResponseWriter, r *http.Request, caseID string) (*flare.Document, *upload, error) {
	up, err := s.readUpload(w, r)
	if err != nil {
		return nil, up, err
	}
	d := &flare.Document{CaseID: caseID, Filename: up.filename, Description: up.description}
	return d, up, s.cfg.Documents.AddDocument(r.Context(), d, up.declared, up.content)
}

func (s *Server) handleAPIAddDocument(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Documents == nil {
		s.writeError(w, r, errNoRoute)
		return
	}
	d, _, err := s.addDocument(w, r, r.PathValue("id"))
	if err != nil {
		s.writeErrorStatus(w, r, uploadStatus(err), err)
		return
	}
	w.Header().Set("Location", "/api/v1/documents/"+d.ID)
	writeJSON(w, http.StatusCreated, d)
}

func (s *Server) handleAPIDocuments(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Documents == nil {
		s.writeError(w, r, errNoRoute)
		return
	}
	docs, err := s.cfg.Documents.Documents(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if docs == nil {
		docs = []*flare.Document{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"documents": docs})
}

// handleAddDocumentForm uploads a document from the case page.
func (s *Server) handleAddDocumentForm(w http.ResponseWriter, r *http.Request) {
	c, ok := s.workCase(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	d, up, err := s.addDocument(w, r, c.ID)
	if err != nil {
		ws := s.newWork(c)
		ws.Form = "document"
		if up != nil {
			ws.Description = up.description
		}
		var fe *flare.Error
		if !errors.As(err, &fe) || fe.Code != flare.EINVALID {
			s.writeError(w, r, err)
			return
		}
		ws.Errors, ws.ErrorMessage = map[string]string{}, fe.Message
		for k, v := range fe.Fields {
			ws.Errors[k] = v
		}
		// The file field's machine word becomes the message people read.
		if _, ok := ws.Errors["file"]; ok {
			ws.Errors["file"] = fe.Message
		}
		s.render(w, r, uploadStatus(err), "work_form", html.WorkFormView{Page: s.cfg.Renderer.NewPage(r, "work.form_title"), Case: c, Work: ws})
		return
	}
	http.Redirect(w, r, caseAnchor(c.ID, "document-"+d.ID), http.StatusSeeOther)
}

// handleDownloadDocument sends a document's decrypted content as an
// attachment, under its type as decided at upload and a filename the
// browser cannot misread, in a sandbox, never sniffed (checklist R-IH2).
// The store audits the read.
func (s *Server) handleDownloadDocument(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Documents == nil {
		s.writeError(w, r, errNoRoute)
		return
	}
	d, content, err := s.cfg.Documents.DocumentContent(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	ct := d.ContentType
	if ct == "text/plain" {
		ct += "; charset=utf-8"
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", contentDisposition(d.Filename))
	h.Set("Content-Length", strconv.Itoa(len(content)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, bytes.NewReader(content))
}

// contentDisposition is an attachment header for filename: RFC 2231
// encoding for names that are not plain ASCII, and a neutral name when the
// name cannot be written safely at all.
func contentDisposition(filename string) string {
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": filename}); v != "" {
		return v
	}
	return `attachment; filename="document"`
}
