package convert

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestTokenizersAgree: the fast scanner and encoding/xml give the same 2.x
// output and the same findings on every golden course.
func TestTokenizersAgree(t *testing.T) {
	for _, name := range goldenCourses {
		t.Run(name, func(t *testing.T) {
			fast, frep := convertDir(t, filepath.Join("testdata", name), Options{NewTokenizer: NewScanTokenizer})
			std, srep := convertDir(t, filepath.Join("testdata", name), Options{NewTokenizer: NewTokenizer})
			if diff := cmp.Diff(golden(t, std, nil), golden(t, fast, nil)); diff != "" {
				t.Errorf("outputs differ (-encoding/xml +xmlscan):\n%s", diff)
			}
			var fs, ss []string
			for _, f := range frep.Findings() {
				fs = append(fs, f.Code+" "+f.Path+" "+f.Message)
			}
			for _, f := range srep.Findings() {
				ss = append(ss, f.Code+" "+f.Path+" "+f.Message)
			}
			if diff := cmp.Diff(ss, fs); diff != "" {
				t.Errorf("findings differ (-encoding/xml +xmlscan):\n%s", diff)
			}
		})
	}
}
