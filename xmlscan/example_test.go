package xmlscan_test

import (
	"fmt"
	"strings"

	"github.com/moodlemig/moodlemig/xmlscan"
)

func Example() {
	in := `<?xml version="1.0" encoding="UTF-8"?>
<MOODLE_BACKUP>
  <COURSE>
    <HEADER>
      <FULLNAME>Bio &amp; Co</FULLNAME>
    </HEADER>
  </COURSE>
</MOODLE_BACKUP>
`
	s := xmlscan.New(strings.NewReader(in), xmlscan.Options{})
	var text []byte
	for s.Next() {
		switch s.Kind() {
		case xmlscan.StartElement:
			text = text[:0]
		case xmlscan.CharData:
			text = s.AppendText(text)
		case xmlscan.EndElement:
			if string(s.Path()) == "MOODLE_BACKUP/COURSE/HEADER/FULLNAME" {
				fmt.Printf("course: %s (line %d)\n", text, s.Pos().Line)
			}
		}
	}
	if err := s.Err(); err != nil {
		fmt.Println("error:", err)
	}
	// Output: course: Bio & Co (line 5)
}

// In diagnose mode every error is reported and the scan goes on.
func Example_diagnose() {
	in := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MOODLE_BACKUP>\n  <FULLNAME>Caf\xe9 \x0c & co</FULLNAME>\n  <SUMMARY>ok</SUMMARY>\n</MOODLE_BACKUP>\n"
	opts := xmlscan.Options{OnError: func(e *xmlscan.SyntaxError) {
		fmt.Printf("%s %d:%d@%d %s\n", e.Kind, e.Pos.Line, e.Pos.Column, e.Pos.Offset, e.Path)
	}}
	s := xmlscan.New(strings.NewReader(in), opts)
	n := 0
	for s.Next() {
		n++
	}
	fmt.Println(n, "tokens, err:", s.Err())
	// Output:
	// invalid-utf8 3:16@70 MOODLE_BACKUP/FULLNAME
	// invalid-char 3:18@72 MOODLE_BACKUP/FULLNAME
	// entity 3:20@74 MOODLE_BACKUP/FULLNAME
	// 14 tokens, err: <nil>
}
