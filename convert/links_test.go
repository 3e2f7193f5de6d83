package convert

import "testing"

// TestFindFileLinks follows the 1.x encoder (moodle19-format.md §11.1) and
// the reference converter's own tests (conversion-rules.md §6 #17, #18).
func TestFindFileLinks(t *testing.T) {
	tests := []struct {
		name, text   string
		path, suffix string
		bad          bool
	}{
		{"1.9.5+ slashes, quoted", `<img src="$@FILEPHP@$$@SLASH@$pics$@SLASH@$news.gif">`, "pics/news.gif", "", false},
		{"pre-1.9.5 slashes", `<a href="$@FILEPHP@$/pics/news.gif">`, "pics/news.gif", "", false},
		{"force download token", `<a href="$@FILEPHP@$$@SLASH@$MANUAL.DOC$@FORCEDOWNLOAD@$">`, "MANUAL.DOC", "?forcedownload=1", false},
		{"force download query", `<a href='$@FILEPHP@$/a.pdf&amp;forcedownload=1'>`, "a.pdf", "?forcedownload=1", false},
		{"encoded space", `<img src="$@FILEPHP@$$@SLASH@$pics$@SLASH@$news%20with%20spaces.gif">`, "pics/news with spaces.gif", "", false},
		{"raw space inside quotes", `<img src="$@FILEPHP@$/pics/a b.gif">`, "pics/a b.gif", "", false},
		{"plus stays a plus", `<a href="$@FILEPHP@$/illegal%20pics%2Bmovies/romeo%2Bjuliet.avi">`, "illegal pics+movies/romeo+juliet.avi", "", false},
		{"unquoted attribute", `<a href=$@FILEPHP@$/docs/n.txt>x</a>`, "docs/n.txt", "", false},
		{"css url()", `p { background: url($@FILEPHP@$$@SLASH@$bg img.png) }`, "bg img.png", "", false},
		{"anchor kept", `<a href="$@FILEPHP@$/page.html#part2">`, "page.html", "#part2", false},
		{"traversal refused", `<a href="$@FILEPHP@$/../../etc/passwd">`, "", "", true},
		{"encoded traversal refused", `<a href="$@FILEPHP@$/..%2F..%2Fetc/passwd">`, "", "", true},
		{"prefix collision (course 57 in a backup of 5)", `<a href="$@FILEPHP@$7/x.png">`, "", "", true},
		{"folder link", `<a href="$@FILEPHP@$$@SLASH@$">`, "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			links := findFileLinks(tc.text)
			if len(links) != 1 {
				t.Fatalf("found %d links, want 1", len(links))
			}
			l := links[0]
			if (l.bad != "") != tc.bad {
				t.Fatalf("bad = %q, want bad=%v", l.bad, tc.bad)
			}
			if !tc.bad && (l.path != tc.path || l.suffix != tc.suffix) {
				t.Errorf("path %q suffix %q, want %q %q", l.path, l.suffix, tc.path, tc.suffix)
			}
		})
	}
}

func TestPluginfileURL(t *testing.T) {
	tests := map[string]string{
		"pics/news with spaces.gif":            "@@PLUGINFILE@@/pics/news%20with%20spaces.gif",
		"illegal pics+movies/romeo+juliet.avi": "@@PLUGINFILE@@/illegal%20pics%2Bmovies/romeo%2Bjuliet.avi",
		"Été/résumé.txt":                       "@@PLUGINFILE@@/%C3%89t%C3%A9/r%C3%A9sum%C3%A9.txt",
		"a~b_c-d.e":                            "@@PLUGINFILE@@/a~b_c-d.e",
	}
	for in, want := range tests {
		if got := pluginfileURL(in); got != want {
			t.Errorf("pluginfileURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFindModTokens(t *testing.T) {
	s := `a $@RESOURCEVIEWBYID*12@$ b $@FORUMDISCUSSIONVIEWPARENT*3*4@$ $@HOTPOT*view*id*7@$ $@FILEPHP@$ $@NULL@$ $@BROKEN*@$`
	toks := findModTokens(s)
	want := []string{"RESOURCEVIEWBYID", "FORUMDISCUSSIONVIEWPARENT", "HOTPOT"}
	if len(toks) != len(want) {
		t.Fatalf("tokens = %+v", toks)
	}
	for i, tk := range toks {
		if tk.name != want[i] || s[tk.start:tk.end][:2] != "$@" || s[tk.end-2:tk.end] != "@$" {
			t.Errorf("token %d = %+v", i, tk)
		}
	}
	if len(toks[1].ids) != 2 || toks[1].ids[1] != "4" {
		t.Errorf("ids = %v", toks[1].ids)
	}
}
