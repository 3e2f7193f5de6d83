package convert

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTreeMemoryAndDisk checks that small files stay in memory, large ones
// and those past the budget go to the scratch folder, and that every way of
// reading a file back (Open, Rewrite, Backup) sees the same bytes.
func TestTreeMemoryAndDisk(t *testing.T) {
	dir := t.TempDir()
	tr, err := NewTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	tr.budget = 3 * MemFileMax // small budget to exercise the spill
	write := func(name string, n int) string {
		t.Helper()
		body := strings.Repeat("x", n)
		if err := tr.Write(name, func(x *XMLWriter) { x.Start("a"); x.Leaf("b", body); x.End() }); err != nil {
			t.Fatal(err)
		}
		return body
	}
	onDisk := func(name string) bool {
		_, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name)))
		return err == nil
	}
	write("small.xml", 100)
	write("big.xml", MemFileMax+1)
	if onDisk("small.xml") || !onDisk("big.xml") {
		t.Errorf("small on disk %v (want false), big on disk %v (want true)", onDisk("small.xml"), onDisk("big.xml"))
	}
	for i := 0; i < 4; i++ { // 4 × 200 KB: the budget (768 KB) runs out
		write("m/f"+string(rune('0'+i))+".xml", 200<<10)
	}
	if tr.memBytes > tr.budget {
		t.Errorf("memory %d over budget %d", tr.memBytes, tr.budget)
	}
	if !onDisk("m/f3.xml") {
		t.Errorf("the file past the budget is not on disk")
	}
	// Rewrite works in memory and on disk alike.
	for _, name := range []string{"small.xml", "big.xml"} {
		err := tr.Rewrite(name, func(r io.Reader, w io.Writer) error {
			b, err := io.ReadAll(r)
			if err != nil {
				return err
			}
			_, err = w.Write([]byte(strings.ReplaceAll(string(b), "<b>", "<c>")))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		rc, err := tr.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if !strings.Contains(string(b), "<c>") || strings.Contains(string(b), "<b>") {
			t.Errorf("%s not rewritten", name)
		}
	}
	// RemoveAll drops memory and disk files under the prefix.
	if err := tr.RemoveAll("m"); err != nil {
		t.Fatal(err)
	}
	if tr.Exists("m/f0.xml") || onDisk("m/f3.xml") {
		t.Errorf("RemoveAll left files")
	}
	b := tr.Backup("src.zip")
	names := map[string]int64{}
	for _, e := range b.Entries {
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, rc)
		rc.Close()
		if e.Size != n {
			t.Errorf("%s: size %d, read %d", e.Name, e.Size, n)
		}
		names[e.Name] = n
	}
	if len(names) != 2 || names["small.xml"] == 0 || names["big.xml"] <= MemFileMax {
		t.Errorf("backup entries %v, want small.xml and big.xml", names)
	}
}
