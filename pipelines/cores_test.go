package pipelines

import "testing"

func TestCoresPerJob(t *testing.T) {
	for _, tc := range []struct{ procs, jobs, inputs, want int }{
		{2, 1, 100, 2}, // --jobs 1 on two cores: a core to spare
		{2, 2, 100, 1}, // the default: one job per core
		{2, 2, 1, 2},   // one archive: the other core is free
		{8, 3, 100, 2}, //
		{2, 4, 100, 1}, // more jobs than cores: one each at least
		{4, 0, 0, 4},   // nothing to share with
	} {
		if got := coresPerJob(tc.procs, tc.jobs, tc.inputs); got != tc.want {
			t.Errorf("coresPerJob(%d, %d, %d) = %d, want %d", tc.procs, tc.jobs, tc.inputs, got, tc.want)
		}
	}
}
