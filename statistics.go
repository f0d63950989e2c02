package flare

import (
	"context"
	"time"
)

// CaptureFilter selects the presumed victims whose lists a multiple systems
// estimation counts (issue #10): people in cases opened in a period,
// optionally in one region.
type CaptureFilter struct {
	From, To time.Time
	Region   string
}

// CaptureTable is the overlap of agencies' lists of presumed victims: each
// individual (records confirmed as the same person are one individual,
// issue #9) has the pattern of agencies that recorded them.
type CaptureTable struct {
	// Lists are the agencies that recorded someone, by name.
	Lists []string `json:"lists"`
	// Patterns counts the individuals per pattern of lists.
	Patterns []CapturePattern `json:"patterns"`
	// Individuals, Records and Links: how many individuals the records
	// came to through how many confirmed links.
	Individuals int `json:"individuals"`
	Records     int `json:"records"`
	Links       int `json:"links"`
}

// CapturePattern is one pattern of presence on the lists and its count.
type CapturePattern struct {
	On    []bool `json:"on"`
	Count int    `json:"count"`
}

// StatisticsService computes de-identified aggregates for analysts.
type StatisticsService interface {
	// CaptureTable builds the lists of presumed victims for f. Only
	// analysts and supervisors (and the console) may; the answer holds
	// counts, never a person.
	CaptureTable(ctx context.Context, f CaptureFilter) (*CaptureTable, error)
}
