package sqlstore_test

import (
	"slices"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore/storetest"
)

func TestTimeline(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		f := newWorkFixture(t, dbURL)
		ctx := as(f.user)
		task := &flare.Task{CaseID: f.kase.ID, Title: "Call the consulate"}
		if err := f.tasks.CreateTask(ctx, task); err != nil {
			t.Fatal(err)
		}
		done := true
		if _, err := f.tasks.UpdateTask(ctx, task.ID, flare.TaskUpdate{Version: 1, Done: &done}); err != nil {
			t.Fatal(err)
		}
		if err := f.notes.CreateNote(ctx, &flare.Note{CaseID: f.kase.ID, Text: "Met the workers."}); err != nil {
			t.Fatal(err)
		}
		if err := f.docs.AddDocument(ctx, &flare.Document{CaseID: f.kase.ID, Filename: "a.txt"}, "text/plain", []byte("hello")); err != nil {
			t.Fatal(err)
		}
		status := flare.CaseAssessment
		if _, err := f.cases.UpdateCase(ctx, f.kase.ID, flare.CaseUpdate{Version: 1, Status: &status}); err != nil {
			t.Fatal(err)
		}
		// Reads and denials are not events of the case.
		if _, err := f.notes.Notes(ctx, f.kase.ID); err != nil {
			t.Fatal(err)
		}
		_, _ = f.notes.Notes(as(f.stranger), f.kase.ID)
		f.clock.Add(time.Minute)

		events, err := f.timeline.Timeline(ctx, f.kase.ID, flare.TimelineFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range events {
			kinds = append(kinds, e.Kind)
		}
		want := []string{"case.status", "document.create", "note.create", "task.done", "task.create", "case.create"}
		if !slices.Equal(kinds, want) {
			t.Fatalf("timeline = %v, want %v", kinds, want)
		}
		if events[3].Label != "Call the consulate" || events[3].UserID != f.user.ID || events[5].Console != true || events[2].Label != "" {
			t.Errorf("events = %+v / %+v", events[3], events[5])
		}
		// Paging: the two after the third.
		page, err := f.timeline.Timeline(ctx, f.kase.ID, flare.TimelineFilter{Limit: 2, Before: events[2].Seq})
		if err != nil || len(page) != 2 || page[0].Kind != "task.done" || page[1].Kind != "task.create" {
			t.Fatalf("page = %v, %v", page, err)
		}
		if n := f.audits(t, "timeline", "read", "ok"); n != 2 {
			t.Errorf("timeline reads audited: %d, want 2", n)
		}
		_, err = f.timeline.Timeline(as(f.stranger), f.kase.ID, flare.TimelineFilter{})
		wantCode(t, err, flare.ENOTFOUND, "")
		_, err = f.timeline.Timeline(asRole(f.agency, flare.RoleAnalyst), f.kase.ID, flare.TimelineFilter{})
		wantCode(t, err, flare.EFORBIDDEN, "")
		if n := f.audits(t, "timeline", "read", "denied"); n != 2 {
			t.Errorf("timeline denials audited: %d, want 2", n)
		}
	})
}
