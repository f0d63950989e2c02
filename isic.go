package flare

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
