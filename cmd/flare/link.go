package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/linkage"
)

const linkSynopsis = "(--dedupe FILE.csv | --left A.csv --right B.csv) --id COLUMN [--config link.json] [--threshold P] [--clusters FILE] [--one-to-one] [--labels FILE] [--evaluate] [--out OUT.csv]\n       flare link gen --n N [--seed S] [--out FILE.csv]"

// maxConfigInput bounds a --config file, which holds a few dozen settings.
const maxConfigInput = 1 << 20

// linkFlags are the parsed flags of "flare link".
type linkFlags struct {
	dedupe, left, right, id, config, out, clusters, labels string
	threshold                                              float64
	oneToOne, evaluate                                     bool
	seed                                                   int64
	set                                                    map[string]bool
}

// runLink deduplicates one CSV file or links two (issue 9); see
// docs/linkage.md. "flare link gen" writes synthetic records instead.
func runLink(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) > 0 && args[0] == "gen" {
		return runLinkGen(env, args[1:])
	}
	fs := newFlagSet("link", linkSynopsis, env.stderr)
	var f linkFlags
	fs.StringVar(&f.dedupe, "dedupe", "", "CSV `file` to deduplicate (\"-\" for standard input)")
	fs.StringVar(&f.left, "left", "", "left CSV `file` to link")
	fs.StringVar(&f.right, "right", "", "right CSV `file` to link")
	fs.StringVar(&f.id, "id", "", "`column` holding each record's id (never compared)")
	fs.StringVar(&f.config, "config", "", "JSON `file` naming fields, comparators and blocking rules (default: inferred from the column names)")
	fs.StringVar(&f.out, "out", "-", "`file` for the matching pairs (\"-\" for standard output)")
	fs.Float64Var(&f.threshold, "threshold", linkage.DefaultThreshold, "match `probability` at or above which a pair is reported (overrides the config file)")
	fs.StringVar(&f.clusters, "clusters", "", "`file` for a cluster (entity) id per record")
	fs.BoolVar(&f.oneToOne, "one-to-one", false, "link mode: each record matches at most one record of the other file")
	fs.StringVar(&f.labels, "labels", "", "CSV `file` of known true matches (id, id per row, with a header): m is estimated from them instead of by EM")
	fs.Int64Var(&f.seed, "seed", 0, "`seed` of the random pairs that estimate u (overrides the config file)")
	fs.BoolVar(&f.evaluate, "evaluate", false, "report precision, recall and F1 on standard error, taking the truth from ids of the form rec-N-... (FEBRL, flare link gen)")
	if err := parseFlags(fs, args, env.getenv, nil); err != nil {
		return err
	}
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	link, err := f.check()
	if err != nil {
		return err
	}
	log := env.logger()

	leftFlag, leftPath := "dedupe", f.dedupe
	if link {
		leftFlag, leftPath = "left", f.left
	}
	leftIn, err := openCSV(leftFlag, leftPath, env.stdin)
	if err != nil {
		return err
	}
	defer leftIn.close()
	var rightIn *csvInput
	if link {
		if rightIn, err = openCSV("right", f.right, env.stdin); err != nil {
			return err
		}
		defer rightIn.close()
	}

	cfg, err := f.linkConfig(leftIn.header, rightIn)
	if err != nil {
		return err
	}
	l, err := linkage.New(cfg)
	if err != nil {
		return configError(err)
	}
	leftIDs, err := loadSide(l, linkage.Left, leftIn, f.id)
	if err != nil {
		return err
	}
	rightIDs := leftIDs
	if link {
		if rightIDs, err = loadSide(l, linkage.Right, rightIn, f.id); err != nil {
			return err
		}
	}
	log.Info("records read", "left", l.Len(linkage.Left), "right", l.Len(linkage.Right), "fields", len(cfg.Fields), "blocking_rules", len(cfg.Blocking))
	if f.labels != "" {
		if err := loadLabels(l, f.labels, env.stdin, leftIDs, rightIDs); err != nil {
			return err
		}
	}

	progress := func(stage string, done, total int64) {
		log.Info(stage, "done", done, "total", total)
	}
	var res *linkage.Result
	if link {
		res, err = l.Link(ctx, progress)
	} else {
		res, err = l.Dedupe(ctx, progress)
	}
	if err != nil {
		return fmt.Errorf("link: %w", err)
	}
	for _, fm := range res.Model.Fields {
		levels := make([]any, 0, 2*len(fm.Levels))
		for _, lv := range fm.Levels {
			levels = append(levels, lv.Label, fmt.Sprintf("m=%.3g u=%.3g weight=%.2f", lv.M, lv.U, lv.Weight))
		}
		log.Info("field model", "field", fm.Name, slog.Group("levels", levels...))
	}
	log.Info("model", "lambda", res.Model.Lambda, "em_iterations", res.Model.EMIterations, "converged", res.Model.Converged,
		"candidates", res.Candidates, "matches", len(res.Matches))
	if f.evaluate {
		entity := func(id string) string { e, _ := linkage.EntityFromID(id); return e }
		acc := res.Evaluate(entity)
		log.Info("accuracy", "true_pairs", acc.TruePairs, "found_pairs", acc.FoundPairs, "correct", acc.Correct,
			"precision", acc.Precision, "recall", acc.Recall, "f1", acc.F1)
		cl := res.EvaluateClusters(entity)
		log.Info("cluster accuracy", "true_pairs", cl.TruePairs, "found_pairs", cl.FoundPairs, "correct", cl.Correct,
			"precision", cl.Precision, "recall", cl.Recall, "f1", cl.F1)
	}
	if err := writeOutput(f.out, env.stdout, func(w io.Writer) error { return writePairs(w, l, res, f.id, link) }); err != nil {
		return err
	}
	if f.clusters != "" {
		return writeOutput(f.clusters, env.stdout, func(w io.Writer) error { return writeClusters(w, l, res, f.id, link) })
	}
	return nil
}

// check validates the combination of flags and reports the mode.
func (f *linkFlags) check() (link bool, err error) {
	link = f.left != "" || f.right != ""
	switch {
	case link && f.dedupe != "":
		return false, usageError("dedupe", "give either --dedupe FILE or --left and --right, not both")
	case link && (f.left == "" || f.right == ""):
		return false, usageError("right", "link mode needs both --left and --right")
	case !link && f.dedupe == "":
		return false, usageError("dedupe", "required: --dedupe FILE, or --left and --right")
	case link && f.left == "-" && f.right == "-":
		return false, usageError("right", "only one input can be standard input")
	case f.id == "":
		return false, usageError("id", "required: the column holding each record's id")
	case f.set["threshold"] && !(f.threshold > 0 && f.threshold <= 1):
		return false, usageError("threshold", "must be a probability in (0, 1], got %v", f.threshold)
	case f.oneToOne && !link:
		return false, usageError("one-to-one", "only applies when linking two files")
	case f.out == f.clusters && f.out != "":
		return false, usageError("clusters", "must not be the --out file")
	}
	return link, nil
}

// linkConfig reads the --config file, if any, fills what it leaves out from
// the column names and applies the flags that override it.
func (f *linkFlags) linkConfig(leftHeader []string, right *csvInput) (linkage.Config, error) {
	var cfg linkage.Config
	if f.config != "" {
		data, err := readLimited(f.config, maxConfigInput)
		if err != nil {
			return cfg, usageError("config", "%v", err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cfg); err != nil {
			return cfg, usageError("config", "%s: %s", f.config, jsonErrorText(data, err))
		}
		if dec.More() {
			return cfg, usageError("config", "%s: more than one JSON value", f.config)
		}
	}
	if len(cfg.Fields) == 0 {
		inferred, _ := linkage.InferConfig(leftHeader, f.id)
		cfg.Fields = inferred.Fields
		if right != nil { // keep only fields both files have
			cfg.Fields = slices.DeleteFunc(cfg.Fields, func(fl linkage.Field) bool { return !slices.Contains(right.header, fl.Column) })
			for i := range cfg.Fields {
				if sw := cfg.Fields[i].SwapWith; sw != "" && !slices.Contains(right.header, sw) {
					cfg.Fields[i].SwapWith = ""
				}
			}
		}
		if len(cfg.Fields) == 0 {
			return cfg, usageError("config", "no column name is one linkage recognises (%s): name the fields in a --config file", strings.Join(leftHeader, ", "))
		}
	}
	if len(cfg.Blocking) == 0 {
		cfg.Blocking = linkage.InferBlocking(cfg.Fields)
	}
	if f.set["threshold"] {
		cfg.Threshold = f.threshold
	}
	if f.set["seed"] {
		cfg.Seed = f.seed
	}
	if f.oneToOne {
		cfg.OneToOne = true
	}
	return cfg, nil
}

// configError turns a linkage configuration error into an invalid-input
// error naming the setting.
func configError(err error) error {
	var ce *linkage.ConfigError
	if errors.As(err, &ce) {
		return flare.FieldError("config "+ce.Field, "%s", ce.Message)
	}
	return flare.Errorf(flare.EINVALID, "config: %v", err)
}

// jsonErrorText says where in a JSON document decoding failed.
func jsonErrorText(data []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("line %d: %v", 1+bytes.Count(data[:min(int(syn.Offset), len(data))], []byte("\n")), err)
	case errors.As(err, &typ):
		return fmt.Sprintf("line %d: %s must be %s, not %s", 1+bytes.Count(data[:min(int(typ.Offset), len(data))], []byte("\n")), typ.Field, typ.Type, typ.Value)
	}
	return err.Error()
}

func readLimited(path string, limit int64) ([]byte, error) {
	fl, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s: %w", path, errors.Unwrap(err))
	}
	defer fl.Close()
	data, err := io.ReadAll(io.LimitReader(fl, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return data, nil
}

// csvInput is an open CSV file whose header has been read.
type csvInput struct {
	flag, path string
	r          *csv.Reader
	c          io.Closer
	header     []string
}

// openCSV opens a CSV file ("-" for stdin) and reads its header. FEBRL-style
// spaces after commas are ignored.
func openCSV(flagName, path string, stdin io.Reader) (*csvInput, error) {
	in := &csvInput{flag: flagName, path: path}
	var src io.Reader = stdin
	if path != "-" {
		fl, err := os.Open(path)
		if err != nil {
			return nil, usageError(flagName, "cannot open %s: %v", path, errors.Unwrap(err))
		}
		in.c, src = fl, fl
	}
	in.r = csv.NewReader(bufio.NewReaderSize(src, 1<<16))
	in.r.TrimLeadingSpace = true
	in.r.ReuseRecord = true
	header, err := in.r.Read()
	if errors.Is(err, io.EOF) {
		in.close()
		return nil, usageError(flagName, "%s: empty file, a header line is needed", path)
	}
	if err != nil {
		in.close()
		return nil, in.fail(err)
	}
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if h == "" {
			in.close()
			return nil, usageError(flagName, "%s: line 1: column %d has no name", path, i+1)
		}
		if seen[h] {
			in.close()
			return nil, usageError(flagName, "%s: line 1: column %q appears twice", path, h)
		}
		seen[h] = true
		in.header = append(in.header, h)
	}
	return in, nil
}

func (in *csvInput) close() {
	if in.c != nil {
		in.c.Close()
	}
}

// fail turns a CSV reading error (which names the line) into an
// invalid-input error naming the flag and file.
func (in *csvInput) fail(err error) error {
	return usageError(in.flag, "%s: %v", in.path, err)
}

// loadSide reads every record of a CSV input into one side of the linker
// and returns the row index of each id. Ids must be present and unique.
func loadSide(l *linkage.Linker, side linkage.Side, in *csvInput, idColumn string) (map[string]int, error) {
	idCol := slices.Index(in.header, idColumn)
	if idCol < 0 {
		return nil, usageError("id", "column %q is not in %s (columns: %s)", idColumn, in.path, strings.Join(in.header, ", "))
	}
	if err := l.SetHeader(side, in.header, idColumn); err != nil {
		var ce *linkage.ConfigError
		if errors.As(err, &ce) {
			return nil, usageError(in.flag, "%s: %s", in.path, ce.Message)
		}
		return nil, fmt.Errorf("link: %w", err)
	}
	ids := map[string]int{}
	for {
		row, err := in.r.Read()
		if errors.Is(err, io.EOF) {
			return ids, nil
		}
		if err != nil {
			return nil, in.fail(err)
		}
		line, _ := in.r.FieldPos(0)
		// Cloned: the row's strings share one allocation per line, which
		// keeping the id alone must not keep alive.
		id := strings.Clone(strings.TrimSpace(row[idCol]))
		if id == "" {
			return nil, usageError(in.flag, "%s: line %d: empty id in column %q", in.path, line, idColumn)
		}
		if _, dup := ids[id]; dup {
			return nil, usageError(in.flag, "%s: line %d: id %q appears twice", in.path, line, id)
		}
		ids[id] = len(ids)
		row[idCol] = id
		if err := l.Add(side, row); err != nil {
			return nil, usageError(in.flag, "%s: line %d: %v", in.path, line, err)
		}
	}
}

// loadLabels reads known true matches: a CSV with a header whose first two
// columns are a left and a right id (two ids of the one file when
// deduplicating).
func loadLabels(l *linkage.Linker, path string, stdin io.Reader, leftIDs, rightIDs map[string]int) error {
	in, err := openCSV("labels", path, stdin)
	if err != nil {
		return err
	}
	defer in.close()
	if len(in.header) < 2 {
		return usageError("labels", "%s: needs two id columns", path)
	}
	var pairs [][2]int
	for {
		row, err := in.r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return in.fail(err)
		}
		line, _ := in.r.FieldPos(0)
		a, okA := leftIDs[strings.TrimSpace(row[0])]
		b, okB := rightIDs[strings.TrimSpace(row[1])]
		if !okA || !okB {
			return usageError("labels", "%s: line %d: id %q or %q is not a record", path, line, row[0], row[1])
		}
		pairs = append(pairs, [2]int{a, b})
	}
	if len(pairs) == 0 {
		return usageError("labels", "%s: no labelled pair", path)
	}
	return l.SetLabels(pairs)
}

// writeOutput writes to a file, or to standard output for "-".
func writeOutput(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "-" {
		return write(stdout)
	}
	fl, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := write(fl); err != nil {
		fl.Close()
		return err
	}
	if err := fl.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writePairs writes one row per match: the two ids (left then right), the
// match probability, and each field's weight.
func writePairs(w io.Writer, l *linkage.Linker, res *linkage.Result, idColumn string, link bool) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	header := []string{idColumn + "_l", idColumn + "_r", "match_probability"}
	for _, fl := range l.Config().Fields {
		header = append(header, "w_"+fl.Name)
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write pairs: %w", err)
	}
	right := linkage.Left
	if link {
		right = linkage.Right
	}
	row := make([]string, len(header))
	for _, m := range res.Matches {
		row = row[:0]
		// Ids come from the input files: neutralised against formula
		// injection when the output is opened in a spreadsheet (R-IH3).
		row = append(row, audit.NeutralizeCell(l.ID(linkage.Left, m.A)), audit.NeutralizeCell(l.ID(right, m.B)),
			strconv.FormatFloat(m.Probability, 'f', 6, 64))
		for _, c := range res.Contributions(m) {
			row = append(row, strconv.FormatFloat(c, 'f', 3, 64))
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write pairs: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write pairs: %w", err)
	}
	return bw.Flush()
}

// writeClusters writes each record's cluster id (with its side, left or
// right, when linking).
func writeClusters(w io.Writer, l *linkage.Linker, res *linkage.Result, idColumn string, link bool) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	header := []string{idColumn, "cluster_id"}
	if link {
		header = []string{"source", idColumn, "cluster_id"}
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write clusters: %w", err)
	}
	for _, side := range []linkage.Side{linkage.Left, linkage.Right} {
		for i, c := range res.Clusters[side] {
			row := []string{audit.NeutralizeCell(l.ID(side, i)), strconv.Itoa(c)}
			if link {
				row = append([]string{[]string{"left", "right"}[side]}, row...)
			}
			if err := cw.Write(row); err != nil {
				return fmt.Errorf("write clusters: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write clusters: %w", err)
	}
	return bw.Flush()
}

// runLinkGen writes synthetic person records with known truth.
func runLinkGen(env *cliEnv, args []string) error {
	fs := newFlagSet("link gen", "--n N [--seed S] [--out FILE.csv]", env.stderr)
	n := fs.Int("n", 0, "`number` of records to write")
	seed := fs.Int64("seed", 1, "random `seed` (the same seed writes the same records)")
	out := fs.String("out", "-", "`file` to write (\"-\" for standard output)")
	if err := parseFlags(fs, args, env.getenv, nil); err != nil {
		return err
	}
	if *n <= 0 || *n > maxGenRecords {
		return usageError("n", "must be between 1 and %d, got %d", maxGenRecords, *n)
	}
	return writeOutput(*out, env.stdout, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<16)
		cw := csv.NewWriter(bw)
		if err := cw.Write(linkage.GenHeader); err != nil {
			return fmt.Errorf("write records: %w", err)
		}
		if err := linkage.Generate(*n, *seed, cw.Write); err != nil {
			return fmt.Errorf("write records: %w", err)
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("write records: %w", err)
		}
		return bw.Flush()
	})
}

// maxGenRecords bounds "flare link gen" (a record index must fit 31 bits).
const maxGenRecords = 100_000_000
