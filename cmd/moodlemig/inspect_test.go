package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestInspectExitCodes checks the exit status of moodlemig inspect run
// in-process: 0 when every backup was inspected (damaged or not), 3 when
// some could not be, 1 when the only one could not be, 2 for bad usage.
func TestInspectExitCodes(t *testing.T) {
	sample := func(name string) string { return filepath.Join("..", "..", "testdata", "sample", name) }
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"clean", []string{sample("backup-sample-19.zip")}, 0},
		{"damaged", []string{sample("backup-19-libxml2-stripped.zip"), sample("backup-15-control-chars.zip")}, 0},
		{"one broken of two", []string{sample("backup-sample-19.zip"), sample("backup-19-truncated.zip")}, 3},
		{"only broken", []string{sample("backup-19-truncated.zip")}, 1},
		{"missing and good", []string{"nosuch.zip", sample("backup-sample-19.zip")}, 3},
		{"no path", nil, 2},
		{"bad oversize", []string{"--oversize", "lots", sample("backup-sample-19.zip")}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"moodlemig", "inspect", "--json"}, tt.args...)
			if got := run(args, strings.NewReader(""), &stdout, &stderr); got != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", got, tt.code, stderr.String())
			}
			if tt.code == 2 {
				return
			}
			// --json: one object per backup, then the summary.
			dec := json.NewDecoder(&stdout)
			var objs []map[string]any
			for dec.More() {
				var m map[string]any
				if err := dec.Decode(&m); err != nil {
					t.Fatal(err)
				}
				objs = append(objs, m)
			}
			if len(objs) != len(tt.args)+1 || objs[len(objs)-1]["type"] != "summary" {
				t.Fatalf("got %d objects, last %v", len(objs), objs[len(objs)-1])
			}
			for _, o := range objs[:len(objs)-1] {
				if o["type"] != "backup" {
					t.Errorf("object %v", o)
				}
			}
		})
	}
}
