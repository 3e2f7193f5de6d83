package pipelines

import (
	"fmt"
	"path"
	"strings"
	"unicode"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/stages"
)

// Plan is a pipeline ready to run: every stage built from its options.
// A Plan is shared by all jobs of a batch, so stages must be safe for
// concurrent use (keep per-archive state in Apply, not in the stage value).
type Plan struct {
	Pipeline *Pipeline
	steps    []step
	ext      string
}

type step struct {
	use   *StageUse
	stage stages.Stage
}

// Exter is implemented by a terminal stage that knows the file name
// extension of what it writes (".mbz", ".zip", ".tar.gz"): the {ext} of
// output names.
type Exter interface{ Ext() string }

// Compile builds every stage of p. A stage that rejects its options is
// reported at its position.
func Compile(p *Pipeline) (*Plan, error) {
	pl := &Plan{Pipeline: p}
	var errs ErrorList
	for i := range p.Stages {
		u := &p.Stages[i]
		if u.Spec.New == nil {
			errs = append(errs, &Error{p.File, u.Line, u.Column, fmt.Sprintf("stage %s cannot be built (no constructor)", u.Spec.Name)})
			continue
		}
		st, err := u.Spec.New(u.Options)
		if err != nil {
			errs = append(errs, &Error{p.File, u.Line, u.Column, fmt.Sprintf("stage %s: %v", u.Spec.Name, err)})
			continue
		}
		if st == nil {
			errs = append(errs, &Error{p.File, u.Line, u.Column, fmt.Sprintf("stage %s: constructor returned no stage", u.Spec.Name)})
			continue
		}
		if e, ok := st.(Exter); ok && u.Spec.Terminal {
			pl.ext = e.Ext()
		}
		pl.steps = append(pl.steps, step{u, st})
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return pl, nil
}

// Writes reports whether the plan ends with a stage that writes an output.
func (pl *Plan) Writes() bool { return pl.Pipeline.Terminal() != nil }

// OutputName renders the pipeline's output template for input in, whose
// backup ended with facts f. The result is a clean slash-separated path
// inside the output folder.
func (pl *Plan) OutputName(in Input, f backup.Facts) (string, error) {
	name := stem(in.Path)
	short := safeName(f.ShortName)
	if short == "" {
		short = name
	}
	course := safeName(f.CourseID)
	if course == "" {
		course = "0"
	}
	r := strings.NewReplacer("{name}", name, "{dir}", in.Dir, "{ext}", pl.ext, "{shortname}", short, "{courseid}", course)
	out := path.Clean(r.Replace(pl.Pipeline.Output))
	if out == "." || out == "/" || strings.HasPrefix(out, "/") || out == ".." || strings.HasPrefix(out, "../") ||
		out == StateDir || strings.HasPrefix(out, StateDir+"/") {
		return "", fmt.Errorf("output name %q (from template %q) is not a file inside the output folder", out, pl.Pipeline.Output)
	}
	return out, nil
}

// stem is the file name of p without its backup extension.
func stem(p string) string {
	p = strings.TrimRight(strings.ReplaceAll(p, "\\", "/"), "/")
	base := path.Base(p)
	l := strings.ToLower(base)
	for _, e := range backupExts {
		if strings.HasSuffix(l, e) && len(base) > len(e) {
			return base[:len(base)-len(e)]
		}
	}
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		return base[:i]
	}
	return base
}

// safeName keeps letters, digits, '.', '-' and '_' of s (others become '_'),
// for a course name used in a file name.
func safeName(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 100 {
			break
		}
	}
	return strings.Trim(b.String(), "._")
}
