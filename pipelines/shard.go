package pipelines

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// Shard selects the part of a batch one machine processes: the inputs whose
// key hashes to Index modulo Count. Every input falls in exactly one of the
// Count shards, so N machines given the same arguments cover the inputs with
// no overlap and no gap. The zero Shard (Count 0) takes everything.
type Shard struct {
	Index, Count int
}

// All reports whether s takes every input.
func (s Shard) All() bool { return s.Count <= 1 }

// String is "i/N", or "all".
func (s Shard) String() string {
	if s.All() {
		return "all"
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// Has reports whether the input with key belongs to s: the first 8 bytes of
// the key's SHA-256, big-endian, modulo Count. The hash is stable across
// machines, runs and versions, and spreads similar names evenly.
func (s Shard) Has(key string) bool {
	if s.All() {
		return true
	}
	sum := sha256.Sum256([]byte(key))
	return binary.BigEndian.Uint64(sum[:8])%uint64(s.Count) == uint64(s.Index)
}

// Filter returns the inputs that belong to s, in order.
func (s Shard) Filter(in []Input) []Input {
	if s.All() {
		return in
	}
	var out []Input
	for _, x := range in {
		if s.Has(x.Key) {
			out = append(out, x)
		}
	}
	return out
}

// ParseShard parses "i/N" (0 <= i < N) or "auto". auto reads the index and
// count of a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, and
// JOB_COMPLETIONS which the Job's pod template must set to its completions)
// or of a Slurm job array (SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN,
// and SLURM_ARRAY_TASK_COUNT). getenv is os.Getenv in production.
func ParseShard(s string, getenv func(string) string) (Shard, error) {
	if s == "" {
		return Shard{}, nil
	}
	if s == "auto" {
		return autoShard(getenv)
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("--shard %q: want i/N with 0 <= i < N (e.g. 0/4), or auto", s)
	}
	return Shard{i, n}, nil
}

func autoShard(getenv func(string) string) (Shard, error) {
	num := func(name string) (int, error) {
		v := getenv(name)
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("--shard auto: %s=%q is not a number", name, v)
		}
		return n, nil
	}
	switch {
	case getenv("JOB_COMPLETION_INDEX") != "":
		if getenv("JOB_COMPLETIONS") == "" {
			return Shard{}, fmt.Errorf("--shard auto: JOB_COMPLETION_INDEX is set but JOB_COMPLETIONS is not: set it in the pod template to the Job's completions (see docs/scale-out.md)")
		}
		i, err := num("JOB_COMPLETION_INDEX")
		if err != nil {
			return Shard{}, err
		}
		n, err := num("JOB_COMPLETIONS")
		if err != nil {
			return Shard{}, err
		}
		return ParseShard(fmt.Sprintf("%d/%d", i, n), getenv)
	case getenv("SLURM_ARRAY_TASK_ID") != "":
		id, err := num("SLURM_ARRAY_TASK_ID")
		if err != nil {
			return Shard{}, err
		}
		n, err := num("SLURM_ARRAY_TASK_COUNT")
		if err != nil {
			return Shard{}, err
		}
		lo := 0
		if getenv("SLURM_ARRAY_TASK_MIN") != "" {
			if lo, err = num("SLURM_ARRAY_TASK_MIN"); err != nil {
				return Shard{}, err
			}
		}
		return ParseShard(fmt.Sprintf("%d/%d", id-lo, n), getenv)
	}
	return Shard{}, fmt.Errorf("--shard auto: neither a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) nor a Slurm array (SLURM_ARRAY_TASK_ID) is set; give --shard i/N")
}
