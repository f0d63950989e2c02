package flare

import (
	"context"
	"crypto/rand"
	"errors"
	"math/big"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ReportStatus is what the reporter sees of where their report stands
// (issue #4: "received, under review, action taken, closed").
type ReportStatus string

// The statuses of a report.
const (
	ReportReceived    ReportStatus = "received"
	ReportUnderReview ReportStatus = "under_review"
	ReportActionTaken ReportStatus = "action_taken"
	ReportClosed      ReportStatus = "closed"
)

// ReportStatuses returns every report status in order.
func ReportStatuses() []ReportStatus {
	return []ReportStatus{ReportReceived, ReportUnderReview, ReportActionTaken, ReportClosed}
}

// Valid reports whether s is one of ReportStatuses.
func (s ReportStatus) Valid() bool { return slices.Contains(ReportStatuses(), s) }

// ReportChannel is how a report reached Flare.
type ReportChannel string

// The channels of a report: the public web form, or a partner organisation
// (trade union, NGO hotline) through the API.
const (
	ChannelWeb     ReportChannel = "web"
	ChannelPartner ReportChannel = "partner"
)

// Sectors are the kinds of work the form offers, in plain words; they map
// to ISIC sections for statistics.
func Sectors() []string {
	return []string{"agriculture", "fishing", "mining", "construction", "manufacturing", "domestic_work",
		"hospitality", "retail", "transport", "sex_work", "begging", "other"}
}

// ReportSigns is the plain-language checklist of signs of forced labour
// (ILO indicators, issue #4).
func ReportSigns() []string {
	return []string{"documents_taken", "cannot_leave", "endless_debt", "wages_unpaid", "threats_violence",
		"locked_in", "live_at_workplace", "excessive_hours", "deceived"}
}

// Relationships are who the reporter is to the people concerned.
func Relationships() []string { return []string{"worker", "family", "coworker", "other"} }

// Limits of a report's fields.
const (
	MaxReportText    = 10000 // runes
	MaxReportLine    = 200   // runes, for single-line fields
	MaxReportPeople  = 100000
	MaxMessageLength = 5000 // runes
)

// Report is what someone tells the portal, or what a partner organisation
// takes down by phone or in person. Text, town, workplace, contact and
// relationship are sealed at rest under the report's own data key; the
// fields the intake queue sorts and filters on stay in clear.
type Report struct {
	ID      string        `json:"id"`
	Status  ReportStatus  `json:"status"`
	Channel ReportChannel `json:"channel"`
	// PartnerID is the partner organisation that entered a partner report.
	PartnerID string `json:"partner_id,omitempty"`
	// Lang is the interface language the report was written in.
	Lang string `json:"lang"`

	Text         string   `json:"text"`
	Country      string   `json:"country"`
	Region       string   `json:"region"`
	Town         string   `json:"town"`
	Workplace    string   `json:"workplace"`
	Sector       string   `json:"sector"`
	People       int      `json:"people"`
	Danger       bool     `json:"danger"`
	Signs        []string `json:"signs"`
	Relationship string   `json:"relationship"`
	Contact      string   `json:"contact,omitempty"`

	// Triage, by intake staff. AgencyID is empty while the report is in
	// the national queue, and names the agency it was forwarded to.
	AgencyID    string `json:"agency_id,omitempty"`
	AssignedTo  string `json:"assigned_to,omitempty"`
	DuplicateOf string `json:"duplicate_of,omitempty"`
	CaseID      string `json:"case_id,omitempty"`

	Attachments []*Attachment `json:"attachments,omitempty"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
}

// Validate normalises the report's text and checks every field. Unknown
// sectors, signs and relationships are refused rather than dropped, so a
// tampered form is noticed.
func (r *Report) Validate() error {
	r.Text = CleanText(r.Text)
	for _, p := range []*string{&r.Country, &r.Region, &r.Town, &r.Workplace, &r.Contact} {
		*p = CleanLine(*p)
	}
	switch {
	case r.Text == "":
		return FieldError("text", "is required")
	case utf8.RuneCountInString(r.Text) > MaxReportText:
		return FieldError("text", "is longer than %d characters", MaxReportText)
	case r.People < 0 || r.People > MaxReportPeople:
		return FieldError("people", "must be between 0 and %d", MaxReportPeople)
	case r.Sector != "" && !slices.Contains(Sectors(), r.Sector):
		return FieldError("sector", "is not a known kind of work")
	case r.Relationship != "" && !slices.Contains(Relationships(), r.Relationship):
		return FieldError("relationship", "is not a known relationship")
	}
	for name, v := range map[string]string{"country": r.Country, "region": r.Region, "town": r.Town,
		"workplace": r.Workplace, "contact": r.Contact} {
		if utf8.RuneCountInString(v) > MaxReportLine {
			return FieldError(name, "is longer than %d characters", MaxReportLine)
		}
	}
	seen := map[string]bool{}
	for _, s := range r.Signs {
		if !slices.Contains(ReportSigns(), s) {
			return FieldError("signs", "holds an unknown sign")
		}
		seen[s] = true
	}
	r.Signs = r.Signs[:0]
	for _, s := range ReportSigns() {
		if seen[s] {
			r.Signs = append(r.Signs, s)
		}
	}
	if r.Status == "" {
		r.Status = ReportReceived
	}
	if !r.Status.Valid() {
		return FieldError("status", "is not a known status")
	}
	if r.Channel == "" {
		r.Channel = ChannelWeb
	}
	if r.Channel != ChannelWeb && r.Channel != ChannelPartner {
		return FieldError("channel", "is not a known channel")
	}
	return nil
}

// Urgency orders the intake queue (issue #4: "danger now, number of people,
// signs ticked"): danger outranks everything, then the number of people (on a
// log-like scale, so a hundred does not drown all else), then the signs.
func (r *Report) Urgency() int {
	u := 0
	if r.Danger {
		u += 10000
	}
	switch {
	case r.People >= 100:
		u += 400
	case r.People >= 20:
		u += 300
	case r.People >= 5:
		u += 200
	case r.People >= 2:
		u += 100
	}
	return u + 10*len(r.Signs)
}

// Attachment is a file sent with a report: an image (re-encoded, so its
// metadata is gone) or a PDF. It is stored under a server-made id; the
// reporter's file name is never kept.
type Attachment struct {
	ID          string    `json:"id"`
	ReportID    string    `json:"report_id"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	CreatedAt   time.Time `json:"created_at"`
	// Data is the content; empty in lists.
	Data []byte `json:"-"`
}

// ReportMessage is one message between the reporter and the staff handling
// the report. The reporter's side has no author.
type ReportMessage struct {
	ID        string    `json:"id"`
	ReportID  string    `json:"report_id"`
	FromStaff bool      `json:"from_staff"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// CleanMessage normalises and checks a message body.
func CleanMessage(body string) (string, error) {
	body = CleanText(body)
	switch {
	case body == "":
		return "", FieldError("body", "is required")
	case utf8.RuneCountInString(body) > MaxMessageLength:
		return "", FieldError("body", "is longer than %d characters", MaxMessageLength)
	}
	return body, nil
}

// ReporterView is what a reporter sees with their receipt code: a plain
// status and the messages, nothing of the triage.
type ReporterView struct {
	Status   ReportStatus     `json:"status"`
	Danger   bool             `json:"-"`
	Messages []*ReportMessage `json:"messages"`
}

// ReceiptDigits is the length of a receipt code (security checklist R-IN4:
// at least 16 digits from crypto/rand).
const ReceiptDigits = 16

// NewReceiptCode draws a receipt code of ReceiptDigits decimal digits from
// crypto/rand, uniformly (rand.Int avoids the modulo bias of taking bytes
// mod 10).
func NewReceiptCode() (string, error) {
	max := new(big.Int).Exp(big.NewInt(10), big.NewInt(ReceiptDigits), nil)
	n, err := rand.Int(rand.Reader, max)
	if err != nil {
		return "", Errorf(EINTERNAL, "draw receipt code: %v", err)
	}
	s := n.String()
	return strings.Repeat("0", ReceiptDigits-len(s)) + s, nil
}

// FormatReceipt groups a code 4-4-4-4 for reading aloud and copying by hand.
func FormatReceipt(code string) string {
	var b strings.Builder
	for i, r := range code {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ParseReceipt reads a code as people type it: spaces, dashes and dots
// between groups are ignored, and Arabic-Indic and Eastern Arabic-Indic
// digits read as their ASCII digits (an Arabic phone keyboard types them).
// Anything else, or the wrong number of digits, is invalid.
func ParseReceipt(s string) (string, error) {
	if len(s) > 200 {
		return "", FieldError("code", "is not a receipt code")
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '\u0660' && r <= '\u0669':
			b.WriteRune('0' + (r - '\u0660'))
		case r >= '\u06F0' && r <= '\u06F9':
			b.WriteRune('0' + (r - '\u06F0'))
		case r == ' ' || r == '-' || r == '.' || r == '\u00A0' || r == '\t':
		default:
			return "", FieldError("code", "is not a receipt code")
		}
	}
	if b.Len() != ReceiptDigits {
		return "", FieldError("code", "is not a receipt code")
	}
	return b.String(), nil
}

// ErrBadReceipt is the one answer to a wrong, unknown or expired receipt
// code, so the answer tells a guesser nothing more.
var ErrBadReceipt = &Error{Code: ENOTFOUND, Message: "this code is not recognised or no longer works",
	Fields: map[string]string{"code": "not recognised"}}

// IsBadReceipt reports whether err says a receipt code did not open a
// report (malformed, unknown or expired); the portal counts such answers
// against the guessing limit (security checklist R-IN4).
func IsBadReceipt(err error) bool {
	var fe *Error
	return errors.As(err, &fe) && (fe == ErrBadReceipt || (fe.Code == EINVALID && fe.Fields["code"] != ""))
}

// Partner is an organisation (trade union, NGO hotline) that enters the
// reports it takes by phone or in person through the API.
type Partner struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ReportFilter selects the intake queue.
type ReportFilter struct {
	Region string
	Sector string
	// CaseID selects the reports a case was opened from or attached to.
	CaseID string
	// Open leaves out closed reports, duplicates and reports already
	// turned into a case.
	Open  bool
	Limit int
}

// ReportTriage is one triage step by intake staff; the set fields apply.
type ReportTriage struct {
	Status      ReportStatus `json:"status,omitempty"`
	AssignedTo  *string      `json:"assigned_to,omitempty"`
	ForwardTo   string       `json:"forward_to,omitempty"`
	DuplicateOf string       `json:"duplicate_of,omitempty"`
}

// NewReport is a report to submit with its attachments and the form token
// that makes a retry harmless (security checklist R-IN6).
type NewReport struct {
	Report      *Report
	Attachments []*Attachment
	// Token is the idempotency token of the form (or the partner's
	// Idempotency-Key): the same token gives the same report and receipt.
	Token string
}

// ReportService is the public portal and the intake queue.
type ReportService interface {
	// SubmitReport stores a new report and returns its receipt code; a
	// second submit with the same token returns the first one's code.
	SubmitReport(ctx context.Context, n NewReport) (receipt string, err error)
	// FollowUp shows the reporter their report's status and messages.
	FollowUp(ctx context.Context, receipt string) (*ReporterView, error)
	// ReporterMessage adds a reporter's message to their report.
	ReporterMessage(ctx context.Context, receipt, body string) error

	// Reports lists the intake queue, most urgent first.
	Reports(ctx context.Context, f ReportFilter) ([]*Report, error)
	// Report returns one report in full, with its messages.
	Report(ctx context.Context, id string) (*Report, []*ReportMessage, error)
	// Attachment returns one attachment with its content.
	Attachment(ctx context.Context, reportID, attachmentID string) (*Attachment, error)
	// TriageReport assigns, forwards, marks as duplicate or sets the status.
	TriageReport(ctx context.Context, id string, t ReportTriage) (*Report, error)
	// OpenCaseFromReport opens a case for the report and links it.
	OpenCaseFromReport(ctx context.Context, id string, c *Case) error
	// AttachReportToCase links the report to an existing case.
	AttachReportToCase(ctx context.Context, id, caseID string) error
	// ReplyToReporter sends staff's message to the reporter.
	ReplyToReporter(ctx context.Context, id, body string) error
}
