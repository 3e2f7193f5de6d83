package convert

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestSpillMemoryThenFile checks that a spilled list stays in memory while
// small, moves to a scratch file past spillMemMax, and gives back every
// record in order either way (also when read twice and appended between).
func TestSpillMemoryThenFile(t *testing.T) {
	for _, n := range []int{3, 3000} {
		dir := filepath.Join(t.TempDir(), "spill")
		s := newSpill(dir)
		pad := strings.Repeat("p", 500)
		add := func(i int) {
			tk := NewScanTokenizer(strings.NewReader("<POST>\n  <ID>" + strconv.Itoa(i) + "</ID>\n  <MESSAGE>" + pad + "</MESSAGE>\n</POST>"))
			if tok, err := tk.Next(); err != nil || tok.Kind != StartTag {
				t.Fatal(tok, err)
			}
			if err := s.addFrom("DISCUSSIONS/DISCUSSION", tk, "POST"); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < n; i++ {
			add(i)
		}
		check := func(want int) {
			t.Helper()
			got := 0
			err := s.each("DISCUSSIONS/DISCUSSION", func(r *Node) error {
				if id := r.Children[0].Text; id != strconv.Itoa(got) {
					t.Fatalf("record %d has ID %s", got, id)
				}
				got++
				return nil
			})
			if err != nil || got != want {
				t.Fatalf("n=%d: read %d records (%v), want %d", n, got, err, want)
			}
		}
		check(n)
		add(n) // append after a read
		check(n + 1)
		_, err := os.Stat(dir)
		if onDisk := err == nil; onDisk != (n > 1000) {
			t.Errorf("n=%d: scratch folder exists %v, want %v", n, onDisk, n > 1000)
		}
		s.close()
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("n=%d: close left the scratch folder", n)
		}
	}
}

// TestSpillRoundTrip checks that a spilled record decodes to the Node
// readNode builds from the same XML (text with markup characters, CR,
// non-ASCII, CDATA, mixed white space), that its position is the record's,
// and that containers inside it are counted without decoding.
func TestSpillRoundTrip(t *testing.T) {
	const rec = "<discussion>\n <NAME>a &amp; b &lt;p&gt; \"q\" &#13;x\u00e9</NAME>\n <POSTS>\n  <POST><ID>1</ID><MESSAGE><![CDATA[<b>bold</b> & more]]></MESSAGE>\n" +
		"   <RATINGS><RATING><ID>7</ID></RATING><RATING><ID>8</ID></RATING></RATINGS></POST>\n  <POST><ID>2</ID><EMPTY></EMPTY><MESSAGE>  spaced  </MESSAGE></POST>\n </POSTS>\n</discussion>"
	doc := "<MOD>\n  " + rec + "\n</MOD>"
	want := func() *Node {
		tk := NewScanTokenizer(strings.NewReader(doc))
		tk.Next()
		tk.Next()
		for tok, _ := tk.Next(); tok.Kind != StartTag; tok, _ = tk.Next() {
		}
		n, err := readNode(tk, "discussion")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}()
	s := newSpill(filepath.Join(t.TempDir(), "spill"))
	defer s.close()
	tk := NewScanTokenizer(strings.NewReader(doc))
	tk.Next()
	tok, _ := tk.Next()
	for tok.Kind != StartTag {
		tok, _ = tk.Next()
	}
	if err := s.addFrom("DISCUSSIONS/DISCUSSION", tk, tok.Name); err != nil {
		t.Fatal(err)
	}
	var got *Node
	if err := s.each("DISCUSSIONS/DISCUSSION", func(n *Node) error { got = n; return nil }); err != nil {
		t.Fatal(err)
	}
	var dump func(*Node) string
	dump = func(n *Node) string {
		out := fmt.Sprintf("%s@%d:%d[%q", n.Name, n.Line, n.Col, n.Text)
		for _, c := range n.Children {
			out += " " + dump(c)
		}
		return out + "]"
	}
	// Positions inside a record are the record's.
	var flat func(*Node)
	flat = func(n *Node) {
		for _, c := range n.Children {
			c.Line, c.Col = n.Line, n.Col
			flat(c)
		}
	}
	flat(want)
	if dump(got) != dump(want) {
		t.Errorf("decoded record differs:\n got %s\nwant %s", dump(got), dump(want))
	}
	if got.Line != 2 || got.Col != 3 {
		t.Errorf("record position %d:%d, want 2:3", got.Line, got.Col)
	}
	for path, n := range map[string]int{
		"DISCUSSIONS/DISCUSSION/POSTS":                     1,
		"DISCUSSIONS/DISCUSSION/POSTS/POST":                2,
		"DISCUSSIONS/DISCUSSION/POSTS/POST/RATINGS":        1,
		"DISCUSSIONS/DISCUSSION/POSTS/POST/RATINGS/RATING": 0, // beyond maxNestedDepth
		"DISCUSSIONS/DISCUSSION/POSTS/POST/EMPTY":          0, // a leaf
	} {
		if s.nested[path] != n {
			t.Errorf("nested[%s] = %d, want %d", path, s.nested[path], n)
		}
	}
}

// TestSpillBigRecord checks a record larger than the encode buffer's flush
// point: it is written in pieces and still decodes whole.
func TestSpillBigRecord(t *testing.T) {
	var b strings.Builder
	b.WriteString("<DISCUSSION><NAME>big</NAME><POSTS>")
	const posts = 300
	for i := 0; i < posts; i++ {
		fmt.Fprintf(&b, "<POST><ID>%d</ID><MESSAGE>%s &amp; %d</MESSAGE></POST>\n", i, strings.Repeat("m", 1000), i)
	}
	b.WriteString("</POSTS></DISCUSSION>")
	s := newSpill(filepath.Join(t.TempDir(), "spill"))
	defer s.close()
	for r := 0; r < 2; r++ {
		tk := NewScanTokenizer(strings.NewReader(b.String()))
		tk.Next()
		if err := s.addFrom("DISCUSSIONS/DISCUSSION", tk, "DISCUSSION"); err != nil {
			t.Fatal(err)
		}
	}
	records := 0
	err := s.each("DISCUSSIONS/DISCUSSION", func(n *Node) error {
		ps := n.All("POSTS/POST")
		if len(ps) != posts {
			t.Fatalf("record %d: %d posts, want %d", records, len(ps), posts)
		}
		for i, p := range ps {
			if want := fmt.Sprintf("%s & %d", strings.Repeat("m", 1000), i); p.Raw("MESSAGE") != want || p.Int("ID") != int64(i) {
				t.Fatalf("record %d post %d: %q", records, i, p.Raw("ID"))
			}
		}
		records++
		return nil
	})
	if err != nil || records != 2 {
		t.Fatalf("decoded %d records (%v), want 2", records, err)
	}
	if got := s.nested["DISCUSSIONS/DISCUSSION/POSTS/POST"]; got != 2*posts {
		t.Errorf("nested posts = %d, want %d", got, 2*posts)
	}
}
