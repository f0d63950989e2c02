package linkage

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// GenHeader is the header of the records Generate writes. rec_id holds the
// truth in the FEBRL form ("rec-N-org", "rec-N-dup-K"; see EntityFromID)
// and must never be compared.
var GenHeader = []string{"rec_id", "given_name", "surname", "sex", "date_of_birth", "street_number", "address", "suburb", "postcode", "national_id"}

// Generate writes n synthetic person records to emit: entities with an
// original record and, for about 45% of them, one to three duplicates as
// another agency would have recorded them. Duplicates carry one to three
// realistic corruptions each: typing errors, nicknames, transliteration
// variants of Arabic, Cyrillic, Vietnamese and Chinese names, accents added,
// given name and surname swapped, day and month of birth swapped or a date
// written in another format, a digit mistyped in a postcode or identity
// number, abbreviated street types, moves, missing values. About 60% of
// people have no identity number, as victims often have no papers. The
// same seed gives the same records. emit may keep the row it is given.
func Generate(n int, seed int64, emit func(row []string) error) error {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	towns := make([]string, genTowns)
	for i := range towns {
		towns[i] = syllables(rng, 2+rng.IntN(2))
	}
	written := 0
	for entity := 1; written < n; entity++ {
		orig := genPerson(rng, towns)
		row := orig.row(fmt.Sprintf("rec-%d-org", entity))
		if err := emit(row); err != nil {
			return err
		}
		written++
		dups := 0
		switch x := rng.Float64(); {
		case x < 0.55:
		case x < 0.80:
			dups = 1
		case x < 0.92:
			dups = 2
		default:
			dups = 3
		}
		for k := 0; k < dups && written < n; k++ {
			d := orig
			d.corrupt(rng, towns)
			if err := emit(d.row(fmt.Sprintf("rec-%d-dup-%d", entity, k))); err != nil {
				return err
			}
			written++
		}
	}
	return nil
}

// genTowns is how many towns (each with its own postcode) the generator
// spreads people over.
const genTowns = 5000

type genRecord struct {
	given, surname, sex, dob, number, address, town, postcode, nationalID string
}

func (p genRecord) row(id string) []string {
	return []string{id, p.given, p.surname, p.sex, p.dob, p.number, p.address, p.town, p.postcode, p.nationalID}
}

func syllables(rng *rand.Rand, k int) string {
	var b strings.Builder
	for range k {
		b.WriteString(genSyllables[rng.IntN(len(genSyllables))])
	}
	return b.String()
}

// zipfPick picks an index in [0, n) with small indexes more likely, as
// common names are.
func zipfPick(rng *rand.Rand, n int) int {
	x := rng.Float64()
	return int(x * x * float64(n))
}

func genPerson(rng *rand.Rand, towns []string) genRecord {
	var p genRecord
	p.given = genGivenNames[zipfPick(rng, len(genGivenNames))]
	if rng.IntN(2) == 0 {
		p.surname = genSurnames[zipfPick(rng, len(genSurnames))]
	} else {
		p.surname = syllables(rng, 2+rng.IntN(2))
	}
	p.sex = []string{"f", "m"}[rng.IntN(2)]
	p.dob = fmt.Sprintf("%04d-%02d-%02d", 1950+rng.IntN(60), 1+rng.IntN(12), 1+rng.IntN(28))
	p.number = strconv.Itoa(1 + rng.IntN(300))
	st := genStreetTypes[rng.IntN(len(genStreetTypes))]
	p.address = syllables(rng, 2) + " " + genStreets[rng.IntN(len(genStreets))] + " " + st[0]
	t := rng.IntN(len(towns))
	p.town, p.postcode = towns[t], strconv.Itoa(10000+t*7)
	if rng.IntN(10) < 4 {
		p.nationalID = fmt.Sprintf("%09d", rng.IntN(1_000_000_000))
	}
	return p
}

// corrupt applies one to three corruptions.
func (p *genRecord) corrupt(rng *rand.Rand, towns []string) {
	for range 1 + rng.IntN(3) {
		switch rng.IntN(12) {
		case 0:
			p.given = typo(rng, p.given)
		case 1:
			p.surname = typo(rng, p.surname)
		case 2:
			p.given = variant(rng, p.given)
		case 3:
			p.surname = variant(rng, p.surname)
		case 4:
			p.given, p.surname = p.surname, p.given
		case 5:
			p.dob = corruptDate(rng, p.dob)
		case 6:
			p.postcode = typo(rng, p.postcode)
		case 7:
			p.nationalID = typo(rng, p.nationalID)
		case 8:
			for _, st := range genStreetTypes {
				p.address = strings.Replace(p.address, " "+st[0], " "+st[1], 1)
			}
			p.address = typo(rng, p.address)
		case 9: // moved within or between towns
			p.number = strconv.Itoa(1 + rng.IntN(300))
			p.address = syllables(rng, 2) + " " + genStreets[rng.IntN(len(genStreets))] + " road"
			if rng.IntN(2) == 0 {
				t := rng.IntN(len(towns))
				p.town, p.postcode = towns[t], strconv.Itoa(10000+t*7)
			}
		case 10: // a value left out
			switch rng.IntN(5) {
			case 0:
				p.dob = ""
			case 1:
				p.address, p.number = "", ""
			case 2:
				p.postcode = ""
			case 3:
				p.sex = ""
			default:
				p.given = ""
			}
		case 11:
			p.given = strings.ToUpper(p.given[:min(1, len(p.given))]) + p.given[min(1, len(p.given)):]
			p.surname = strings.ToUpper(p.surname)
		}
	}
}

// typo inserts, deletes, substitutes or transposes one character.
func typo(rng *rand.Rand, s string) string {
	r := []rune(s)
	if len(r) < 2 {
		return s
	}
	i := rng.IntN(len(r) - 1)
	letters := []rune("abcdefghijklmnopqrstuvwxyz")
	if r[i] >= '0' && r[i] <= '9' {
		letters = []rune("0123456789")
	}
	switch rng.IntN(4) {
	case 0:
		r = append(r[:i+1], r[i:]...)
		r[i] = letters[rng.IntN(len(letters))]
	case 1:
		r = append(r[:i], r[i+1:]...)
	case 2:
		r[i] = letters[rng.IntN(len(letters))]
	default:
		r[i], r[i+1] = r[i+1], r[i]
	}
	return string(r)
}

func variant(rng *rand.Rand, name string) string {
	if v := genVariants[strings.ToLower(name)]; len(v) > 0 {
		return v[rng.IntN(len(v))]
	}
	return typo(rng, name)
}

// corruptDate swaps day and month, writes the date day first, or mistypes
// a digit of a "YYYY-MM-DD" date.
func corruptDate(rng *rand.Rand, dob string) string {
	y, rest, ok1 := strings.Cut(dob, "-")
	m, d, ok2 := strings.Cut(rest, "-")
	if !ok1 || !ok2 {
		return typo(rng, dob)
	}
	switch rng.IntN(3) {
	case 0:
		return y + "-" + d + "-" + m
	case 1:
		return d + "/" + m + "/" + y
	}
	return typo(rng, dob)
}
