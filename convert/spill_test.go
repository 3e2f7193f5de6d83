package convert

import (
	"path/filepath"
	"testing"
)

// TestSpill: records of spillPaths are not in the module's Node, and Each
// gives them back in order with their content; Count counts them and their
// nested containers without decoding.
func TestSpill(t *testing.T) {
	type seen struct {
		inNode, count, posts int
		names                []string
		subjects             []string
	}
	got := map[int64]*seen{}
	mods := DefaultModules()
	mods["forum"] = ModuleFunc(func(a *Activity, mod *Node) error {
		s := &seen{inNode: len(mod.All("DISCUSSIONS/DISCUSSION")), count: a.Count("DISCUSSIONS/DISCUSSION"),
			posts: a.Count("DISCUSSIONS/DISCUSSION/POSTS/POST")}
		for pass := 0; pass < 2; pass++ { // Each can be called again
			s.names = nil
			if err := a.Each("DISCUSSIONS/DISCUSSION", func(d *Node) error {
				s.names = append(s.names, d.Value("NAME"))
				for _, p := range d.All("POSTS/POST") {
					s.subjects = append(s.subjects, p.Value("SUBJECT"))
				}
				return nil
			}); err != nil {
				return err
			}
		}
		got[a.Instance] = s
		return convertForum(a, mod)
	})
	convertDir(t, filepath.Join("testdata", "course-activities"), Options{Modules: mods})
	news := got[1]
	if news == nil {
		t.Fatal("news forum not converted")
	}
	if news.inNode != 0 || news.count != 1 || news.posts != 2 {
		t.Errorf("in node %d, count %d, posts %d; want 0, 1, 2", news.inNode, news.count, news.posts)
	}
	if len(news.names) != 1 || news.names[0] != "Welcome" {
		t.Errorf("discussions = %v", news.names)
	}
	if want := []string{"Welcome", "Re: Welcome", "Welcome", "Re: Welcome"}; len(news.subjects) != 4 || news.subjects[1] != want[1] {
		t.Errorf("post subjects over two passes = %v, want %v", news.subjects, want)
	}
	if other := got[2]; other == nil || other.count != 0 || other.posts != 0 {
		t.Errorf("forum without discussions: %+v", other)
	}
}
