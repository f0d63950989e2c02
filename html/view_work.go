package html

// WorkSection is the notes, tasks, documents and timeline of a case on its
// page.
type WorkSection struct{}
