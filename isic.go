package flare

import (
	_ "embed" // the ISIC code list
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// ISICSection is a section of the International Standard Industrial
// Classification of All Economic Activities, Revision 4 (UN Statistics
// Division, 2008): the letter a worksite's sector is filed under. HTCDS 2.0
// vic_ForcedLabourIndustry uses the same sections ("A_AgricultureForestry...").
type ISICSection struct {
	Code  string // "A" to "U"
	Title string // the English title of ISIC Rev.4; pages translate it by code
}

// ISICSections returns the 21 sections of ISIC Rev.4 in order.
func ISICSections() []ISICSection {
	return []ISICSection{
		{"A", "Agriculture, forestry and fishing"},
		{"B", "Mining and quarrying"},
		{"C", "Manufacturing"},
		{"D", "Electricity, gas, steam and air conditioning supply"},
		{"E", "Water supply; sewerage, waste management and remediation activities"},
		{"F", "Construction"},
		{"G", "Wholesale and retail trade; repair of motor vehicles and motorcycles"},
		{"H", "Transportation and storage"},
		{"I", "Accommodation and food service activities"},
		{"J", "Information and communication"},
		{"K", "Financial and insurance activities"},
		{"L", "Real estate activities"},
		{"M", "Professional, scientific and technical activities"},
		{"N", "Administrative and support service activities"},
		{"O", "Public administration and defence; compulsory social security"},
		{"P", "Education"},
		{"Q", "Human health and social work activities"},
		{"R", "Arts, entertainment and recreation"},
		{"S", "Other service activities"},
		{"T", "Activities of households as employers; undifferentiated goods- and services-producing activities of households for own use"},
		{"U", "Activities of extraterritorial organizations and bodies"},
	}
}

// ValidISICSection reports whether code is an ISIC Rev.4 section letter.
func ValidISICSection(code string) bool {
	for _, s := range ISICSections() {
		if s.Code == code {
			return true
		}
	}
	return false
}

// ISICDivision is a division of ISIC Rev.4: the two-digit code under a
// section (section C, division 10 "Manufacture of food products").
type ISICDivision struct {
	Section string `json:"section"`  // "A" to "U"
	Code    string `json:"division"` // two digits, "01" to "99"
	Title   string `json:"title"`    // the English title of ISIC Rev.4
}

// isicRev4CSV is the code list of the 88 divisions of ISIC Rev.4 with their
// sections, written from the classification the UN Statistics Division
// publishes (Statistical Papers Series M No. 4/Rev.4, 2008;
// https://unstats.un.org/unsd/classifications/Econ/isic), which is free to
// reuse. Titles stay in English; pages translate the section titles only.
//
//go:embed isic_rev4.csv
var isicRev4CSV string

// isicDivisions parses the embedded code list once. The list is part of the
// binary and checked by TestISICDivisions, so a parse error is a bug in
// the build, not an input error.
var isicDivisions = sync.OnceValue(func() []ISICDivision {
	rows, err := csv.NewReader(strings.NewReader(isicRev4CSV)).ReadAll()
	if err != nil || len(rows) < 2 {
		panic(fmt.Sprintf("isic_rev4.csv: %v", err))
	}
	out := make([]ISICDivision, 0, len(rows)-1)
	for _, r := range rows[1:] {
		out = append(out, ISICDivision{Section: r[0], Code: r[1], Title: r[2]})
	}
	return out
})

// ISICDivisions returns the 88 divisions of ISIC Rev.4 in code order.
func ISICDivisions() []ISICDivision { return slices.Clone(isicDivisions()) }

// ISICDivisionsOf returns the divisions of one section, in code order.
func ISICDivisionsOf(section string) []ISICDivision {
	var out []ISICDivision
	for _, d := range isicDivisions() {
		if d.Section == section {
			out = append(out, d)
		}
	}
	return out
}

// ISICSectionOf returns the section a division belongs to, and false for a
// code that is not an ISIC Rev.4 division.
func ISICSectionOf(division string) (string, bool) {
	for _, d := range isicDivisions() {
		if d.Code == division {
			return d.Section, true
		}
	}
	return "", false
}

// ValidISICDivision reports whether division is an ISIC Rev.4 division of
// section: ("C", "10") is, ("A", "10") is not.
func ValidISICDivision(section, division string) bool {
	s, ok := ISICSectionOf(division)
	return ok && s == section
}
