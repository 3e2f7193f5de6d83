package convert

import "testing"

func TestPHPUnserialize(t *testing.T) {
	tests := []struct {
		name, in, out string
	}{
		{"object", `O:8:"stdClass":2:{s:5:"title";s:5:"Hello";s:4:"text";s:3:"a;b";}`, `O:8:"stdClass":2:{s:5:"title";s:5:"Hello";s:4:"text";s:3:"a;b";}`},
		{"length counted in characters, not bytes", `a:1:{s:1:"t";s:3:"été";}`, `a:1:{s:1:"t";s:5:"été";}`},
		{"length too long", `a:2:{s:1:"t";s:9:"ab";s:1:"u";i:3;}`, `a:2:{s:1:"t";s:2:"ab";s:1:"u";i:3;}`},
		{"quote inside text", `a:1:{s:1:"t";s:6:"a";"b;";}`, `a:1:{s:1:"t";s:6:"a";"b;";}`},
		{"null, bool, double, nested", `a:3:{i:0;N;i:1;b:1;s:1:"x";a:1:{i:0;d:0.5;}}`, `a:3:{i:0;N;i:1;b:1;s:1:"x";a:1:{i:0;d:0.5;}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := phpUnserialize(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := v.serialize(); got != tc.out {
				t.Errorf("got  %s\nwant %s", got, tc.out)
			}
		})
	}
	for _, bad := range []string{"", "x:1;", `s:5:"ab`, `a:2:{i:0;N;}`, `O:1:"a`} {
		if _, err := phpUnserialize(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// FuzzPHPUnserialize: never panics, and what it reads serializes to
// something it reads back identically.
func FuzzPHPUnserialize(f *testing.F) {
	f.Add(`O:8:"stdClass":2:{s:5:"title";s:5:"Hello";s:4:"text";s:18:"<p>Hello world</p>";}`)
	f.Add(`a:3:{i:0;N;i:1;b:1;s:1:"x";a:1:{i:0;d:0.5;}}`)
	f.Fuzz(func(t *testing.T, s string) {
		v, err := phpUnserialize(s)
		if err != nil {
			return
		}
		out := v.serialize()
		w, err := phpUnserialize(out)
		if err != nil {
			t.Fatalf("re-read of %q: %v", out, err)
		}
		if w.serialize() != out {
			t.Fatalf("not stable: %q -> %q", out, w.serialize())
		}
	})
}
