package pipelines

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/moodlemig/moodlemig/stages"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// BuiltinNames returns the names of the built-in pipelines, sorted.
func BuiltinNames() []string {
	ents, _ := builtinFS.ReadDir("builtin")
	var names []string
	for _, e := range ents {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// BuiltinSource returns the YAML of the built-in pipeline name.
func BuiltinSource(name string) ([]byte, bool) {
	b, err := builtinFS.ReadFile(path.Join("builtin", name+".yaml"))
	return b, err == nil
}

// LoadBuiltin loads the built-in pipeline name against reg.
func LoadBuiltin(reg *stages.Registry, name string, vars Vars) (*Pipeline, error) {
	src, ok := BuiltinSource(name)
	if !ok {
		return nil, fmt.Errorf("no built-in pipeline %q%s; built-ins: %s", name, didYouMean(name, BuiltinNames()), strings.Join(BuiltinNames(), ", "))
	}
	return Load(reg, "builtin:"+name, src, vars)
}

// BuiltinDescription returns the description of the built-in pipeline name,
// read without checking its stages (so it works while a stage is missing).
func BuiltinDescription(name string) string {
	src, _ := BuiltinSource(name)
	var head struct {
		Description string `yaml:"description"`
	}
	_ = yaml.Unmarshal(src, &head)
	return head.Description
}

// Resolve loads the pipeline named by arg: a file when one exists at that
// path, else a built-in pipeline.
func Resolve(reg *stages.Registry, arg string, vars Vars) (*Pipeline, error) {
	if src, err := os.ReadFile(arg); err == nil {
		return Load(reg, arg, src, vars)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read pipeline %s: %w", arg, err)
	}
	if _, ok := BuiltinSource(arg); ok {
		return LoadBuiltin(reg, arg, vars)
	}
	return nil, fmt.Errorf("pipeline %q: no such file and no built-in of that name%s; built-ins: %s",
		arg, didYouMean(arg, BuiltinNames()), strings.Join(BuiltinNames(), ", "))
}
