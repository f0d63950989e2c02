package http

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
)

// IntakeQueueView is the intake queue: reports, most urgent first.
type IntakeQueueView struct {
	html.Page
	Reports []*flare.Report
	Region  string
	Sector  string
	Sectors []string
}

// IntakeReportView is one report with its messages and the triage forms.
type IntakeReportView struct {
	html.Page
	Report   *flare.Report
	Messages []*flare.ReportMessage
	Statuses []flare.ReportStatus
	Agencies []*flare.Agency
	MeID     string
	ErrorMsg string
	Done     string
}

func (s *Server) handleIntakeQueue(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Reports == nil {
		s.writeError(w, r, errNoRoute)
		return
	}
	q := r.URL.Query()
	v := IntakeQueueView{Page: s.cfg.Renderer.NewPage(r, "intake.title"), Region: q.Get("region"), Sector: q.Get("sector"), Sectors: flare.Sectors()}
	if v.Sector != "" && !slices.Contains(v.Sectors, v.Sector) {
		s.writeError(w, r, flare.FieldError("sector", "is not a known kind of work"))
		return
	}
	reports, err := s.cfg.Reports.Reports(r.Context(), flare.ReportFilter{Region: v.Region, Sector: v.Sector, Open: q.Get("all") == ""})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v.Reports = reports
	s.render(w, r, http.StatusOK, "intake_queue", v)
}

func (s *Server) intakeReportView(r *http.Request, id string) (IntakeReportView, error) {
	v := IntakeReportView{Page: s.cfg.Renderer.NewPage(r, "intake.report_title"), Statuses: flare.ReportStatuses()}
	var err error
	if v.Report, v.Messages, err = s.cfg.Reports.Report(r.Context(), id); err != nil {
		return v, err
	}
	if v.Agencies, err = s.cfg.Reports.ForwardTargets(r.Context()); err != nil {
		return v, err
	}
	if u, ok := userFrom(r.Context()); ok {
		v.MeID = u.ID
	}
	return v, nil
}

func (s *Server) handleIntakeReport(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Reports == nil {
		s.writeError(w, r, errNoRoute)
		return
	}
	v, err := s.intakeReportView(r, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v.Done = r.URL.Query().Get("done")
	if !slices.Contains([]string{"", "assign", "forward", "duplicate", "status", "case", "attach", "reply"}, v.Done) {
		v.Done = ""
	}
	s.render(w, r, http.StatusOK, "intake_report", v)
}

// handleIntakeAction runs one triage step from the report page, then goes
// back to it (post, redirect, get). Each step is audited by the service.
func (s *Server) handleIntakeAction(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Reports == nil {
		s.writeError(w, r, errNoRoute)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, flare.Errorf(flare.EINVALID, "the form could not be read"))
		return
	}
	id, action, f := r.PathValue("id"), r.PathValue("action"), r.PostForm
	ctx := r.Context()
	var err error
	next := "/intake/" + url.PathEscape(id)
	switch action {
	case "assign":
		who := f.Get("assigned_to")
		_, err = s.cfg.Reports.TriageReport(ctx, id, flare.ReportTriage{AssignedTo: &who})
	case "forward":
		_, err = s.cfg.Reports.TriageReport(ctx, id, flare.ReportTriage{ForwardTo: f.Get("agency_id")})
		next = "/intake" // the report may no longer be ours to see
	case "duplicate":
		_, err = s.cfg.Reports.TriageReport(ctx, id, flare.ReportTriage{DuplicateOf: strings.TrimSpace(f.Get("duplicate_of"))})
	case "status":
		_, err = s.cfg.Reports.TriageReport(ctx, id, flare.ReportTriage{Status: flare.ReportStatus(f.Get("status"))})
	case "case":
		c := &flare.Case{Reference: f.Get("reference"), Title: f.Get("title")}
		if err = s.cfg.Reports.OpenCaseFromReport(ctx, id, c); err == nil {
			next = "/cases/" + url.PathEscape(c.ID)
		}
	case "attach":
		err = s.cfg.Reports.AttachReportToCase(ctx, id, strings.TrimSpace(f.Get("case_id")))
	case "reply":
		err = s.cfg.Reports.ReplyToReporter(ctx, id, f.Get("body"))
	default:
		err = errNoRoute
	}
	if err != nil {
		if flare.ErrorCodeOf(err) != flare.EINVALID && flare.ErrorCodeOf(err) != flare.ECONFLICT {
			s.writeError(w, r, err)
			return
		}
		v, verr := s.intakeReportView(r, id)
		if verr != nil {
			s.writeError(w, r, verr)
			return
		}
		v.ErrorMsg = flare.ErrorMessageOf(err)
		s.render(w, r, ErrorStatus(flare.ErrorCodeOf(err)), "intake_report", v)
		return
	}
	if strings.HasPrefix(next, "/intake/") {
		next += "?done=" + action
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// handleIntakeAttachment sends an attachment as a download under a name
// the server makes (R-IH2): never shown inline, never the sender's name.
func (s *Server) handleIntakeAttachment(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Reports == nil {
		s.writeError(w, r, errNoRoute)
		return
	}
	a, err := s.cfg.Reports.Attachment(r.Context(), r.PathValue("id"), r.PathValue("aid"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ext := map[string]string{"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}[a.ContentType]
	if ext == "" {
		ext = "bin"
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="attachment-%s.%s"`, a.ID, ext))
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(a.Data)
}

// reportResponse is one report with its messages, for the JSON API.
type reportResponse struct {
	Report   *flare.Report          `json:"report"`
	Messages []*flare.ReportMessage `json:"messages"`
}

// handleAPIReports is the intake queue as JSON: open reports, most urgent
// first; ?region=, ?sector=, ?all=1 as on the page.
func (s *Server) handleAPIReports(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Reports == nil {
		s.writeError(w, r, errNoRoute)
		return
	}
	q := r.URL.Query()
	if sec := q.Get("sector"); sec != "" && !slices.Contains(flare.Sectors(), sec) {
		s.writeError(w, r, flare.FieldError("sector", "is not a known kind of work"))
		return
	}
	reports, err := s.cfg.Reports.Reports(r.Context(), flare.ReportFilter{Region: q.Get("region"), Sector: q.Get("sector"), Open: q.Get("all") == ""})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if reports == nil {
		reports = []*flare.Report{}
	}
	writeJSON(w, http.StatusOK, reports)
}

// handleAPIReport is one report with its messages, as JSON.
func (s *Server) handleAPIReport(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Reports == nil {
		s.writeError(w, r, errNoRoute)
		return
	}
	rep, msgs, err := s.cfg.Reports.Report(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if msgs == nil {
		msgs = []*flare.ReportMessage{}
	}
	writeJSON(w, http.StatusOK, reportResponse{Report: rep, Messages: msgs})
}
