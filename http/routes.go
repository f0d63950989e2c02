package http

import (
	"context"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/flare-ilo/flare/html"
)

// routes lists every route of the server; one file per resource holds the
// handlers as the server grows.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /readyz", s.handleReadyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	mux.Handle("GET "+html.AssetPrefix, s.cfg.Renderer.Assets())
	mux.HandleFunc("GET /{$}", s.handleHome)
	mux.HandleFunc("GET /login", s.handleSignInForm)
	mux.HandleFunc("POST /login", s.rateLimited(s.signIn, s.handleSignIn))
	mux.HandleFunc("GET /login/code", s.handleCodeForm)
	mux.HandleFunc("POST /login/code", s.rateLimited(s.signIn, s.handleCode))
	mux.HandleFunc("POST /logout", s.handleSignOut)
	mux.HandleFunc("POST /logout/everywhere", s.requireUser(s.handleSignOutEverywhere))
	mux.HandleFunc("GET /enrol/{token}", s.handleEnrolForm)
	mux.HandleFunc("GET /enrol/{token}/qr.png", s.handleEnrolQR)
	mux.HandleFunc("POST /enrol/{token}", s.rateLimited(s.signIn, s.handleEnrol))
	mux.HandleFunc("GET /app", s.requireUser(s.handleApp))
	mux.HandleFunc("GET /cases", s.requireUser(s.handleCaseList))
	mux.HandleFunc("GET /cases/{id}", s.requireUser(s.handleCasePage))
	mux.HandleFunc("GET /cases/new", s.requireUser(s.handleNewCaseForm))
	mux.HandleFunc("POST /cases", s.requireUser(s.handleCreateCaseForm))
	mux.HandleFunc("GET /cases/{id}/edit", s.requireUser(s.handleEditCaseForm))
	mux.HandleFunc("POST /cases/{id}/edit", s.requireUser(s.handleEditCase))
	mux.HandleFunc("GET /api/v1/openapi.json", s.handleOpenAPI)
	mux.HandleFunc("GET /api/v1/cases", s.requireUser(s.handleAPICaseList))
	mux.HandleFunc("POST /api/v1/cases", s.requireUser(s.handleAPICreateCase))
	mux.HandleFunc("GET /api/v1/cases/{id}", s.requireUser(s.handleAPICase))
	mux.HandleFunc("GET /api/v1/cases/{id}/audit", s.requireUser(s.handleAPICaseAudit))
	mux.HandleFunc("PATCH /api/v1/cases/{id}", s.requireUser(s.handleAPIUpdateCase))
	// People in a case (issue #5): http/persons.go, http/person_pages.go.
	mux.HandleFunc("GET /api/v1/cases/{id}/persons", s.requireUser(s.handleAPICasePersons))
	mux.HandleFunc("POST /api/v1/cases/{id}/persons", s.requireUser(s.handleAPICreatePerson))
	mux.HandleFunc("GET /api/v1/persons", s.requireUser(s.handleAPIFindPersons))
	mux.HandleFunc("GET /api/v1/persons/{id}", s.requireUser(s.handleAPIPerson))
	mux.HandleFunc("PATCH /api/v1/persons/{id}", s.requireUser(s.handleAPIUpdatePerson))
	mux.HandleFunc("GET /api/v1/persons/{id}/export", s.requireUser(s.handleAPIExportPerson))
	mux.HandleFunc("GET /persons/{id}", s.requireUser(s.handlePersonPage))
	mux.HandleFunc("GET /persons/{id}/edit", s.requireUser(s.handleEditPersonForm))
	mux.HandleFunc("POST /persons/{id}/edit", s.requireUser(s.handleEditPerson))
	mux.HandleFunc("GET /cases/{id}/persons/new", s.requireUser(s.handleNewPersonForm))
	mux.HandleFunc("POST /cases/{id}/persons", s.requireUser(s.handleCreatePersonForm))
	// Organisations and worksites of a case (issue #5): http/organisations.go, http/worksites.go.
	mux.HandleFunc("GET /api/v1/cases/{id}/organisations", s.requireUser(s.handleAPIOrganisations))
	mux.HandleFunc("POST /api/v1/cases/{id}/organisations", s.requireUser(s.handleAPICreateOrganisation))
	mux.HandleFunc("GET /api/v1/organisations/{id}", s.requireUser(s.handleAPIOrganisation))
	mux.HandleFunc("PATCH /api/v1/organisations/{id}", s.requireUser(s.handleAPIUpdateOrganisation))
	mux.HandleFunc("DELETE /api/v1/organisations/{id}", s.requireUser(s.handleAPIDeleteOrganisation))
	mux.HandleFunc("GET /api/v1/cases/{id}/worksites", s.requireUser(s.handleAPIWorksites))
	mux.HandleFunc("POST /api/v1/cases/{id}/worksites", s.requireUser(s.handleAPICreateWorksite))
	mux.HandleFunc("GET /api/v1/worksites/{id}", s.requireUser(s.handleAPIWorksite))
	mux.HandleFunc("PATCH /api/v1/worksites/{id}", s.requireUser(s.handleAPIUpdateWorksite))
	mux.HandleFunc("DELETE /api/v1/worksites/{id}", s.requireUser(s.handleAPIDeleteWorksite))
	mux.HandleFunc("GET /api/v1/isic", s.requireUser(s.handleAPIISIC))
	mux.HandleFunc("GET /cases/{id}/organisations/new", s.requireUser(s.handleNewOrganisationForm))
	mux.HandleFunc("POST /cases/{id}/organisations", s.requireUser(s.handleCreateOrganisationForm))
	mux.HandleFunc("GET /organisations/{id}/edit", s.requireUser(s.handleEditOrganisationForm))
	mux.HandleFunc("POST /organisations/{id}/edit", s.requireUser(s.handleEditOrganisation))
	mux.HandleFunc("GET /cases/{id}/worksites/new", s.requireUser(s.handleNewWorksiteForm))
	mux.HandleFunc("POST /cases/{id}/worksites", s.requireUser(s.handleCreateWorksiteForm))
	mux.HandleFunc("GET /worksites/{id}/edit", s.requireUser(s.handleEditWorksiteForm))
	mux.HandleFunc("POST /worksites/{id}/edit", s.requireUser(s.handleEditWorksite))
	mux.HandleFunc("POST /organisations/{id}/delete", s.requireUser(s.handleDeleteOrganisationForm))
	mux.HandleFunc("POST /worksites/{id}/delete", s.requireUser(s.handleDeleteWorksiteForm))
	// Notes, tasks, documents, timeline and status of a case (issue #5).
	mux.HandleFunc("GET /api/v1/cases/{id}/notes", s.requireUser(s.handleAPINotes))
	mux.HandleFunc("POST /api/v1/cases/{id}/notes", s.requireUser(s.handleAPICreateNote))
	mux.HandleFunc("GET /api/v1/cases/{id}/tasks", s.requireUser(s.handleAPITasks))
	mux.HandleFunc("POST /api/v1/cases/{id}/tasks", s.requireUser(s.handleAPICreateTask))
	mux.HandleFunc("GET /api/v1/tasks", s.requireUser(s.handleAPIMyTasks))
	mux.HandleFunc("GET /api/v1/tasks/{id}", s.requireUser(s.handleAPITask))
	mux.HandleFunc("PATCH /api/v1/tasks/{id}", s.requireUser(s.handleAPIUpdateTask))
	mux.HandleFunc("GET /api/v1/cases/{id}/documents", s.requireUser(s.handleAPIDocuments))
	mux.HandleFunc("POST /api/v1/cases/{id}/documents", s.requireUser(s.handleAPIAddDocument))
	mux.HandleFunc("GET /api/v1/documents/{id}", s.requireUser(s.handleDownloadDocument))
	mux.HandleFunc("GET /api/v1/cases/{id}/timeline", s.requireUser(s.handleAPITimeline))
	mux.HandleFunc("GET /cases/{id}/notes/new", s.requireUser(s.handleNewNoteForm))
	mux.HandleFunc("POST /cases/{id}/notes", s.requireUser(s.handleCreateNoteForm))
	mux.HandleFunc("POST /cases/{id}/tasks", s.requireUser(s.handleCreateTaskForm))
	mux.HandleFunc("GET /tasks/{id}/edit", s.requireUser(s.handleEditTaskForm))
	mux.HandleFunc("POST /tasks/{id}/edit", s.requireUser(s.handleEditTask))
	mux.HandleFunc("POST /tasks/{id}/done", s.requireUser(s.handleTaskDoneForm))
	mux.HandleFunc("POST /cases/{id}/documents", s.requireUser(s.handleAddDocumentForm))
	mux.HandleFunc("GET /documents/{id}", s.requireUser(s.handleDownloadDocument))
	mux.HandleFunc("GET /cases/{id}/timeline", s.requireUser(s.handleTimelinePage))
	mux.HandleFunc("POST /cases/{id}/status", s.requireUser(s.handleCaseStatus))
	mux.HandleFunc("GET /tasks", s.requireUser(s.handleMyTasksPage))
	mux.HandleFunc("GET /api/v1/users", s.requireUser(s.handleAPIUsers))
	mux.HandleFunc("POST /api/v1/users", s.requireUser(s.handleAPICreateUser))
	mux.HandleFunc("POST /api/v1/users/{id}/{action}", s.requireUser(s.handleAPIUserAction))
	mux.HandleFunc("GET /admin/users", s.requireUser(s.handleUsersPage))
	mux.HandleFunc("POST /admin/users", s.requireUser(s.handleUsersForm))
	mux.HandleFunc("POST /admin/users/{id}/{action}", s.requireUser(s.handleUserActionForm))
	// Public reporting portal and intake queue (issue #4).
	mux.HandleFunc("GET /report", s.portalRoute(s.handleReportForm))
	mux.HandleFunc("POST /report", s.portalRoute(s.handleReportSubmit))
	mux.HandleFunc("GET /report/check", s.portalRoute(s.handleCheckForm))
	mux.HandleFunc("POST /report/check", s.portalRoute(s.handleCheck))
	mux.HandleFunc("GET /report/rights", s.portalRoute(s.handleRights))
	mux.HandleFunc("GET /intake", s.requireUser(s.handleIntakeQueue))
	mux.HandleFunc("GET /intake/{id}", s.requireUser(s.handleIntakeReport))
	mux.HandleFunc("POST /intake/{id}/{action}", s.requireUser(s.handleIntakeAction))
	mux.HandleFunc("GET /intake/{id}/attachments/{aid}", s.requireUser(s.handleIntakeAttachment))
	mux.HandleFunc("POST /api/v1/reports", s.handleAPIPartnerReport)
	mux.HandleFunc("GET /api/v1/reports", s.requireUser(s.handleAPIReports))
	mux.HandleFunc("GET /api/v1/reports/{id}", s.requireUser(s.handleAPIReport))
	mux.HandleFunc("GET /persons/{id}/screening", s.requireUser(s.handleScreeningForm))
	mux.HandleFunc("POST /persons/{id}/screening", s.requireUser(s.handleScreen))
	mux.HandleFunc("GET /assessments/{id}", s.requireUser(s.handleAssessmentPage))
	mux.HandleFunc("POST /assessments/{id}/presume", s.requireUser(s.handlePresume))
	mux.HandleFunc("POST /api/v1/persons/{id}/assessments", s.requireUser(s.handleAPIScreen))
	mux.HandleFunc("GET /api/v1/persons/{id}/assessments", s.requireUser(s.handleAPIPersonAssessments))
	mux.HandleFunc("GET /api/v1/assessments/{id}", s.requireUser(s.handleAPIAssessment))
	mux.HandleFunc("GET /persons/{id}/claims/new", s.requireUser(s.handleClaimForm))
	mux.HandleFunc("POST /persons/{id}/claims", s.requireUser(s.handleClaimSubmit))
	mux.HandleFunc("GET /claims/{id}", s.requireUser(s.handleClaimPage))
	mux.HandleFunc("POST /claims/{id}/ledger", s.requireUser(s.handleLedgerForm))
	mux.HandleFunc("GET /fund", s.requireUser(s.handleFundPage))
	mux.HandleFunc("POST /api/v1/persons/{id}/claims", s.requireUser(s.handleAPICreateClaim))
	mux.HandleFunc("GET /api/v1/persons/{id}/claims", s.requireUser(s.handleAPIPersonClaims))
	mux.HandleFunc("GET /api/v1/claims/{id}", s.requireUser(s.handleAPIClaim))
	mux.HandleFunc("POST /api/v1/claims/{id}/ledger", s.requireUser(s.handleAPILedgerEntry))
	mux.HandleFunc("GET /api/v1/fund", s.requireUser(s.handleAPIFund))
	mux.HandleFunc("GET /persons/{id}/matches", s.requireUser(s.handleMatchesPage))
	mux.HandleFunc("POST /persons/{id}/matches/{other}", s.requireUser(s.handleDecideMatchForm))
	mux.HandleFunc("GET /api/v1/persons/{id}/matches", s.requireUser(s.handleAPIMatches))
	mux.HandleFunc("POST /api/v1/persons/{id}/matches/{other}", s.requireUser(s.handleAPIDecideMatch))
	mux.HandleFunc("GET /organisations/{id}/matches", s.requireUser(s.handleOrganisationMatchesPage))
	mux.HandleFunc("POST /organisations/{id}/matches/{other}", s.requireUser(s.handleDecideOrganisationMatchForm))
	mux.HandleFunc("GET /api/v1/organisations/{id}/matches", s.requireUser(s.handleAPIOrganisationMatches))
	mux.HandleFunc("POST /api/v1/organisations/{id}/matches/{other}", s.requireUser(s.handleAPIDecideOrganisationMatch))
	mux.HandleFunc("GET /statistics", s.requireUser(s.handleEstimatePage))
	mux.HandleFunc("GET /api/v1/statistics/estimate", s.requireUser(s.handleAPIEstimate))
	mux.HandleFunc("POST /api/v1/cases/{id}/referrals", s.requireUser(s.handleAPISendReferral))
	mux.HandleFunc("GET /api/v1/referrals", s.requireUser(s.handleAPIReferrals))
	mux.HandleFunc("POST /api/v1/referrals/{id}/{action}", s.requireUser(s.handleAPIAnswerReferral))
	mux.HandleFunc("GET /api/v1/cases/{id}/referrals", s.requireUser(s.handleAPIReferrals))
	mux.HandleFunc("GET /api/v1/cases/{id}/grants", s.requireUser(s.handleAPICaseGrants))
	mux.HandleFunc("POST /api/v1/grants/{id}/{action}", s.requireUser(s.handleAPIGrantAction))
	mux.HandleFunc("GET /referrals", s.requireUser(s.handleReferralsPage))
	mux.HandleFunc("POST /referrals/{id}/{action}", s.requireUser(s.handleReferralAnswer))
	mux.HandleFunc("GET /cases/{id}/referrals/new", s.requireUser(s.handleReferralForm))
	mux.HandleFunc("POST /cases/{id}/referrals", s.requireUser(s.handleSendReferral))
	mux.HandleFunc("POST /grants/{id}/{action}", s.requireUser(s.handleGrantAction))
	// Enforcement records and erasure (issue #6, R-DP3): http/enforcement.go.
	mux.HandleFunc("GET /api/v1/cases/{id}/inspections", s.requireUser(s.handleAPIInspections))
	mux.HandleFunc("POST /api/v1/cases/{id}/inspections", s.requireUser(s.handleAPICreateInspection))
	mux.HandleFunc("GET /api/v1/inspections/{id}", s.requireUser(s.handleAPIInspection))
	mux.HandleFunc("GET /api/v1/cases/{id}/proceedings", s.requireUser(s.handleAPIProceedings))
	mux.HandleFunc("POST /api/v1/cases/{id}/proceedings", s.requireUser(s.handleAPICreateProceeding))
	mux.HandleFunc("GET /api/v1/proceedings/{id}", s.requireUser(s.handleAPIProceeding))
	mux.HandleFunc("PATCH /api/v1/proceedings/{id}", s.requireUser(s.handleAPIUpdateProceeding))
	mux.HandleFunc("POST /api/v1/persons/{id}/erase", s.requireUser(s.handleAPIErasePerson))
	mux.HandleFunc("GET /api/v1/persons/{id}/legal-holds", s.requireUser(s.handleAPILegalHolds))
	mux.HandleFunc("GET /cases/{id}/inspections/new", s.requireUser(s.handleNewInspectionForm))
	mux.HandleFunc("POST /cases/{id}/inspections", s.requireUser(s.handleCreateInspectionForm))
	mux.HandleFunc("GET /cases/{id}/proceedings/new", s.requireUser(s.handleNewProceedingForm))
	mux.HandleFunc("POST /cases/{id}/proceedings", s.requireUser(s.handleCreateProceedingForm))
	mux.HandleFunc("GET /proceedings/{id}", s.requireUser(s.handleProceedingPage))
	mux.HandleFunc("POST /proceedings/{id}", s.requireUser(s.handleUpdateProceedingForm))
	mux.HandleFunc("GET /persons/{id}/erase", s.requireUser(s.handleEraseForm))
	mux.HandleFunc("POST /persons/{id}/erase", s.requireUser(s.handleErase))
	// Protection of victims (issue #6): http/protection.go.
	mux.HandleFunc("POST /persons/{id}/services", s.requireUser(s.handleServiceForm))
	mux.HandleFunc("POST /protection/services/{id}", s.requireUser(s.handleServiceUpdateForm))
	mux.HandleFunc("POST /persons/{id}/protection-periods", s.requireUser(s.handlePeriodForm))
	mux.HandleFunc("POST /protection/periods/{id}/extensions", s.requireUser(s.handleExtensionForm))
	mux.HandleFunc("GET /protection/ending", s.requireUser(s.handleEndingPage))
	mux.HandleFunc("POST /api/v1/persons/{id}/services", s.requireUser(s.handleAPIRecordService))
	mux.HandleFunc("GET /api/v1/persons/{id}/services", s.requireUser(s.handleAPIPersonServices))
	mux.HandleFunc("PATCH /api/v1/protection-services/{id}", s.requireUser(s.handleAPIUpdateService))
	mux.HandleFunc("POST /api/v1/persons/{id}/protection-periods", s.requireUser(s.handleAPIStartPeriod))
	mux.HandleFunc("GET /api/v1/persons/{id}/protection-periods", s.requireUser(s.handleAPIPersonPeriods))
	mux.HandleFunc("POST /api/v1/protection-periods/{id}/extensions", s.requireUser(s.handleAPIExtendPeriod))
	mux.HandleFunc("GET /api/v1/protection-periods/ending", s.requireUser(s.handleAPIPeriodsEnding))
	mux.HandleFunc("/api/", s.handleNotFound)
	mux.HandleFunc("/", s.handleNotFound)
	return mux
}

// statusResponse is the body of /healthz and /readyz.
type statusResponse struct {
	Status string `json:"status"`
}

// handleHealthz says the process is up; it touches nothing else, so a
// supervisor restarts only a process that is really stuck.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, statusResponse{Status: "ok"})
}

// handleReadyz says whether this instance can serve: the database answers
// within ReadyTimeout. A load balancer takes an unready instance out.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.ReadyTimeout)
	defer cancel()
	if err := s.cfg.Database.Ping(ctx); err != nil {
		s.logger.Warn("not ready", "request_id", RequestIDFrom(r.Context()), "error", err.Error())
		writeJSON(w, http.StatusServiceUnavailable, statusResponse{Status: "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, statusResponse{Status: "ready"})
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	view := html.HomeView{Page: s.cfg.Renderer.NewPage(r, "home.title")}
	if err := s.cfg.Renderer.Render(w, r, http.StatusOK, "home", view); err != nil {
		s.writeError(w, r, err)
	}
}

func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, errNoRoute)
}
