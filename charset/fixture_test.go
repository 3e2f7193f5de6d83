package charset

import (
	"fmt"
	"html"
	"strings"
)

// Samples of text per charset, in the language of a pack that used it.
var samples = map[string]string{
	"iso-8859-1":   "Café crème brûlée, naïve façade à Noël",
	"windows-1252": "“Smart quotes” – dashes — and € signs…",
	"iso-8859-2":   "Příliš žluťoučký kůň úpěl ďábelské ódy",
	"iso-8859-4":   "Ķēniņš ēd ābolu un dzer ūdeni",
	"iso-8859-5":   "Привет, мир",
	"iso-8859-7":   "Καλημέρα κόσμε",
	"iso-8859-8-i": "שלום עולם",
	"iso-8859-9":   "Türkçe ğüşıöç İstanbul",
	"iso-8859-15":  "L'œuvre coûte 5 € à Montréal",
	"windows-1250": "Čćđšž Đurđevac, Hrvatska",
	"windows-1251": "Привет, мир! Ёлка и ёжик",
	"windows-1253": "Καλημέρα κόσμε, Ελλάδα",
	"windows-1254": "Türkçe ğüşıöç",
	"windows-1255": "שלום עולם",
	"windows-1256": "مرحبا بالعالم",
	"windows-1257": "Ąčęėįšųūž Lietuva",
	"windows-874":  "สวัสดีชาวโลก",
	"tis-620":      "สวัสดีชาวโลก ภาษาไทย",
	"koi8-r":       "Привет, мир",
	"koi8-u":       "Привіт, світе",
	"euc-jp":       "こんにちは世界、日本語のテキスト",
	"shift_jis":    "こんにちは世界、日本語",
	"euc-kr":       "안녕하세요 세계, 한국어",
	"gb18030":      "你好，世界。简体中文",
	"big5":         "你好，世界。繁體中文",
	"utf-8":        "日本語 ελληνικά русский",
}

// lift does what PHP's utf8_encode did to legacy bytes.
func lift(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// doc is a small moodle.xml.
type doc struct {
	backupVersion string
	courseLang    string
	users         []docUser
	summary       string // raw bytes as they go in the file (escaped already)
	posts         []docPost
	declEncoding  string
}

type docUser struct {
	id, lang, first string
	teacher         bool
}

type docPost struct {
	userID, message string
	lateUserID      bool // USERID after MESSAGE
}

func esc(s string) string {
	// htmlspecialchars on bytes: only ASCII is touched, so it is safe on
	// legacy bytes too.
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

func (d doc) String() string {
	var b strings.Builder
	enc := d.declEncoding
	if enc == "" {
		enc = "UTF-8"
	}
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"%s\"?>\n<MOODLE_BACKUP>\n  <INFO>\n    <NAME>backup.zip</NAME>\n", enc)
	fmt.Fprintf(&b, "    <BACKUP_VERSION>%s</BACKUP_VERSION>\n  </INFO>\n  <COURSE>\n    <HEADER>\n", d.backupVersion)
	fmt.Fprintf(&b, "      <FULLNAME>Course</FULLNAME>\n      <SUMMARY>%s</SUMMARY>\n      <LANG>%s</LANG>\n    </HEADER>\n", d.summary, d.courseLang)
	if len(d.users) > 0 {
		b.WriteString("    <USERS>\n")
		for _, u := range d.users {
			fmt.Fprintf(&b, "      <USER>\n        <ID>%s</ID>\n        <FIRSTNAME>%s</FIRSTNAME>\n        <LANG>%s</LANG>\n        <ROLES>\n", u.id, u.first, u.lang)
			if u.teacher {
				b.WriteString("          <ROLE>\n            <TYPE>teacher</TYPE>\n            <AUTHORITY>1</AUTHORITY>\n          </ROLE>\n")
			} else {
				b.WriteString("          <ROLE>\n            <TYPE>student</TYPE>\n          </ROLE>\n")
			}
			b.WriteString("        </ROLES>\n      </USER>\n")
		}
		b.WriteString("    </USERS>\n")
	}
	if len(d.posts) > 0 {
		b.WriteString("    <MODULES>\n      <MOD>\n        <ID>1</ID>\n        <MODTYPE>forum</MODTYPE>\n        <POSTS>\n")
		for i, p := range d.posts {
			fmt.Fprintf(&b, "          <POST>\n            <ID>%d</ID>\n", i+1)
			if !p.lateUserID {
				fmt.Fprintf(&b, "            <USERID>%s</USERID>\n", p.userID)
			}
			fmt.Fprintf(&b, "            <MESSAGE>%s</MESSAGE>\n", p.message)
			if p.lateUserID {
				fmt.Fprintf(&b, "            <USERID>%s</USERID>\n", p.userID)
			}
			b.WriteString("          </POST>\n")
		}
		b.WriteString("        </POSTS>\n      </MOD>\n    </MODULES>\n")
	}
	b.WriteString("  </COURSE>\n</MOODLE_BACKUP>\n")
	return b.String()
}

// liftedIn encodes s in charset name and lifts it, as a 1.5 backup did.
func liftedIn(name, s string) string {
	cs, err := Lookup(name)
	if err != nil {
		panic(err)
	}
	b, err := cs.Encode(s)
	if err != nil {
		panic(err)
	}
	return esc(lift(b))
}

// rawIn encodes s in charset name (a hand-edited file with legacy bytes).
func rawIn(name, s string) string {
	cs, _ := Lookup(name)
	b, err := cs.Encode(s)
	if err != nil {
		panic(err)
	}
	return esc(string(b))
}

// textOf returns the unescaped text of the first element named name.
func textOf(xml, name string) string {
	i := strings.Index(xml, "<"+name+">")
	if i < 0 {
		return "<missing>"
	}
	rest := xml[i+len(name)+2:]
	j := strings.Index(rest, "</"+name+">")
	return html.UnescapeString(rest[:j])
}

func allTexts(xml, name string) []string {
	var out []string
	for {
		i := strings.Index(xml, "<"+name+">")
		if i < 0 {
			return out
		}
		xml = xml[i+len(name)+2:]
		j := strings.Index(xml, "</"+name+">")
		out = append(out, html.UnescapeString(xml[:j]))
		xml = xml[j:]
	}
}
