// Command gendocs regenerates the generated documentation from the stage
// registry: docs/stages.md. `make docs` runs it from the repository root;
// with -check it only reports whether the page is stale (exit 1).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/moodlemig/moodlemig/pipelines"
	"github.com/moodlemig/moodlemig/stages"
)

func main() {
	root := flag.String("root", ".", "repository root")
	check := flag.Bool("check", false, "report stale docs instead of writing them")
	flag.Parse()
	if err := generate(*root, *check); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// stagesPage is where the stages reference lives, relative to the root.
const stagesPage = "docs/stages.md"

func generate(root string, check bool) error {
	want := pipelines.StagesMarkdown(stages.Builtin())
	path := filepath.Join(root, stagesPage)
	if check {
		got, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			return fmt.Errorf("%s is stale: run make docs", stagesPage)
		}
		return nil
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, want, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
