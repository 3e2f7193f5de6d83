package readahead

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"runtime"
	"testing"
	"testing/iotest"
	"time"
)

func TestReadsEverythingInOrder(t *testing.T) {
	data := make([]byte, 1<<20+12345)
	rand.New(rand.NewSource(1)).Read(data)
	for _, tc := range []struct {
		name    string
		n, size int
		src     func([]byte) io.Reader
	}{
		{"defaults", 0, 0, func(b []byte) io.Reader { return bytes.NewReader(b) }},
		{"one tiny buffer", 1, 7, func(b []byte) io.Reader { return bytes.NewReader(b) }},
		{"one-byte source reads", 3, 1000, func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) }},
		{"data with EOF", 2, 4096, func(b []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) }},
		{"empty", 2, 16, func([]byte) io.Reader { return bytes.NewReader(nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := data
			if tc.name == "empty" {
				want = nil
			}
			ra := New(tc.src(want), tc.n, tc.size)
			defer ra.Close()
			if err := iotest.TestReader(ra, want); err != nil {
				t.Fatal(err)
			}
			ra2 := New(tc.src(want), tc.n, tc.size)
			defer ra2.Close()
			got, err := io.ReadAll(ra2)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("read %d bytes, differ from the %d written", len(got), len(want))
			}
		})
	}
}

func TestSourceErrorIsReturnedAfterTheData(t *testing.T) {
	boom := errors.New("boom")
	src := io.MultiReader(bytes.NewReader([]byte("hello, world")), iotest.ErrReader(boom))
	ra := New(src, 2, 5)
	defer ra.Close()
	got, err := io.ReadAll(ra)
	if !errors.Is(err, boom) || string(got) != "hello, world" {
		t.Fatalf("got %q, %v; want the data then boom", got, err)
	}
	if _, err := ra.Read(make([]byte, 1)); !errors.Is(err, boom) {
		t.Fatalf("second read: %v, want boom again", err)
	}
}

// endless never ends: Close must still stop the goroutine.
type endless struct{}

func (endless) Read(p []byte) (int, error) { return len(p), nil }

func TestCloseStopsTheGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	for i := 0; i < 20; i++ {
		ra := New(endless{}, 2, 64)
		if _, err := ra.Read(make([]byte, 10)); err != nil {
			t.Fatal(err)
		}
		ra.Close()
		ra.Close() // twice is fine
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines left running after Close (had %d)", n, before)
	}
}
