package pipelines

import (
	"embed"
	"fmt"
	"path"
	"sort"
	"strings"

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
