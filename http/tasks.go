package http

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
)

// taskCreateRequest is the body of POST /api/v1/cases/{id}/tasks.
type taskCreateRequest struct {
	Title      string `json:"title"`
	Details    string `json:"details"`
	DueOn      string `json:"due_on"`
	AssigneeID string `json:"assignee_id"`
}

// taskUpdateRequest is the body of PATCH /api/v1/tasks/{id}: absent fields
// stay as they are, "due_on": null clears the date, "done" marks the task
// done (true) or reopens it (false).
type taskUpdateRequest struct {
	Title      *string     `json:"title"`
	Details    *string     `json:"details"`
	DueOn      optionalDue `json:"due_on"`
	AssigneeID *string     `json:"assignee_id"`
	Done       *bool       `json:"done"`
}

// optionalDue tells an absent due date from an explicit null.
type optionalDue struct {
	Set   bool
	Value *time.Time
}

// UnmarshalJSON reads null or a "YYYY-MM-DD" date.
func (d *optionalDue) UnmarshalJSON(b []byte) error {
	d.Set = true
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return flare.FieldError("due_on", "must be a date YYYY-MM-DD or null")
	}
	t, err := parseDate("due_on", s)
	if err != nil {
		return err
	}
	d.Value = &t
	return nil
}

func (s *Server) handleAPITasks(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Tasks == nil {
		s.writeError(w, r, errNoRoute)
		return
	}
	tasks, err := s.cfg.Tasks.Tasks(r.Context(), r.PathValue("id"))
	s.writeTasks(w, r, tasks, err)
}

// handleAPIMyTasks lists the signed-in user's open tasks across cases.
func (s *Server) handleAPIMyTasks(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Tasks == nil {
		s.writeError(w, r, errNoRoute)
		return
	}
	tasks, err := s.cfg.Tasks.MyTasks(r.Context())
	s.writeTasks(w, r, tasks, err)
}

func (s *Server) writeTasks(w http.ResponseWriter, r *http.Request, tasks []*flare.Task, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if tasks == nil {
		tasks = []*flare.Task{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"tasks": tasks})
}

func (s *Server) handleAPITask(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Tasks == nil {
		s.writeError(w, r, errNoRoute)
		return
	}
	t, err := s.cfg.Tasks.Task(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(t.Version))
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) handleAPICreateTask(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Tasks == nil {
		s.writeError(w, r, errNoRoute)
		return
	}
	var req taskCreateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	t := &flare.Task{CaseID: r.PathValue("id"), Title: req.Title, Details: req.Details, AssigneeID: req.AssigneeID}
	if req.DueOn != "" {
		d, err := parseDate("due_on", req.DueOn)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		t.DueOn = &d
	}
	if err := s.cfg.Tasks.CreateTask(r.Context(), t); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/tasks/"+t.ID)
	w.Header().Set("ETag", etag(t.Version))
	writeJSON(w, http.StatusCreated, t)
}

// handleAPIUpdateTask changes a task: If-Match is required (428 without,
// 412 when stale; security checklist R-CC1).
func (s *Server) handleAPIUpdateTask(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Tasks == nil {
		s.writeError(w, r, errNoRoute)
		return
	}
	match := r.Header.Get("If-Match")
	if match == "" {
		s.writeErrorStatus(w, r, http.StatusPreconditionRequired,
			flare.Errorf(flare.EINVALID, "send If-Match with the ETag of the task as you read it"))
		return
	}
	version, ok := parseETag(match)
	if !ok {
		s.writeError(w, r, flare.Errorf(flare.EINVALID, "If-Match must be an ETag from this API, like \"v3\""))
		return
	}
	var req taskUpdateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	upd := flare.TaskUpdate{Version: version, Title: req.Title, Details: req.Details, AssigneeID: req.AssigneeID, Done: req.Done}
	if req.DueOn.Set {
		upd.DueOn = &req.DueOn.Value
	}
	t, err := s.cfg.Tasks.UpdateTask(r.Context(), r.PathValue("id"), upd)
	if err != nil {
		if fv, _ := fieldOf(err, "version"); fv == "stale" {
			s.writeErrorStatus(w, r, http.StatusPreconditionFailed, err)
			return
		}
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(t.Version))
	writeJSON(w, http.StatusOK, t)
}

// handleCreateTaskForm adds a task from the case page.
func (s *Server) handleCreateTaskForm(w http.ResponseWriter, r *http.Request) {
	if !s.parseWorkForm(w, r) {
		return
	}
	c, ok := s.workCase(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	me, _ := userFrom(r.Context())
	ws := taskForm(s.newWork(c), r)
	t := &flare.Task{CaseID: c.ID, Title: ws.Title, Details: ws.Details}
	if ws.AssignToMe {
		t.AssigneeID = me.ID
	}
	err := error(nil)
	if ws.DueOn != "" {
		var d time.Time
		d, err = parseDate("due_on", ws.DueOn)
		t.DueOn = &d
	}
	if err == nil {
		err = s.cfg.Tasks.CreateTask(r.Context(), t)
	}
	if err != nil {
		s.refuseWorkForm(w, r, err, c, ws, "work_form")
		return
	}
	http.Redirect(w, r, caseAnchor(c.ID, "task-"+t.ID), http.StatusSeeOther)
}

// taskForm reads the task form's fields into ws.
func taskForm(ws html.WorkSection, r *http.Request) html.WorkSection {
	ws.Form, ws.Title, ws.Details, ws.DueOn = "task", r.PostFormValue("title"), r.PostFormValue("details"), r.PostFormValue("due_on")
	ws.AssignToMe = r.PostFormValue("assign_to_me") == "1"
	return ws
}

// taskAndCase reads a task and its case for a task page.
func (s *Server) taskAndCase(w http.ResponseWriter, r *http.Request) (*flare.Task, *flare.Case, bool) {
	if !s.workEnabled() {
		s.writeError(w, r, errNoRoute)
		return nil, nil, false
	}
	t, err := s.cfg.Tasks.Task(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return nil, nil, false
	}
	c, ok := s.workCase(w, r, t.CaseID)
	return t, c, ok
}

func (s *Server) handleEditTaskForm(w http.ResponseWriter, r *http.Request) {
	t, c, ok := s.taskAndCase(w, r)
	if !ok {
		return
	}
	me, _ := userFrom(r.Context())
	ws := s.newWork(c)
	ws.Form, ws.TaskID, ws.TaskVersion, ws.TaskDone = "task", t.ID, t.Version, t.Done()
	ws.Title, ws.Details, ws.DueOn, ws.AssignToMe = t.Title, t.Details, dateText(t.DueOn), t.AssigneeID == me.ID && me.ID != ""
	s.render(w, r, http.StatusOK, "task_form", html.WorkFormView{Page: s.cfg.Renderer.NewPage(r, "task.edit_heading"), Case: c, Work: ws})
}

// dateText writes an optional date as the date input wants it.
func dateText(d *time.Time) string {
	if d == nil {
		return ""
	}
	return d.Format(time.DateOnly)
}

// formVersion reads the hidden version of an edit form.
func formVersion(r *http.Request) (int64, error) {
	v, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil || v < 1 {
		return 0, flare.FieldError("version", "is missing: reload the page")
	}
	return v, nil
}

// handleEditTask saves the task form. A stale version shows the conflict
// page with the saved task next to what was typed.
func (s *Server) handleEditTask(w http.ResponseWriter, r *http.Request) {
	if !s.parseWorkForm(w, r) {
		return
	}
	version, err := formVersion(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, c, ok := s.taskAndCase(w, r)
	if !ok {
		return
	}
	me, _ := userFrom(r.Context())
	ws := taskForm(s.newWork(c), r)
	ws.TaskID, ws.TaskVersion, ws.TaskDone = t.ID, version, t.Done()
	upd := flare.TaskUpdate{Version: version, Title: &ws.Title, Details: &ws.Details}
	due := (*time.Time)(nil)
	if ws.DueOn != "" {
		d, err := parseDate("due_on", ws.DueOn)
		if err != nil {
			s.refuseWorkForm(w, r, err, c, ws, "task_form")
			return
		}
		due = &d
	}
	upd.DueOn = &due
	switch {
	case ws.AssignToMe && t.AssigneeID != me.ID:
		upd.AssigneeID = &me.ID
	case !ws.AssignToMe && t.AssigneeID == me.ID:
		none := ""
		upd.AssigneeID = &none
	}
	s.saveTask(w, r, t, c, upd, ws)
}

// handleTaskDoneForm marks a task done (done=1) or reopens it (done=0).
func (s *Server) handleTaskDoneForm(w http.ResponseWriter, r *http.Request) {
	if !s.parseWorkForm(w, r) {
		return
	}
	version, err := formVersion(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, c, ok := s.taskAndCase(w, r)
	if !ok {
		return
	}
	done := r.PostFormValue("done") == "1"
	ws := s.newWork(c)
	ws.Form, ws.TaskID, ws.TaskVersion, ws.TaskDone = "task", t.ID, version, done
	ws.Title, ws.Details, ws.DueOn = t.Title, t.Details, dateText(t.DueOn)
	s.saveTask(w, r, t, c, flare.TaskUpdate{Version: version, Done: &done}, ws)
}

// saveTask applies upd and goes back to the case, or shows why not.
func (s *Server) saveTask(w http.ResponseWriter, r *http.Request, stored *flare.Task, c *flare.Case, upd flare.TaskUpdate, ws html.WorkSection) {
	if _, err := s.cfg.Tasks.UpdateTask(r.Context(), stored.ID, upd); err != nil {
		if fv, _ := fieldOf(err, "version"); fv == "stale" {
			s.showTaskConflict(w, r, stored, ws)
			return
		}
		s.refuseWorkForm(w, r, err, c, ws, "task_form")
		return
	}
	http.Redirect(w, r, caseAnchor(c.ID, "task-"+stored.ID), http.StatusSeeOther)
}

// showTaskConflict answers a stale task save with 409 and the saved task
// next to what the user sent (security checklist R-CC1).
func (s *Server) showTaskConflict(w http.ResponseWriter, r *http.Request, stored *flare.Task, yours html.WorkSection) {
	p := s.cfg.Renderer.NewPage(r, "conflict.heading")
	state := func(done bool) string {
		if done {
			return p.T("task.state_done")
		}
		return p.T("task.state_open")
	}
	view := html.ConflictView{Page: p, RecordLabel: stored.Title, BackURL: "/tasks/" + stored.ID + "/edit",
		Fields: []html.ConflictField{
			html.NewConflictField("task.title", yours.Title, stored.Title),
			html.NewConflictField("task.details", yours.Details, stored.Details),
			html.NewConflictField("task.due_on", yours.DueOn, dateText(stored.DueOn)),
			html.NewConflictField("task.state", state(yours.TaskDone), state(stored.Done())),
		}}
	s.render(w, r, http.StatusConflict, "conflict", view)
}

// handleMyTasksPage shows the signed-in user's open tasks across cases.
func (s *Server) handleMyTasksPage(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Tasks == nil {
		s.writeError(w, r, errNoRoute)
		return
	}
	tasks, err := s.cfg.Tasks.MyTasks(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "my_tasks", html.MyTasksView{Page: s.cfg.Renderer.NewPage(r, "work.my_tasks_title"), Tasks: tasks})
}
