// Package stages adapts the domain packages (charset, repair, convert,
// backup) into pipeline stages: each stage declares its name, summary,
// options, input and output kind in a Spec, and the Registry lists them all
// explicitly. The same Specs drive lint, docs, `moodlemig stages` and the
// JSON Schema of pipeline files.
package stages

import (
	"context"
	"fmt"
	"io"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
)

// Env is what a stage may use while it runs on one archive.
type Env struct {
	// Scratch is a per-job folder for large intermediate data; it is removed
	// when the job ends.
	Scratch string
	// Report receives the stage's findings (already scoped to the stage and
	// archive).
	Report report.Sink
	// ReportDir, when set, is where a stage may save side files for the user
	// (e.g. the XML of a skipped module).
	ReportDir string
	// Cores is how many cores this job may keep busy (0 means 1): the
	// machine's, shared among the jobs that run at once. A stage may work
	// on a second core when it has one to itself.
	Cores int
	// Output is where a terminal stage (write) writes the archive it
	// produces: a temporary file the runner moves into place only when the
	// whole job succeeded, or a discarding writer in a dry run. Nil when the
	// pipeline has no terminal stage.
	Output io.Writer
}

// Stage is one configured step of a pipeline.
//
// Apply returns the backup the next stage sees: b itself (possibly with
// entries replaced) or a new one (e.g. convert returns a 2.x backup). Text
// stages must stream: they replace an entry with one that transforms its
// reader lazily, and report findings while the bytes flow.
type Stage interface {
	Apply(ctx context.Context, b *backup.Backup, env Env) (*backup.Backup, error)
}

// StageFunc adapts a function to a Stage.
type StageFunc func(ctx context.Context, b *backup.Backup, env Env) (*backup.Backup, error)

// Apply calls f.
func (f StageFunc) Apply(ctx context.Context, b *backup.Backup, env Env) (*backup.Backup, error) {
	return f(ctx, b, env)
}

// OptionType is the type of a stage option's value.
type OptionType string

// Option types.
const (
	String OptionType = "string"
	Bool   OptionType = "bool"
	Int    OptionType = "int"
	Float  OptionType = "float"
	Enum   OptionType = "enum" // one of Option.Values
)

// Option documents one option of a stage.
type Option struct {
	Name    string     // kebab-case, e.g. "min-confidence"
	Type    OptionType //
	Default any        // the value used when the option is absent
	Values  []string   // the allowed values of an Enum
	Doc     string     // one or two sentences
	// Min and Max bound Int and Float values when Max > Min.
	Min, Max float64
}

// KindAny means a stage accepts (or keeps) any kind of backup.
const KindAny backup.Kind = "any"

// Spec declares a stage. It is a plain value; the registry holds one per stage.
type Spec struct {
	Name    string
	Summary string // one line
	Doc     string // longer docs, markdown
	Options []Option
	// Input is the kind of backup the stage accepts (KindAny for any).
	Input backup.Kind
	// Output is the kind it produces (KindAny: the same as its input).
	Output backup.Kind
	// Terminal marks a stage that writes the pipeline's output to Env.Output
	// (write); it must be the last stage.
	Terminal bool
	// Check, when set, validates options that depend on the kind of backup
	// the stage receives in a pipeline (in is KindAny when not known before
	// run time); lint reports its error at the stage. E.g. write refuses
	// format mbz-zip after stages that keep a 1.x backup.
	Check func(opts map[string]any, in backup.Kind) error
	// New builds the stage from options already checked against Options
	// and completed with defaults: every declared option is present, with a
	// value of its declared Go type (string, bool, int, float64).
	New func(opts map[string]any) (Stage, error)
}

// Option returns the option named name, or nil.
func (s *Spec) Option(name string) *Option {
	for i := range s.Options {
		if s.Options[i].Name == name {
			return &s.Options[i]
		}
	}
	return nil
}

// Registry is the list of all stages, in the order the docs show them.
type Registry struct {
	specs []*Spec
}

// NewRegistry returns a registry of specs; names must be unique.
func NewRegistry(specs ...*Spec) (*Registry, error) {
	seen := map[string]bool{}
	for _, s := range specs {
		if seen[s.Name] {
			return nil, fmt.Errorf("stage %q registered twice", s.Name)
		}
		seen[s.Name] = true
	}
	return &Registry{specs: specs}, nil
}

// Lookup returns the spec named name, or nil.
func (r *Registry) Lookup(name string) *Spec {
	for _, s := range r.specs {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Specs returns all specs in registry order.
func (r *Registry) Specs() []*Spec { return append([]*Spec(nil), r.specs...) }

// Names returns the stage names in registry order.
func (r *Registry) Names() []string {
	n := make([]string, len(r.specs))
	for i, s := range r.specs {
		n[i] = s.Name
	}
	return n
}
