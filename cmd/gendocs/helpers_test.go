package main

import (
	"os"
	"path/filepath"
	"testing"
)

func mkdocs(root string) error { return os.MkdirAll(filepath.Join(root, "docs"), 0o755) }

func readPage(t *testing.T, root string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, stagesPage))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
