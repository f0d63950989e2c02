package sqlstore

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/flare-ilo/flare"
)

// This file plans the synthetic casework of Seed: pure functions of the
// seed and the case's number, so that the same seed gives the same cases,
// people and parties on either database (issue #5: "realistic synthetic
// cases ... for demos and benchmarks"). seed.go writes the plan.

// seedNames is the synthetic name list; see its "note".
//
//go:embed seeddata/names.json
var seedNamesJSON []byte

// nameGroup is one origin of names: the given and family names common
// there, and the nationalities and languages that go with them.
type nameGroup struct {
	Name          string   `json:"name"`
	Nationalities []string `json:"nationalities"`
	Languages     []string `json:"languages"`
	Female        []string `json:"female"`
	Male          []string `json:"male"`
	Family        []string `json:"family"`
}

// loadNameGroups parses the embedded name list.
func loadNameGroups() ([]nameGroup, error) {
	var f struct {
		Groups []nameGroup `json:"groups"`
	}
	if err := json.Unmarshal(seedNamesJSON, &f); err != nil {
		return nil, fmt.Errorf("seed names: %w", err)
	}
	for _, g := range f.Groups {
		if len(g.Nationalities) == 0 || len(g.Languages) == 0 || len(g.Female) == 0 || len(g.Male) == 0 || len(g.Family) == 0 {
			return nil, fmt.Errorf("seed names: group %q has an empty list", g.Name)
		}
	}
	if len(f.Groups) == 0 {
		return nil, fmt.Errorf("seed names: no group")
	}
	return f.Groups, nil
}

// seedAgency is an agency Seed creates when absent, and the prefix of its
// case references.
type seedAgency struct {
	name   string
	kind   flare.AgencyKind
	prefix string
	weight int // share of the seeded cases it owns
}

// seedAgencies are the agencies of the synthetic national response.
var seedAgencies = []seedAgency{
	{"National Labour Inspectorate", flare.AgencyLabourInspectorate, "LI", 35},
	{"Anti-Trafficking Police Unit", flare.AgencyPolice, "ATU", 25},
	{"Migrant Workers' Rights Centre", flare.AgencyNGO, "MWR", 15},
	{"Victim Support Services", flare.AgencyVictimServices, "VSS", 10},
	{"Office of the Public Prosecutor", flare.AgencyProsecution, "PP", 5},
	{"Immigration Service", flare.AgencyImmigration, "IMM", 5},
	{"General Workers' Union", flare.AgencyTradeUnion, "GWU", 5},
}

// seedRegions are the regions of the synthetic country, each with towns.
var seedRegions = []struct {
	name  string
	towns []string
}{
	{"Capital District", []string{"Port Amara", "Old Harbour", "Riverside"}},
	{"Northern Province", []string{"Kessel", "Tamaro", "Ridgefield"}},
	{"Coastal Province", []string{"Sandport", "Bellmare", "Cape Oru"}},
	{"Delta Region", []string{"Lowmarsh", "Ninefork", "Saltreed"}},
	{"Highlands", []string{"Mount Elin", "Tarsa", "Greystone"}},
	{"Eastern Plains", []string{"Dunmore", "Harlow Cross", "Okuta"}},
	{"Lake District", []string{"Lakeshore", "Mirren", "Fenwick"}},
	{"Southern Province", []string{"Southgate", "Varo", "Palmhill"}},
}

// seedSector is an ISIC Rev.4 division where forced labour is common
// (ILO, Global Estimates of Modern Slavery 2022: domestic work,
// construction, manufacturing, agriculture and fishing, accommodation and
// food), with what work there looks like.
type seedSector struct {
	section, division string
	weight            int
	activity          string   // for case titles: "cocoa farm"
	employer          []string // words in employers' names
	site              []string // worksite descriptions
}

var seedSectors = []seedSector{
	{"A", "01", 16, "plantation", []string{"Agro", "Farms", "Plantations", "Growers"}, []string{"Cocoa plantation with workers' barracks", "Vegetable greenhouses", "Palm oil estate", "Sugar cane fields", "Tea estate and drying shed"}},
	{"A", "03", 8, "fishing vessel", []string{"Fisheries", "Marine", "Seafood"}, []string{"Fishing vessel moored at the harbour", "Shrimp peeling shed", "Fish processing jetty"}},
	{"A", "02", 2, "logging camp", []string{"Timber", "Forestry"}, []string{"Logging camp in the forest reserve"}},
	{"C", "14", 8, "garment workshop", []string{"Garments", "Textiles", "Fashion"}, []string{"Garment workshop on the upper floor", "Sewing unit behind a shop"}},
	{"C", "23", 5, "brick kiln", []string{"Bricks", "Ceramics"}, []string{"Brick kiln with workers' huts", "Clay pit and kiln"}},
	{"C", "10", 4, "food processing plant", []string{"Foods", "Processing"}, []string{"Meat packing plant", "Cashew processing unit"}},
	{"F", "41", 10, "construction site", []string{"Construction", "Builders", "Contractors"}, []string{"High-rise construction site", "Housing project with labour camp"}},
	{"F", "42", 4, "road works", []string{"Civil Works", "Engineering"}, []string{"Road construction camp", "Bridge works"}},
	{"T", "97", 14, "private household", []string{"Household"}, []string{"Private household, live-in domestic work", "Villa with domestic staff quarters"}},
	{"I", "56", 6, "restaurant", []string{"Restaurants", "Catering", "Kitchens"}, []string{"Restaurant kitchen", "Catering company kitchen"}},
	{"I", "55", 4, "hotel", []string{"Hotels", "Resorts", "Hospitality"}, []string{"Hotel housekeeping department", "Beach resort"}},
	{"B", "08", 4, "quarry", []string{"Quarries", "Mining"}, []string{"Stone quarry", "Sand mining site"}},
	{"B", "07", 2, "gold mine", []string{"Mining", "Minerals"}, []string{"Artisanal gold mine"}},
	{"N", "81", 3, "cleaning company", []string{"Cleaning Services", "Facility Services"}, []string{"Office building cleaned at night"}},
	{"S", "96", 3, "massage parlour", []string{"Wellness", "Beauty"}, []string{"Massage and nail salon"}},
	{"H", "49", 2, "trucking depot", []string{"Logistics", "Transport"}, []string{"Truck depot and warehouse"}},
	{"G", "47", 1, "market stall", []string{"Trading", "Retail"}, []string{"Market stalls and storeroom"}},
}

// seedIndicators are the ILO indicators of forced labour (ILO, Indicators
// of Forced Labour, 2012), for case titles.
var seedIndicators = []string{
	"unpaid wages", "passports retained", "debt bondage", "restricted movement", "threats against family",
	"deceptive recruitment", "excessive overtime", "isolation", "physical violence", "abusive living conditions",
	"recruitment fees", "confiscated phones",
}

var seedStreets = []string{"Market Street", "Harbour Road", "Station Road", "Mill Lane", "Industrial Avenue", "Kiln Road",
	"Palm Avenue", "Quarry Road", "Canal Street", "Hillside Road", "Fishermen's Wharf", "Old Mission Road"}

var seedRecruiterWords = []string{"Global", "Golden", "Bright Future", "Star", "Pacific", "Sunrise", "Continental", "Prime", "Horizon", "United", "Crescent", "Silver Line"}
var seedRecruiterKinds = []string{"Manpower Services", "Recruitment Agency", "Overseas Employment", "Placement Agency", "HR Solutions", "Travel and Jobs"}
var seedCompanySuffixes = []string{"Ltd", "Co.", "& Sons", "Enterprises", "Group", "SARL", "S.A.", "Pvt Ltd"}

var seedTaskTitles = []string{
	"Interview the presumed victims with an interpreter", "Refer the victims to a shelter", "Request a joint labour inspection",
	"Check the employer's registration", "Collect pay slips and contracts", "Arrange medical examination",
	"Ask the consulate for travel documents", "Calculate wage arrears", "Send the file to the prosecutor",
	"Follow up with the victim services", "Verify the recruitment agency's licence", "Return the retained passports",
}

// Weighted choices of the plan.
var (
	seedStatusWeights = []weighted[flare.CaseStatus]{
		{flare.CaseClosed, 40}, {flare.CaseOpen, 15}, {flare.CaseAssessment, 12}, {flare.CaseReferred, 10},
		{flare.CaseInvestigation, 15}, {flare.CaseProceedings, 8},
	}
	seedReasonWeights = []weighted[flare.ClosureReason]{
		{flare.ClosureResolved, 30}, {flare.ClosureNoForcedLabour, 20}, {flare.ClosureReferredElsewhere, 12},
		{flare.ClosureProceedingsEnded, 15}, {flare.ClosureWithdrawn, 8}, {flare.ClosureUnreachable, 8},
		{flare.ClosureDuplicate, 4}, {flare.ClosureOther, 3},
	}
	seedRoleWeights = []weighted[string]{
		{seedRoleVictim, 72}, {seedRolePerpetrator, 10}, {seedRoleWitness, 10}, {seedRoleReporter, 8},
	}
)

// The roles of a planned person; seed.go maps them onto the person
// service's roles.
const (
	seedRoleVictim      = "presumed_victim"
	seedRolePerpetrator = "suspected_perpetrator"
	seedRoleWitness     = "witness"
	seedRoleReporter    = "reporter"
)

type weighted[T any] struct {
	v T
	w int
}

func pickWeighted[T any](r *rand.Rand, ws []weighted[T]) T {
	total := 0
	for _, x := range ws {
		total += x.w
	}
	n := r.IntN(total)
	for _, x := range ws {
		if n < x.w {
			return x.v
		}
		n -= x.w
	}
	return ws[len(ws)-1].v
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// seedCasePlan is everything Seed writes for one case.
type seedCasePlan struct {
	agency    int // index into the agencies in use
	reference string
	title     string
	region    string
	status    flare.CaseStatus
	reason    flare.ClosureReason
	openedOn  time.Time
	closedOn  *time.Time
	createdAt time.Time
	people    []seedPersonPlan
	orgs      []seedOrgPlan
	sites     []seedSitePlan
	tasks     []seedTaskPlan
}

type seedPersonPlan struct {
	role        string
	firstName   string
	familyName  string
	sex         string // "female" or "male"
	birthdate   *time.Time
	estimated   int // estimated age in years when the birthdate is unknown
	nationality string
	languages   []string
	phone       string
}

type seedOrgPlan struct {
	kind         string // employer, recruitment_agency, labour_contractor, buyer
	name         string
	registration string
	country      string
	city         string
}

type seedSitePlan struct {
	address     string
	city        string
	region      string
	section     string
	division    string
	description string
	lat, lng    float64
}

type seedTaskPlan struct {
	title string
	dueOn time.Time
}

// seedPlanner makes the plan of each case from the seed.
type seedPlanner struct {
	seed     int64
	today    time.Time
	agencies []seedAgency
	names    []nameGroup // every origin, the local group included
	local    nameGroup   // the host country's names
	people   int         // per case
}

// plan returns the plan of case n (0-based within this run; number is the
// case's number in its reference). Each case draws from its own stream, so
// its plan depends on the seed and n only.
func (p *seedPlanner) plan(n, number int) seedCasePlan {
	r := rand.New(rand.NewPCG(uint64(p.seed), uint64(n)))
	ws := make([]weighted[int], len(p.agencies))
	for i, a := range p.agencies {
		ws[i] = weighted[int]{i, a.weight}
	}
	c := seedCasePlan{agency: pickWeighted(r, ws)}
	// Opened in the last five years, older cases more often closed.
	age := r.IntN(5 * 365)
	c.openedOn = p.today.AddDate(0, 0, -age)
	c.createdAt = c.openedOn.Add(time.Duration(8*3600+r.IntN(10*3600)) * time.Second)
	c.status = pickWeighted(r, seedStatusWeights)
	if age > 2*365 && r.IntN(3) > 0 {
		c.status = flare.CaseClosed
	}
	if c.status == flare.CaseClosed {
		closed := c.openedOn.AddDate(0, 0, r.IntN(age+1))
		c.closedOn = &closed
		c.reason = pickWeighted(r, seedReasonWeights)
	}
	c.reference = fmt.Sprintf("%s/%d/%06d", p.agencies[c.agency].prefix, c.openedOn.Year(), number)
	region := pick(r, seedRegions)
	c.region = region.name
	town := pick(r, region.towns)
	sector := pickSector(r)
	c.title = fmt.Sprintf("%s in %s: %s", capitalise(sector.activity), town, pick(r, seedIndicators))
	if r.IntN(3) == 0 {
		c.title += ", " + pick(r, seedIndicators)
	}
	origin := pick(r, p.names)
	local := p.local
	c.people = make([]seedPersonPlan, p.people)
	for i := range c.people {
		c.people[i] = p.person(r, i, origin, local)
	}
	c.orgs = planOrgs(r, sector, town, local)
	c.sites = append(c.sites, planSite(r, sector, region.name, town))
	if r.IntN(4) == 0 {
		c.sites = append(c.sites, planSite(r, pickSector(r), region.name, pick(r, region.towns)))
	}
	c.tasks = p.tasks(r, c)
	return c
}

func pickSector(r *rand.Rand) seedSector {
	ws := make([]weighted[int], len(seedSectors))
	for i, s := range seedSectors {
		ws[i] = weighted[int]{i, s.weight}
	}
	return seedSectors[pickWeighted(r, ws)]
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// person plans the i-th person of a case: the first is most often the
// reporter or a victim, victims come mostly from the case's origin, and
// suspected perpetrators mostly from the local group.
func (p *seedPlanner) person(r *rand.Rand, i int, origin, local nameGroup) seedPersonPlan {
	role := pickWeighted(r, seedRoleWeights)
	if i == 0 {
		role = seedRoleVictim
	}
	g := origin
	switch {
	case role == seedRolePerpetrator && r.IntN(3) > 0, role == seedRoleReporter && r.IntN(2) == 0:
		g = local
	case role == seedRoleVictim && r.IntN(10) == 0:
		g = pick(r, p.names)
	}
	pp := seedPersonPlan{role: role, nationality: pick(r, g.Nationalities)}
	if r.IntN(100) < 45 {
		pp.sex, pp.firstName = "female", pick(r, g.Female)
	} else {
		pp.sex, pp.firstName = "male", pick(r, g.Male)
	}
	pp.familyName = pick(r, g.Family)
	pp.languages = []string{pick(r, g.Languages)}
	if r.IntN(3) == 0 {
		if l := pick(r, g.Languages); l != pp.languages[0] {
			pp.languages = append(pp.languages, l)
		}
	}
	// Ages: victims 15 to 55 (about one in twelve a child), others adults.
	years := 18 + r.IntN(38)
	if role == seedRoleVictim && r.IntN(12) == 0 {
		years = 14 + r.IntN(4)
	}
	if role != seedRoleVictim {
		years = 22 + r.IntN(40)
	}
	if r.IntN(3) == 0 {
		pp.estimated = years // no document: an estimated age
	} else {
		b := p.today.AddDate(-years, 0, -r.IntN(365))
		pp.birthdate = &b
	}
	if r.IntN(2) == 0 {
		pp.phone = fmt.Sprintf("+%d %03d %04d", 200+r.IntN(700), r.IntN(1000), r.IntN(10000))
	}
	return pp
}

func planOrgs(r *rand.Rand, sector seedSector, town string, local nameGroup) []seedOrgPlan {
	employer := seedOrgPlan{kind: "employer", country: pick(r, local.Nationalities), city: town,
		registration: fmt.Sprintf("RC-%07d", r.IntN(10000000))}
	if sector.section == "T" {
		employer.name = "Household " + pick(r, local.Family)
	} else {
		employer.name = fmt.Sprintf("%s %s %s", pick(r, local.Family), pick(r, sector.employer), pick(r, seedCompanySuffixes))
	}
	out := []seedOrgPlan{employer}
	if r.IntN(2) == 0 {
		out = append(out, seedOrgPlan{kind: "recruitment_agency",
			name:         fmt.Sprintf("%s %s", pick(r, seedRecruiterWords), pick(r, seedRecruiterKinds)),
			registration: fmt.Sprintf("LIC-%05d", r.IntN(100000)), country: pick(r, local.Nationalities), city: town})
	}
	if r.IntN(5) == 0 {
		out = append(out, seedOrgPlan{kind: "labour_contractor",
			name:         fmt.Sprintf("%s Labour Supply %s", pick(r, local.Family), pick(r, seedCompanySuffixes)),
			registration: fmt.Sprintf("LC-%06d", r.IntN(1000000)), country: pick(r, local.Nationalities), city: town})
	}
	if r.IntN(10) == 0 {
		out = append(out, seedOrgPlan{kind: "buyer",
			name:    fmt.Sprintf("%s %s International", pick(r, seedRecruiterWords), pick(r, sector.employer)),
			country: "GB", city: "London", registration: fmt.Sprintf("%08d", r.IntN(100000000))})
	}
	return out
}

func planSite(r *rand.Rand, sector seedSector, region, town string) seedSitePlan {
	return seedSitePlan{
		address: fmt.Sprintf("%d %s", 1+r.IntN(240), pick(r, seedStreets)), city: town, region: region,
		section: sector.section, division: sector.division, description: pick(r, sector.site),
		// Somewhere in a box of about 600 km by 600 km.
		lat: -5 + r.Float64()*5.5, lng: 30 + r.Float64()*5.5,
	}
}

// tasks plans a case's open tasks, about a third of them overdue. A
// closed case has none left: the seeder writes no task as done, since a
// done task names the user who did it and the console is no user.
func (p *seedPlanner) tasks(r *rand.Rand, c seedCasePlan) []seedTaskPlan {
	if c.status == flare.CaseClosed {
		return nil
	}
	out := make([]seedTaskPlan, 1+r.IntN(4))
	for i := range out {
		t := seedTaskPlan{title: pick(r, seedTaskTitles), dueOn: p.today.AddDate(0, 0, 1+r.IntN(45))}
		if r.IntN(3) == 0 {
			t.dueOn = p.today.AddDate(0, 0, -1-r.IntN(60)) // overdue
		}
		out[i] = t
	}
	return out
}
