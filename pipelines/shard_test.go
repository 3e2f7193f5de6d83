package pipelines

import (
	"fmt"
	"math/rand"
	"testing"
	"testing/quick"
)

// TestShardsCoverExactlyOnce is the property: for any inputs and any N, the
// N shards are pairwise disjoint and their union is every input.
func TestShardsCoverExactlyOnce(t *testing.T) {
	prop := func(keys []string, n uint8) bool {
		count := int(n%32) + 1
		var inputs []Input
		seen := map[string]bool{}
		for _, k := range keys {
			if !seen[k] {
				seen[k] = true
				inputs = append(inputs, Input{Key: k})
			}
		}
		owner := map[string]int{}
		for i := 0; i < count; i++ {
			for _, in := range (Shard{i, count}).Filter(inputs) {
				if _, dup := owner[in.Key]; dup {
					return false // overlap
				}
				owner[in.Key] = i
			}
		}
		return len(owner) == len(inputs) // no gap
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 500, Rand: rand.New(rand.NewSource(1))}); err != nil {
		t.Error(err)
	}
}

// TestShardsBalance checks that the hash spreads a corpus evenly enough.
func TestShardsBalance(t *testing.T) {
	var inputs []Input
	for i := 0; i < 10000; i++ {
		inputs = append(inputs, Input{Key: fmt.Sprintf("corpus/%04d/course-%d.zip", i%97, i)})
	}
	for i := 0; i < 8; i++ {
		if n := len((Shard{i, 8}).Filter(inputs)); n < 1100 || n > 1400 {
			t.Errorf("shard %d/8 has %d of 10000 inputs, want about 1250", i, n)
		}
	}
}

func TestShardStable(t *testing.T) {
	// The hash must never change: machines running different builds must
	// agree. These values come from Python: int.from_bytes(sha256(key)[:8]) % 3.
	for _, tc := range []struct {
		key   string
		shard int
	}{{"a.zip", 1}, {"backups/2009/course-12.zip", 0}, {"x", 0}} {
		for i := 0; i < 3; i++ {
			if got := (Shard{i, 3}).Has(tc.key); got != (i == tc.shard) {
				t.Errorf("Shard{%d,3}.Has(%q) = %v", i, tc.key, got)
			}
		}
	}
}

func TestParseShard(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		arg  string
		env  map[string]string
		want Shard
		err  bool
	}{
		{"", nil, Shard{}, false},
		{"0/1", nil, Shard{0, 1}, false},
		{"3/4", nil, Shard{3, 4}, false},
		{"4/4", nil, Shard{}, true},
		{"-1/4", nil, Shard{}, true},
		{"1/0", nil, Shard{}, true},
		{"1", nil, Shard{}, true},
		{"auto", map[string]string{"JOB_COMPLETION_INDEX": "2", "JOB_COMPLETIONS": "5"}, Shard{2, 5}, false},
		{"auto", map[string]string{"JOB_COMPLETION_INDEX": "2"}, Shard{}, true},
		{"auto", map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"}, Shard{2, 4}, false},
		{"auto", map[string]string{"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "4"}, Shard{0, 4}, false},
		{"auto", map[string]string{"SLURM_ARRAY_TASK_ID": "9", "SLURM_ARRAY_TASK_COUNT": "4"}, Shard{}, true},
		{"auto", nil, Shard{}, true},
	} {
		got, err := ParseShard(tc.arg, env(tc.env))
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseShard(%q, %v) = %v, %v; want %v, error %v", tc.arg, tc.env, got, err, tc.want, tc.err)
		}
	}
}
