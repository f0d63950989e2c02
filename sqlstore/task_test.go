package sqlstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore/storetest"
)

func date(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

func TestTasks(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		f := newWorkFixture(t, dbURL)
		ctx := as(f.user)
		// Today is 2026-11-27 on the store's clock.
		late := &flare.Task{CaseID: f.kase.ID, Title: "Call the consulate", DueOn: date(2026, 11, 20), AssigneeID: f.colleague.ID}
		soon := &flare.Task{CaseID: f.kase.ID, Title: "Visit the estate", Details: "With the police.", DueOn: date(2026, 12, 1), AssigneeID: f.colleague.ID}
		someday := &flare.Task{CaseID: f.kase.ID, Title: "Write the report"}
		for _, task := range []*flare.Task{someday, soon, late} {
			if err := f.tasks.CreateTask(ctx, task); err != nil {
				t.Fatal(err)
			}
			f.clock.Add(time.Second)
		}
		if late.Version != 1 || !late.Overdue || soon.Overdue || late.CreatedBy != f.user.ID {
			t.Fatalf("created = %+v", late)
		}
		list, err := f.tasks.Tasks(ctx, f.kase.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 3 || list[0].ID != late.ID || list[1].ID != soon.ID || list[2].ID != someday.ID {
			t.Fatalf("order = %v", titles(list))
		}
		// The case list's overdue filter reads the same table.
		cases, err := f.cases.Cases(ctx, flare.CaseFilter{OverdueTasks: true})
		if err != nil || len(cases) != 1 || cases[0].ID != f.kase.ID {
			t.Fatalf("overdue cases = %v, %v", cases, err)
		}

		// Mark done; a second save on the old version is refused.
		done := true
		got, err := f.tasks.UpdateTask(as(f.colleague), late.ID, flare.TaskUpdate{Version: 1, Done: &done})
		if err != nil || got.Version != 2 || got.DoneAt == nil || got.DoneBy != f.colleague.ID || got.Overdue {
			t.Fatalf("mark done = %+v, %v", got, err)
		}
		title := "Call the embassy"
		_, err = f.tasks.UpdateTask(ctx, late.ID, flare.TaskUpdate{Version: 1, Title: &title})
		wantCode(t, err, flare.ECONFLICT, "version")
		if cases, _ := f.cases.Cases(ctx, flare.CaseFilter{OverdueTasks: true}); len(cases) != 0 {
			t.Fatalf("a done task still makes the case overdue")
		}
		reopen := false
		got, err = f.tasks.UpdateTask(ctx, late.ID, flare.TaskUpdate{Version: 2, Done: &reopen, Title: &title})
		if err != nil || got.DoneAt != nil || got.DoneBy != "" || got.ReopenedAt == nil || got.Title != title || !got.Overdue {
			t.Fatalf("reopen = %+v, %v", got, err)
		}

		// My work: the colleague's open tasks.
		mine, err := f.tasks.MyTasks(as(f.colleague))
		if err != nil || len(mine) != 2 || mine[0].ID != late.ID || mine[1].ID != soon.ID {
			t.Fatalf("my tasks = %v, %v", titles(mine), err)
		}
		if mine, _ := f.tasks.MyTasks(ctx); len(mine) != 0 {
			t.Fatalf("the inspector has %d tasks, want 0", len(mine))
		}

		// Bad input names the field.
		for _, tc := range []struct {
			task  flare.Task
			field string
		}{
			{flare.Task{CaseID: f.kase.ID}, "title"},
			{flare.Task{CaseID: f.kase.ID, Title: "x", AssigneeID: f.stranger.ID}, "assignee_id"},
			{flare.Task{CaseID: f.kase.ID, Title: "x", AssigneeID: "not-an-id"}, "assignee_id"},
		} {
			wantCode(t, f.tasks.CreateTask(ctx, &tc.task), flare.EINVALID, tc.field)
		}
		other := "0190aaaa-0000-7000-8000-000000000002"
		_, err = f.tasks.UpdateTask(ctx, soon.ID, flare.TaskUpdate{Version: 1, AssigneeID: &other})
		wantCode(t, err, flare.EINVALID, "assignee_id")

		// Another agency: not found; an analyst: forbidden; all audited.
		_, err = f.tasks.Task(as(f.stranger), soon.ID)
		wantCode(t, err, flare.ENOTFOUND, "")
		_, err = f.tasks.UpdateTask(as(f.stranger), soon.ID, flare.TaskUpdate{Version: 1, Title: &title})
		wantCode(t, err, flare.ENOTFOUND, "")
		_, err = f.tasks.Tasks(asRole(f.agency, flare.RoleAnalyst), f.kase.ID)
		wantCode(t, err, flare.EFORBIDDEN, "")
		if n := f.count(t, `SELECT COUNT(*) FROM audit_entries WHERE record_type = 'task' AND outcome = 'denied'`); n != 3 {
			t.Errorf("denials audited: %d, want 3", n)
		}
		// 3 creates, 2 updates that went through, 3 + 2 + 2 reads.
		if c, u, r := f.audits(t, "task", "create", "ok"), f.audits(t, "task", "update", "ok"), f.audits(t, "task", "read", "ok"); c != 3 || u != 2 || r != 5 {
			t.Errorf("audit: %d creates, %d updates, %d reads; want 3, 2, 5", c, u, r)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM tasks`); n != 3 {
			t.Errorf("%d tasks stored, want 3", n)
		}
	})
}

func titles(ts []*flare.Task) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Title)
	}
	return out
}

// TestTaskConcurrentSaves: ten editors save the same version of a task at
// once; exactly one wins and the others are refused as stale (checklist
// R-CC1), on both databases.
func TestTaskConcurrentSaves(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		f := newWorkFixture(t, dbURL)
		task := &flare.Task{CaseID: f.kase.ID, Title: "Visit"}
		if err := f.tasks.CreateTask(as(f.user), task); err != nil {
			t.Fatal(err)
		}
		const editors = 10
		errs := make(chan error, editors)
		for i := range editors {
			go func() {
				title := fmt.Sprintf("Visit %d", i)
				_, err := f.tasks.UpdateTask(as(f.user), task.ID, flare.TaskUpdate{Version: 1, Title: &title})
				errs <- err
			}()
		}
		won := 0
		for range editors {
			switch err := <-errs; flare.ErrorCodeOf(err) {
			case "":
				won++
			case flare.ECONFLICT:
			default:
				t.Errorf("save: %v", err)
			}
		}
		got, err := f.tasks.Task(as(f.user), task.ID)
		if err != nil {
			t.Fatal(err)
		}
		if won != 1 || got.Version != 2 {
			t.Fatalf("%d saves won, task at version %d; want 1 and 2", won, got.Version)
		}
		if n := f.audits(t, "task", "update", "ok"); n != 1 {
			t.Errorf("%d updates audited, want 1", n)
		}
	})
}
