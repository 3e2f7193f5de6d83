package pipelines

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/moodlemig/moodlemig/stages"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testVars is the environment every lint golden test sees.
var testVars = Vars{
	Set: map[string]string{"MODE": "remove"},
	Lookup: func(name string) (string, bool) {
		v, ok := map[string]string{"TARGET": "5.0", "EMPTY": ""}[name]
		return v, ok
	},
}

// render is what a golden file holds: the errors, one per line, or the
// checked pipeline with every option completed.
func render(p *Pipeline, err error) string {
	if err != nil {
		return err.Error() + "\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\ndescription: %s\non-error: %s\noutput: %s\ninput: %s\n", p.Name, p.Description, p.OnError, p.Output, p.Input)
	for _, s := range p.Stages {
		fmt.Fprintf(&b, "%d:%d %s", s.Line, s.Column, s.Spec.Name)
		for _, k := range OptionNames(s.Options) {
			fmt.Fprintf(&b, " %s=%#v", k, s.Options[k])
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestLintGolden checks each testdata/lint/*.yaml against its .golden: the
// exact file:line:column of every error, and the suggestions.
func TestLintGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/lint/*.yaml")
	if len(files) < 8 {
		t.Fatalf("found %d lint cases, want at least 8", len(files))
	}
	reg := testRegistry()
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got := render(Load(reg, filepath.ToSlash(f), src, testVars))
			golden := strings.TrimSuffix(f, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if d := cmp.Diff(string(want), got); d != "" {
				t.Errorf("lint %s (-want +got):\n%s", f, d)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"relocate-root", "clean-xml", "transcode", "repair-html", "encode-links", "convert", "write"}
	for _, tc := range []struct{ in, want string }{
		{"clen-xml", "clean-xml"},
		{"claen-xml", "clean-xml"},
		{"Transcode", "transcode"},
		{"repair", "repair-html"},
		{"wirte", "write"},
		{"encode-link", "encode-links"},
		{"zzz", ""},
		{"unzip", ""},
		{"x", ""},
	} {
		if got := suggest(tc.in, names); got != tc.want {
			t.Errorf("suggest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestExpand(t *testing.T) {
	v := Vars{Set: map[string]string{"A": "1", "E": ""}, Lookup: func(string) (string, bool) { return "", false }}
	for _, tc := range []struct{ in, want, err string }{
		{"plain", "plain", ""},
		{"${A}", "1", ""},
		{"x${A}y${A}", "x1y1", ""},
		{"${B:-dflt}", "dflt", ""},
		{"${E:-dflt}", "dflt", ""},
		{"${A:-dflt}", "1", ""},
		{"${B:-}", "", ""},
		{"$$A", "$A", ""},
		{"cost $5", "cost $5", ""},
		{"${B}", "", "variable B is not set"},
		{"${A", "", "unclosed"},
		{"${1x}", "", "bad variable name"},
	} {
		got, err := v.expand(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Msg, tc.err) {
				t.Errorf("expand(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("expand(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestParseSet(t *testing.T) {
	m, err := ParseSet([]string{"A=1", "B=x=y", "C="})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]string{"A": "1", "B": "x=y", "C": ""}, m); d != "" {
		t.Error(d)
	}
	for _, bad := range []string{"A", "=1", "1A=2", "A-B=1"} {
		if _, err := ParseSet([]string{bad}); err == nil {
			t.Errorf("ParseSet(%q): no error", bad)
		}
	}
}

// TestBuiltinsLint lints every built-in pipeline against the real registry.
func TestBuiltinsLint(t *testing.T) {
	reg := stages.Builtin()
	names := BuiltinNames()
	for _, want := range []string{"migrate", "repair", "reencode", "clean-xml"} {
		if !contains(names, want) {
			t.Errorf("built-in %q missing (have %v)", want, names)
		}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			if missing := missingStages(reg, name); len(missing) > 0 {
				t.Skipf("stage(s) %s not registered in stages/registry.go yet", strings.Join(missing, ", "))
			}
			p, err := LoadBuiltin(reg, name, Vars{Lookup: func(string) (string, bool) { return "", false }})
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != name {
				t.Errorf("name %q, want %q (the file name)", p.Name, name)
			}
			if p.Description == "" || p.Terminal() == nil {
				t.Errorf("built-in %s needs a description and must end with a writing stage", name)
			}
		})
	}
}

// missingStages lists the stages the built-in names that reg lacks.
func missingStages(reg *stages.Registry, builtin string) []string {
	src, _ := BuiltinSource(builtin)
	var missing []string
	for _, line := range strings.Split(string(src), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "- ") {
			continue
		}
		name := strings.TrimSpace(strings.SplitN(strings.TrimPrefix(line, "- "), ":", 2)[0])
		if reg.Lookup(name) == nil {
			missing = append(missing, name)
		}
	}
	return missing
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// FuzzLoad checks that no pipeline file makes Load panic, and that every
// error it reports carries the file name.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("testdata/lint/*.yaml")
	for _, file := range files {
		b, _ := os.ReadFile(file)
		f.Add(b)
	}
	reg := testRegistry()
	f.Fuzz(func(t *testing.T, src []byte) {
		p, err := Load(reg, "f.yaml", src, testVars)
		if err == nil {
			if p == nil || len(p.Stages) == 0 {
				t.Fatalf("no error and no stages")
			}
			return
		}
		for _, e := range err.(ErrorList) {
			if e.File != "f.yaml" || e.Msg == "" {
				t.Fatalf("bad error %#v", e)
			}
		}
	})
}

func TestSchema(t *testing.T) {
	reg := testRegistry()
	b, err := Schema(reg)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Properties struct {
			Stages struct {
				Items struct {
					OneOf []struct {
						Enum  []string `json:"enum"`
						OneOf []struct {
							Properties map[string]struct {
								Properties           map[string]map[string]any `json:"properties"`
								AdditionalProperties bool                      `json:"additionalProperties"`
							} `json:"properties"`
						} `json:"oneOf"`
					} `json:"oneOf"`
				} `json:"items"`
			} `json:"stages"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	alts := s.Properties.Stages.Items.OneOf
	if len(alts) != 2 {
		t.Fatalf("stage items: %d alternatives, want name or map", len(alts))
	}
	if d := cmp.Diff(reg.Names(), alts[0].Enum); d != "" {
		t.Errorf("stage names (-want +got):\n%s", d)
	}
	if len(alts[1].OneOf) != len(reg.Names()) {
		t.Fatalf("%d stage maps, want %d", len(alts[1].OneOf), len(reg.Names()))
	}
	for i, spec := range reg.Specs() {
		m := alts[1].OneOf[i].Properties[spec.Name]
		if m.AdditionalProperties {
			t.Errorf("%s: options must be closed", spec.Name)
		}
		for _, o := range spec.Options {
			p, ok := m.Properties[o.Name]
			if !ok {
				t.Errorf("%s: option %s missing", spec.Name, o.Name)
				continue
			}
			if p["description"] != o.Doc {
				t.Errorf("%s.%s: description %v", spec.Name, o.Name, p["description"])
			}
		}
	}
	clean := alts[1].OneOf[0].Properties["clean-xml"].Properties
	if got := fmt.Sprint(clean["mode"]["enum"]); got != "[remove replace]" {
		t.Errorf("mode enum = %s", got)
	}
}

func TestStagesMarkdown(t *testing.T) {
	md := string(StagesMarkdown(testRegistry()))
	for _, want := range []string{
		"| [clean-xml](#clean-xml) | 1.x | same as input | Remove characters XML forbids. |",
		"| [convert](#convert) | 1.x | 2.x |",
		"| `mode` | remove \\| replace | `replace` | what to do with a bad character |",
		"| `min-confidence` | float [0, 1] | `0.9` |",
		"## check-2x\n\nCheck a 2.x backup.\n\nInput: 2.x. Output: same as input.\n\nNo options.",
		"Writes the output file; must be the last stage.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("stages markdown lacks %q", want)
		}
	}
}
