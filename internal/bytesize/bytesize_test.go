package bytesize

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		bad  bool
	}{
		{"", 0, false},
		{"1500", 1500, false},
		{"64KB", 64 << 10, false},
		{"64kb", 64 << 10, false},
		{" 100 MB ", 100 << 20, false},
		{"1GB", 1 << 30, false},
		{"2GiB", 2 << 30, false},
		{"1.5G", 3 << 29, false},
		{"7B", 7, false},
		{"MB", 0, true},
		{"-1MB", 0, true},
		{"ten", 0, true},
		{"1e30GB", 0, true},
	}
	for _, tc := range tests {
		got, err := Parse(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("Parse(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1500", "64KB", "1.5GB", "2GiB", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err == nil && n < 0 {
			t.Errorf("Parse(%q) = %d, negative", s, n)
		}
	})
}
