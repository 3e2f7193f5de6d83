package main

import (
	"strings"
	"testing"

	"github.com/moodlemig/moodlemig/stages"
)

// TestStagesDocFresh fails when docs/stages.md no longer matches the
// registry: a stage or option was added or changed without `make docs`.
func TestStagesDocFresh(t *testing.T) {
	if err := generate("../..", true); err != nil {
		t.Fatalf("%v (from the repository root: make docs)", err)
	}
}

// TestStagesDocCoversRegistry checks the generator itself: every stage of the
// registry gets a section.
func TestStagesDocCoversRegistry(t *testing.T) {
	dir := t.TempDir()
	if err := mkdocs(dir); err != nil {
		t.Fatal(err)
	}
	if err := generate(dir, false); err != nil {
		t.Fatal(err)
	}
	if err := generate(dir, true); err != nil {
		t.Fatalf("just generated, yet: %v", err)
	}
	page := readPage(t, dir)
	for _, name := range stages.Builtin().Names() {
		if !strings.Contains(page, "\n## "+name+"\n") {
			t.Errorf("no section for stage %s", name)
		}
	}
}
