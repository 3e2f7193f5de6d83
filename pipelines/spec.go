package pipelines

import (
	"bytes"
	"fmt"
	"math"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/stages"
)

// OnError says what a batch does when one archive fails.
type OnError string

// On-error policies.
const (
	SkipArchive OnError = "skip-archive" // report the archive as failed and go on (default)
	FailBatch   OnError = "fail-batch"   // take no new archive after the first failure
)

// DefaultOutput is the output naming template when a pipeline names none.
const DefaultOutput = "{dir}{name}{ext}"

// Pipeline is a checked pipeline file: every stage is registered, every
// option is known, typed and completed with its default, and the stages'
// input and output kinds line up.
type Pipeline struct {
	File        string // where it was read from ("builtin:migrate" for built-ins)
	Name        string
	Description string
	Stages      []StageUse
	OnError     OnError
	// Output is the naming template of output files, relative to the output
	// folder (see Placeholders).
	Output string
	// Input is the kind of backup the pipeline accepts (stages.KindAny when
	// any kind will do).
	Input backup.Kind
}

// StageUse is one stage of a pipeline with its options.
type StageUse struct {
	Spec *stages.Spec
	// Options holds every declared option with a value of its Go type
	// (string, bool, int, float64): the file's value or the default.
	Options      map[string]any
	Line, Column int
}

// Placeholders documents the placeholders of an output naming template.
var Placeholders = []struct{ Name, Doc string }{
	{"{name}", "the input's file name without its extension (course.zip -> course; backup.tar.gz -> backup)"},
	{"{dir}", "the input's folder relative to the folder argument it was found in, with a trailing slash (empty for inputs named directly)"},
	{"{ext}", "the extension of what the write stage writes: .zip, .tar.gz, .mbz"},
	{"{shortname}", "the course short name, made safe for a file name (the input name when unknown)"},
	{"{courseid}", "the course id of the original site (\"0\" when unknown)"},
}

var placeholderRE = regexp.MustCompile(`\{[^{}]*\}`)

// topKeys are the keys of a pipeline file, in documentation order.
var topKeys = []string{"name", "description", "stages", "on-error", "output"}

// Load decodes and checks the pipeline file data (named file in errors)
// against reg. Every problem is reported, each with file:line:column, as an
// ErrorList; the Pipeline is returned only when there is none.
func Load(reg *stages.Registry, file string, data []byte, vars Vars) (*Pipeline, error) {
	l := &loader{reg: reg, file: file, bad: map[*yaml.Node]bool{}}
	p := l.load(data, vars)
	if err := l.errs.err(); err != nil {
		return nil, err
	}
	return p, nil
}

type loader struct {
	reg  *stages.Registry
	file string
	errs ErrorList
	bad  map[*yaml.Node]bool // scalars whose variables failed
}

func (l *loader) errorf(n *yaml.Node, format string, a ...any) {
	if l.bad[n] {
		return // already reported: a variable in it failed
	}
	e := &Error{File: l.file, Msg: fmt.Sprintf(format, a...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	l.errs = append(l.errs, e)
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (l *loader) load(data []byte, vars Vars) *Pipeline {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		e := &Error{File: l.file, Msg: err.Error()}
		if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
			e.Msg = "YAML syntax: " + m[2]
		} else if err.Error() == "EOF" {
			e.Msg = "empty pipeline file: want a mapping with name, stages, ..."
		}
		l.errs = append(l.errs, e)
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		l.errorf(&extra, "a pipeline file holds one YAML document; remove this second one")
	}
	vars.expandNode(l.file, &doc, false, &l.errs, l.bad)

	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		l.errorf(root, "a pipeline file is a mapping with keys %s; found %s", strings.Join(topKeys, ", "), kindName(root))
		return nil
	}
	p := &Pipeline{File: l.file, OnError: SkipArchive, Output: DefaultOutput, Input: stages.KindAny}
	var stagesNode *yaml.Node
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if prev, dup := seen[k.Value]; dup {
			l.errorf(k, "key %q repeated (first at line %d)", k.Value, prev.Line)
			continue
		}
		seen[k.Value] = k
		switch k.Value {
		case "name":
			p.Name = l.str(v, "name")
		case "description":
			p.Description = l.str(v, "description")
		case "on-error":
			s := l.str(v, "on-error")
			switch OnError(s) {
			case SkipArchive, FailBatch:
				p.OnError = OnError(s)
			default:
				if v.Kind == yaml.ScalarNode {
					l.errorf(v, "on-error: %q is not one of skip-archive, fail-batch%s", s, didYouMean(s, []string{string(SkipArchive), string(FailBatch)}))
				}
			}
		case "output":
			p.Output = l.str(v, "output")
			l.checkTemplate(v, p.Output)
		case "stages":
			stagesNode = v
		default:
			l.errorf(k, "unknown key %q%s; a pipeline file has %s", k.Value, didYouMean(k.Value, topKeys), strings.Join(topKeys, ", "))
		}
	}
	if p.Name == "" && seen["name"] == nil {
		p.Name = strings.TrimSuffix(strings.TrimSuffix(path.Base(strings.ReplaceAll(l.file, "\\", "/")), ".yaml"), ".yml")
	}
	if stagesNode == nil {
		l.errorf(root, "missing key \"stages\": list the stages to run, e.g. stages: [clean-xml, write]")
		return p
	}
	l.stages(p, stagesNode)
	return p
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing (null)"
		case "!!bool":
			return "a boolean " + n.Value
		case "!!int":
			return "an integer " + n.Value
		case "!!float":
			return "a number " + n.Value
		}
		return fmt.Sprintf("the string %q", n.Value)
	}
	return "nothing"
}

// str returns the string value of a scalar, or reports what it is instead.
func (l *loader) str(n *yaml.Node, key string) string {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		l.errorf(n, "%s: want a string, found %s", key, kindName(n))
		return ""
	}
	return n.Value
}

func (l *loader) checkTemplate(n *yaml.Node, t string) {
	if t == "" {
		l.errorf(n, "output: empty naming template; e.g. %q", DefaultOutput)
		return
	}
	names := make([]string, len(Placeholders))
	for i, p := range Placeholders {
		names[i] = p.Name
	}
	for _, m := range placeholderRE.FindAllString(t, -1) {
		ok := false
		for _, p := range names {
			ok = ok || p == m
		}
		if !ok {
			l.errorf(n, "output: unknown placeholder %s%s; known: %s", m, didYouMean(m, names), strings.Join(names, " "))
		}
	}
	if strings.HasPrefix(t, "/") || strings.Contains("/"+t+"/", "/../") {
		l.errorf(n, "output: %q must stay inside the output folder: no leading / and no ..", t)
	}
}

// stages decodes the stage list and checks kinds and order.
func (l *loader) stages(p *Pipeline, n *yaml.Node) {
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, "stages: want a list of stages (\"- name\" or \"- name: {option: value}\"), found %s", kindName(n))
		return
	}
	if len(n.Content) == 0 {
		l.errorf(n, "stages: the list is empty; add at least one stage")
		return
	}
	for _, item := range n.Content {
		var nameNode, optsNode *yaml.Node
		switch {
		case item.Kind == yaml.ScalarNode && item.ShortTag() == "!!str":
			nameNode = item
		case item.Kind == yaml.MappingNode && len(item.Content) == 2:
			nameNode, optsNode = item.Content[0], item.Content[1]
		case item.Kind == yaml.MappingNode && len(item.Content) > 2:
			keys := make([]string, 0, len(item.Content)/2)
			for i := 0; i < len(item.Content); i += 2 {
				keys = append(keys, item.Content[i].Value)
			}
			l.errorf(item.Content[2], "a stage item has one key, the stage name, but this one has %d (%s); indent the options under %q, or start each stage with \"- \"",
				len(keys), strings.Join(keys, ", "), keys[0]+":")
			continue
		default:
			l.errorf(item, "want a stage name or \"name: {options}\", found %s", kindName(item))
			continue
		}
		spec := l.reg.Lookup(nameNode.Value)
		if spec == nil {
			l.errorf(nameNode, "unknown stage %q%s; `moodlemig stages` lists them", nameNode.Value, didYouMean(nameNode.Value, l.reg.Names()))
			continue
		}
		use := StageUse{Spec: spec, Options: map[string]any{}, Line: nameNode.Line, Column: nameNode.Column}
		l.options(spec, optsNode, use.Options)
		p.Stages = append(p.Stages, use)
	}
	l.order(p)
}

// options decodes n (a mapping, or null) into opts, strictly, then fills the
// defaults.
func (l *loader) options(spec *stages.Spec, n *yaml.Node, opts map[string]any) {
	if n != nil && !(n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null") {
		if n.Kind != yaml.MappingNode {
			l.errorf(n, "options of stage %s: want a mapping like {%s}, found %s", spec.Name, exampleOptions(spec), kindName(n))
		} else {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				o := spec.Option(k.Value)
				if o == nil {
					names := make([]string, len(spec.Options))
					for j, x := range spec.Options {
						names[j] = x.Name
					}
					known := "it has no options"
					if len(names) > 0 {
						known = "its options are " + strings.Join(names, ", ")
					}
					l.errorf(k, "stage %s has no option %q%s; %s", spec.Name, k.Value, didYouMean(k.Value, names), known)
					continue
				}
				if _, dup := opts[o.Name]; dup {
					l.errorf(k, "option %q of stage %s given twice", o.Name, spec.Name)
					continue
				}
				if val, ok := l.value(spec, o, v); ok {
					opts[o.Name] = val
				}
			}
		}
	}
	for _, o := range spec.Options {
		if _, ok := opts[o.Name]; !ok {
			opts[o.Name] = o.Default
		}
	}
}

func exampleOptions(spec *stages.Spec) string {
	if len(spec.Options) == 0 {
		return ""
	}
	o := spec.Options[0]
	return fmt.Sprintf("%s: %v", o.Name, o.Default)
}

// value converts a YAML node to the Go value of option o.
func (l *loader) value(spec *stages.Spec, o *stages.Option, n *yaml.Node) (any, bool) {
	where := fmt.Sprintf("option %s of stage %s", o.Name, spec.Name)
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		l.errorf(n, "%s: want %s, found %s", where, typeName(o), kindName(n))
		return nil, false
	}
	tag := n.ShortTag()
	switch o.Type {
	case stages.String:
		return n.Value, true
	case stages.Enum:
		for _, v := range o.Values {
			if v == n.Value {
				return v, true
			}
		}
		l.errorf(n, "%s: %q is not one of %s%s", where, n.Value, strings.Join(o.Values, ", "), didYouMean(n.Value, o.Values))
		return nil, false
	case stages.Bool:
		var b bool
		if tag != "!!bool" || n.Decode(&b) != nil {
			l.errorf(n, "%s: want true or false, found %s", where, kindName(n))
			return nil, false
		}
		return b, true
	case stages.Int:
		var i int
		if tag != "!!int" || n.Decode(&i) != nil {
			l.errorf(n, "%s: want an integer, found %s", where, kindName(n))
			return nil, false
		}
		if !l.inRange(n, where, o, float64(i)) {
			return nil, false
		}
		return i, true
	case stages.Float:
		var f float64
		if (tag != "!!int" && tag != "!!float") || n.Decode(&f) != nil || math.IsNaN(f) {
			l.errorf(n, "%s: want a number, found %s", where, kindName(n))
			return nil, false
		}
		if !l.inRange(n, where, o, f) {
			return nil, false
		}
		return f, true
	}
	l.errorf(n, "%s: the stage declares an unknown option type %q (a bug in the stage)", where, o.Type)
	return nil, false
}

func (l *loader) inRange(n *yaml.Node, where string, o *stages.Option, v float64) bool {
	if o.Max > o.Min && (v < o.Min || v > o.Max) {
		l.errorf(n, "%s: %s is out of range [%s, %s]", where, n.Value, fmtNum(o.Min), fmtNum(o.Max))
		return false
	}
	return true
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func typeName(o *stages.Option) string {
	switch o.Type {
	case stages.Enum:
		return "one of " + strings.Join(o.Values, ", ")
	case stages.Bool:
		return "true or false"
	case stages.Int:
		return "an integer"
	case stages.Float:
		return "a number"
	}
	return "a string"
}

// order checks that each stage receives the kind of backup it accepts, and
// that a terminal stage (write) comes last. It sets p.Input.
func (l *loader) order(p *Pipeline) {
	cur := stages.KindAny // what the next stage receives
	var from *StageUse    // the stage that fixed cur
	produced := false     // whether from produced cur (or only required it)
	for i := range p.Stages {
		u := &p.Stages[i]
		in := u.Spec.Input
		if in == "" {
			in = stages.KindAny
		}
		switch {
		case in == stages.KindAny:
		case cur == stages.KindAny:
			cur, from, produced = in, u, false
			p.Input = in
		case cur != in && produced:
			l.errs = append(l.errs, &Error{l.file, u.Line, u.Column,
				fmt.Sprintf("stage %s needs a %s backup, but stage %s (line %d) turns it into %s; move %s before %s, or remove it",
					u.Spec.Name, in, from.Spec.Name, from.Line, cur, u.Spec.Name, from.Spec.Name)})
		case cur != in:
			l.errs = append(l.errs, &Error{l.file, u.Line, u.Column,
				fmt.Sprintf("stage %s needs a %s backup, but stage %s (line %d) needs %s: one pipeline takes one kind of input; split it in two pipelines",
					u.Spec.Name, in, from.Spec.Name, from.Line, cur)})
		}
		if u.Spec.Check != nil {
			if err := u.Spec.Check(u.Options, cur); err != nil {
				l.errs = append(l.errs, &Error{l.file, u.Line, u.Column, fmt.Sprintf("stage %s: %v", u.Spec.Name, err)})
			}
		}
		if out := u.Spec.Output; out != "" && out != stages.KindAny {
			cur, from, produced = out, u, true
		}
		if u.Spec.Terminal && i != len(p.Stages)-1 {
			var after []string
			for _, a := range p.Stages[i+1:] {
				after = append(after, a.Spec.Name)
			}
			l.errs = append(l.errs, &Error{l.file, u.Line, u.Column,
				fmt.Sprintf("stage %s writes the output and must be the last stage, but %s follow(s) it; move %s to the end",
					u.Spec.Name, strings.Join(after, ", "), u.Spec.Name)})
		}
	}
}

// Terminal returns the last stage when it writes the output, or nil.
func (p *Pipeline) Terminal() *StageUse {
	if n := len(p.Stages); n > 0 && p.Stages[n-1].Spec.Terminal {
		return &p.Stages[n-1]
	}
	return nil
}

// OptionNames returns the names of opts, sorted (for stable output).
func OptionNames(opts map[string]any) []string {
	n := make([]string, 0, len(opts))
	for k := range opts {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}
