package flare

import (
	"regexp"
	"strings"
	"testing"
)

func TestReceiptCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c, err := NewReceiptCode()
		if err != nil || len(c) != ReceiptDigits || strings.Trim(c, "0123456789") != "" {
			t.Fatalf("NewReceiptCode() = %q, %v", c, err)
		}
		if seen[c] {
			t.Fatalf("repeated code %q", c)
		}
		seen[c] = true
		if !regexp.MustCompile(`^\d{4} \d{4} \d{4} \d{4}$`).MatchString(FormatReceipt(c)) {
			t.Fatalf("FormatReceipt(%q) = %q", c, FormatReceipt(c))
		}
		if p, err := ParseReceipt(FormatReceipt(c)); err != nil || p != c {
			t.Fatalf("ParseReceipt(FormatReceipt(%q)) = %q, %v", c, p, err)
		}
	}
}

func TestParseReceipt(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"1234 5678 9012 3456", "1234567890123456"},
		{"1234-5678-9012-3456", "1234567890123456"},
		{" 1234567890123456 ", "1234567890123456"},
		{"١٢٣٤ ٥٦٧٨ ٩٠١٢ ٣٤٥٦", "1234567890123456"}, // Arabic-Indic digits
		{"۱۲۳۴۵۶۷۸۹۰۱۲۳۴۵۶", "1234567890123456"},    // Eastern Arabic-Indic
		{"1234 5678 9012 345", ""},
		{"1234 5678 9012 34567", ""},
		{"1234 5678 9012 345x", ""},
		{"", ""},
		{"１２３４５６７８９０１２３４５６", ""}, // full-width digits are not accepted
	}
	for _, tt := range tests {
		got, err := ParseReceipt(tt.in)
		if got != tt.want || (tt.want == "") != (err != nil) {
			t.Errorf("ParseReceipt(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if err != nil && !IsBadReceipt(err) {
			t.Errorf("ParseReceipt(%q) error %v is not a bad receipt", tt.in, err)
		}
	}
}

func FuzzParseReceipt(f *testing.F) {
	for _, s := range []string{"1234 5678 9012 3456", "١٢٣٤", "", "x", strings.Repeat("9", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseReceipt(s)
		if err == nil && (len(got) != ReceiptDigits || strings.Trim(got, "0123456789") != "") {
			t.Fatalf("ParseReceipt(%q) = %q", s, got)
		}
	})
}

func TestReportValidate(t *testing.T) {
	ok := func() *Report {
		return &Report{Text: " help \u202e", Region: "North\n", Sector: "fishing", Signs: []string{"locked_in", "documents_taken", "locked_in"}}
	}
	r := ok()
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if r.Text != "help" || r.Region != "North" || r.Status != ReportReceived || r.Channel != ChannelWeb {
		t.Errorf("normalised: %+v", r)
	}
	if len(r.Signs) != 2 || r.Signs[0] != "documents_taken" {
		t.Errorf("signs = %v", r.Signs)
	}
	tests := []struct {
		name  string
		edit  func(*Report)
		field string
	}{
		{"no text", func(r *Report) { r.Text = " " }, "text"},
		{"long text", func(r *Report) { r.Text = strings.Repeat("a", MaxReportText+1) }, "text"},
		{"sector", func(r *Report) { r.Sector = "piracy" }, "sector"},
		{"sign", func(r *Report) { r.Signs = []string{"x"} }, "signs"},
		{"relationship", func(r *Report) { r.Relationship = "boss" }, "relationship"},
		{"people", func(r *Report) { r.People = -1 }, "people"},
		{"town", func(r *Report) { r.Town = strings.Repeat("t", MaxReportLine+1) }, "town"},
		{"channel", func(r *Report) { r.Channel = "fax" }, "channel"},
	}
	for _, tt := range tests {
		r := ok()
		tt.edit(r)
		err := r.Validate()
		var fe *Error
		if err == nil || !asReportError(err, &fe) || fe.Fields[tt.field] == "" {
			t.Errorf("%s: %v, want a %s field error", tt.name, err, tt.field)
		}
	}
}

func asReportError(err error, fe **Error) bool {
	e, ok := err.(*Error)
	*fe = e
	return ok
}

func TestReportUrgency(t *testing.T) {
	danger := &Report{Danger: true, People: 1}
	many := &Report{People: 150, Signs: ReportSigns()}
	few := &Report{People: 3, Signs: []string{"locked_in"}}
	if !(danger.Urgency() > many.Urgency() && many.Urgency() > few.Urgency() && few.Urgency() > (&Report{}).Urgency()) {
		t.Errorf("urgency order: %d %d %d", danger.Urgency(), many.Urgency(), few.Urgency())
	}
}
