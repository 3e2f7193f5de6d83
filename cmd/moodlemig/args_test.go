package main

import (
	"reflect"
	"testing"
)

func TestHoistFlags(t *testing.T) {
	cmds := commands()
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"flags after args", []string{"m", "run", "migrate", "a.zip", "-o", "out", "--jobs", "2"},
			[]string{"m", "run", "-o", "out", "--jobs", "2", "migrate", "a.zip"}},
		{"bool flag takes no value", []string{"m", "run", "migrate", "a.zip", "--dry-run", "b.zip", "-o", "x"},
			[]string{"m", "run", "--dry-run", "-o", "x", "migrate", "a.zip", "b.zip"}},
		{"flag=value", []string{"m", "run", "migrate", "a.zip", "--jobs=3"},
			[]string{"m", "run", "--jobs=3", "migrate", "a.zip"}},
		{"dash is stdin, not a flag", []string{"m", "run", "migrate", "-", "-o", "o"},
			[]string{"m", "run", "-o", "o", "migrate", "-"}},
		{"after -- untouched", []string{"m", "run", "migrate", "--", "-o"},
			[]string{"m", "run", "migrate", "--", "-o"}},
		{"global flags before the command stay", []string{"m", "--json", "validate", "x.mbz", "--json"},
			[]string{"m", "--json", "validate", "--json", "x.mbz"}},
		{"unknown command untouched", []string{"m", "nope", "a", "-x"}, []string{"m", "nope", "a", "-x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := hoistFlags(tc.in, cmds); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("hoistFlags(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}
