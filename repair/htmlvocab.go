package repair

import "strings"

// The closed vocabularies the HTML rebuild relies on (repairs.md §3.4): tag
// names, attribute names and the shapes of their values, entity names, CSS
// properties and keywords, file extensions and top-level domains. Anything
// outside these lists is treated as text.

// tagInfo describes one HTML element name of the closed list.
type tagInfo struct {
	void  bool // no end tag: br, hr, img
	block bool // starts at a block boundary (after another block tag or at the start)
	// "<name>" and "</name>", in the case the name is written in (set in
	// tagInfos and tagInfosUpper, so rebuilding them does not allocate),
	// and the same XML-escaped ("&lt;name&gt;").
	open, close       string
	escOpen, escClose string
	// "<name />" (br, hr), and the same XML-escaped.
	selfClose, escSelfClose string
}

var htmlTags = map[string]tagInfo{
	"p": {block: true}, "div": {block: true}, "center": {block: true},
	"h1": {block: true}, "h2": {block: true}, "h3": {block: true},
	"h4": {block: true}, "h5": {block: true}, "h6": {block: true},
	"ul": {block: true}, "ol": {block: true}, "li": {block: true},
	"table": {block: true}, "tbody": {block: true}, "thead": {block: true},
	"tr": {block: true}, "td": {block: true}, "th": {block: true},
	"blockquote": {block: true}, "pre": {block: true},
	"a": {}, "b": {}, "i": {}, "u": {}, "em": {}, "strong": {}, "span": {},
	"sub": {}, "sup": {}, "font": {},
	"br": {void: true}, "hr": {void: true, block: true}, "img": {void: true},
}

// tagNamesByLen lists the tag names longest first, for longest-match scans;
// tagNamesUpper holds the same names in upper case (old editors wrote <P>).
var (
	tagNamesByLen = sortedByLen(keys(htmlTags))
	tagNamesUpper = upperAll(tagNamesByLen)
	tagInfos      = infos(tagNamesByLen, tagNamesByLen)
	tagInfosUpper = infos(tagNamesByLen, tagNamesUpper)
)

// maxTagName is the length of the longest tag name.
var maxTagName = len(tagNamesByLen[0])

// infos returns the tagInfo of each of names (lower case), with its
// tags written as in written.
func infos(names, written []string) []tagInfo {
	ti := make([]tagInfo, len(names))
	for i, n := range names {
		ti[i] = htmlTags[n]
		ti[i].open, ti[i].close = "<"+written[i]+">", "</"+written[i]+">"
		ti[i].escOpen, ti[i].escClose = "&lt;"+written[i]+"&gt;", "&lt;/"+written[i]+"&gt;"
		ti[i].selfClose, ti[i].escSelfClose = "<"+written[i]+" />", "&lt;"+written[i]+" /&gt;"
	}
	return ti
}

// byFirst and byLast index names (and their upper-case forms) by their
// first and last byte, keeping the longest-first order.
func byFirst(names, upper []string) [256][]int {
	var ix [256][]int
	for k := range names {
		ix[names[k][0]] = append(ix[names[k][0]], k)
		if upper[k][0] != names[k][0] {
			ix[upper[k][0]] = append(ix[upper[k][0]], k)
		}
	}
	return ix
}

func byLast(names, upper []string) [256][]int {
	var ix [256][]int
	for k := range names {
		l, u := names[k][len(names[k])-1], upper[k][len(upper[k])-1]
		ix[l] = append(ix[l], k)
		if u != l {
			ix[u] = append(ix[u], k)
		}
	}
	return ix
}

// blockFirst tells the bytes a block element's name may start with.
var blockFirst = func() (ix [256]bool) {
	for n, ti := range htmlTags {
		if ti.block {
			ix[n[0]] = true
			ix[strings.ToUpper(n)[0]] = true
		}
	}
	return ix
}()

// blockOrVoidFirst is tagFirst of the block and void elements only.
var blockOrVoidFirst = func() (ix [256][]int) {
	for c, ks := range tagFirst {
		for _, k := range ks {
			if tagInfos[k].block || tagInfos[k].void {
				ix[c] = append(ix[c], k)
			}
		}
	}
	return ix
}()

var (
	tagFirst  = byFirst(tagNamesByLen, tagNamesUpper)
	tagLast   = byLast(tagNamesByLen, tagNamesUpper)
	attrFirst = byFirst(attrNamesByLen, attrNamesUpper)
)

func upperAll(names []string) []string {
	u := make([]string, len(names))
	for i, n := range names {
		u[i] = strings.ToUpper(n)
	}
	return u
}

// lower returns the lower-case form of a vocabulary name written in upper
// case, without allocating for names already in lower case.
func lower(name string) string {
	if name == "" || !isUpper(name[0]) {
		return name
	}
	if l, ok := lowerNames[name]; ok {
		return l
	}
	return strings.ToLower(name)
}

// lowerNames maps the upper-case tag and attribute names to their lower
// case, so lower does not allocate for them.
var lowerNames = func() map[string]string {
	m := map[string]string{}
	for _, names := range [][]string{keys(htmlTags), keys(htmlAttrs)} {
		for _, n := range names {
			m[strings.ToUpper(n)] = n
		}
	}
	return m
}()

// valueKind is the grammar of an attribute value.
type valueKind uint8

const (
	vURL    valueKind = iota // href, src: no spaces
	vNumber                  // 12, 50%, 10px
	vEnum                    // align, valign, target …: a vocabulary word
	vColor                   // #ff0000 or a colour name
	vStyle                   // CSS declarations
	vIdent                   // class, id, name: one word
	vText                    // alt, title: free text
	vFont                    // face: a font list
)

var htmlAttrs = map[string]valueKind{
	"href": vURL, "src": vURL, "background": vURL, "longdesc": vURL, "cite": vURL, "action": vURL,
	"width": vNumber, "height": vNumber, "border": vNumber, "cellpadding": vNumber,
	"cellspacing": vNumber, "colspan": vNumber, "rowspan": vNumber, "size": vNumber,
	"hspace": vNumber, "vspace": vNumber, "start": vNumber,
	"align": vEnum, "valign": vEnum, "target": vEnum, "dir": vEnum, "type": vEnum,
	"clear": vEnum, "scope": vEnum, "nowrap": vEnum,
	"color": vColor, "bgcolor": vColor, "bordercolor": vColor,
	"style": vStyle,
	"class": vIdent, "id": vIdent, "name": vIdent, "lang": vIdent, "rel": vIdent, "xml:lang": vIdent,
	"alt": vText, "title": vText, "summary": vText,
	"face": vFont,
}

var (
	attrNamesByLen = sortedByLen(keys(htmlAttrs))
	attrNamesUpper = upperAll(attrNamesByLen)
	attrKinds      = func() []valueKind {
		k := make([]valueKind, len(attrNamesByLen))
		for i, n := range attrNamesByLen {
			k[i] = htmlAttrs[n]
		}
		return k
	}()
)

var enumWords = sortedByLen([]string{
	"left", "right", "center", "justify", "top", "middle", "bottom", "baseline",
	"absmiddle", "absbottom", "texttop", "_blank", "_self", "_parent", "_top",
	"ltr", "rtl", "disc", "circle", "square", "all", "none", "col", "row", "nowrap",
	"1", "a", "A", "i", "I",
})

var colorNames = sortedByLen([]string{
	"black", "white", "red", "green", "blue", "yellow", "orange", "purple", "gray", "grey",
	"silver", "maroon", "navy", "teal", "olive", "lime", "aqua", "fuchsia", "brown", "pink",
	"darkblue", "darkred", "darkgreen", "lightblue", "lightgrey", "lightgray", "transparent",
})

var cssProps = map[string]bool{
	"color": true, "background": true, "background-color": true, "background-image": true,
	"font": true, "font-family": true, "font-size": true, "font-weight": true, "font-style": true,
	"font-variant": true, "text-align": true, "text-decoration": true, "text-indent": true,
	"text-transform": true, "line-height": true, "letter-spacing": true, "word-spacing": true,
	"vertical-align": true, "white-space": true, "margin": true, "margin-left": true,
	"margin-right": true, "margin-top": true, "margin-bottom": true, "padding": true,
	"padding-left": true, "padding-right": true, "padding-top": true, "padding-bottom": true,
	"border": true, "border-left": true, "border-right": true, "border-top": true,
	"border-bottom": true, "border-color": true, "border-style": true, "border-width": true,
	"border-collapse": true, "width": true, "height": true, "float": true, "clear": true,
	"display": true, "list-style-type": true, "list-style": true, "mso-bidi-font-weight": true,
	"direction": true, "overflow": true, "position": true,
}

var cssKeywords = sortedByLen(append([]string{
	"bold", "bolder", "lighter", "normal", "italic", "oblique", "underline", "overline",
	"line-through", "none", "left", "right", "center", "justify", "top", "middle", "bottom",
	"baseline", "solid", "dashed", "dotted", "double", "inline", "block", "inline-block",
	"collapse", "separate", "auto", "inherit", "uppercase", "lowercase", "capitalize",
	"small-caps", "small", "medium", "large", "x-small", "x-large", "xx-small", "xx-large",
	"smaller", "larger", "nowrap", "pre", "disc", "circle", "square", "decimal",
	"lower-alpha", "upper-alpha", "lower-roman", "upper-roman", "hidden", "visible",
	"thin", "thick", "serif", "sans-serif", "monospace", "cursive", "fantasy",
	"ltr", "rtl", "both", "relative", "absolute", "static",
	"Arial", "Helvetica", "Verdana", "Tahoma", "Georgia", "Courier", "Courier New",
	"Times New Roman", "Times", "Trebuchet MS", "Comic Sans MS", "Calibri", "Cambria",
	"Garamond", "Impact", "Lucida Grande", "Symbol", "Wingdings",
}, colorNames...))

var fontNames = sortedByLen([]string{
	"Arial", "Helvetica", "Verdana", "Tahoma", "Georgia", "Courier", "Courier New",
	"Times New Roman", "Times", "Trebuchet MS", "Comic Sans MS", "Calibri", "Cambria",
	"Garamond", "Impact", "Lucida Grande", "Symbol", "Wingdings", "Arial Black",
	"serif", "sans-serif", "monospace", "cursive", "fantasy",
	"arial", "helvetica", "verdana", "tahoma", "georgia", "courier new", "times new roman",
})

var cssUnits = sortedByLen([]string{"px", "pt", "em", "ex", "%", "cm", "mm", "in", "pc"})

// identWords are class names common in pasted content whose end cannot be
// found from the characters alone (MsoNormalText).
var identWords = sortedByLen([]string{
	"MsoNormal", "MsoNormalTable", "MsoListParagraph", "MsoBodyText", "MsoTitle",
	"MsoSubtitle", "MsoHeading", "MsoQuote", "MsoTableGrid",
})

// fileExts are extensions that end a URL path unless ?, # or / follows.
var fileExts = sortedByLen([]string{
	"php", "html", "htm", "pdf", "doc", "docx", "ppt", "pptx", "pps", "xls", "xlsx",
	"odt", "ods", "odp", "rtf", "txt", "csv", "zip", "rar", "gz", "jpg", "jpeg", "gif",
	"png", "bmp", "svg", "mp3", "mp4", "wav", "wma", "wmv", "avi", "mov", "flv", "swf",
	"mpg", "mpeg", "ogg", "xml", "asp", "aspx", "jsp", "cfm", "shtml", "jar", "exe",
})

// tlds end a host name when letters follow without a slash.
var tlds = sortedByLen([]string{
	"com", "org", "net", "edu", "gov", "mil", "int", "info", "biz", "name", "museum",
	"uk", "de", "fr", "es", "it", "nl", "be", "ch", "at", "se", "no", "dk", "fi", "pl",
	"cz", "ru", "jp", "cn", "kr", "au", "nz", "ca", "us", "br", "ar", "mx", "in", "za",
	"ie", "pt", "gr", "tr", "hu", "ro", "il", "sg", "hk", "tw", "eu", "io", "cat",
})

// htmlEntities are the HTML 4 named character references.
var htmlEntities = wordSet(entityNames)

// commonWordEntities are entity names that are also ordinary words; a
// free-standing "not;" is the word followed by a semicolon, not &not;.
var commonWordEntities = wordSet(`not and or part sum int real image empty cap cup sub sup ring times
prop ang sim minus prime lang rang le ge ne ni pi mu nu xi chi phi psi eta beta zeta theta iota
delta alpha gamma kappa lambda sigma tau omega exist isin order divide piv rarr larr`)

// wordTailEntities are entity names that end ordinary words (percent;
// string; depart;), so they are not rebuilt when glued to a word.
var wordTailEntities = wordSet(`cent copy real ring part image empty times prime minus order exist
sect para bull circ macr loz nabla prop sube supe isin notin equiv crarr`)

// commonWords are frequent English words. When an inline element's start
// tag (b, i, u) must be found back in the text, a candidate that leaves a
// known word ("bwith" → <b>with) beats one that breaks a known word ("be").
var commonWords = wordSet(`a about above after again against all also always am among an and another
any are around as at away back bad be because been before being below best better between big bit
book books both but by call can case change city class come could course day days did different do
does done down during each early end even ever every example eye face fact family far feel few find
first follow for found four free friday from full get give go good great group had half hand has have
he head help her here high him his home house how however i idea ideas if important in information
into is it it's its just keep kind know large last late later lead learn least leave left less let
level life light like line list little live long look lot made make man many may me mean might
monday more most move much must my name need never new next night no not note notes now number of
off often old on once one only open or order other our out over own page part people place play
point points problem program public put question questions quite read real really right room run
said same saturday say school see seem several she should show side since small so some something
sometimes soon start state still story student students study such sunday system take team tell
test than that the their them then there these they thing things think this those three through
thursday time to today together too top tuesday turn two under until up upon us use used very want
was water way we wednesday week well were what when where which while who whole why will with
within without word words work world would write year years yes yet you your`)

func wordSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(words) {
		m[n] = true
	}
	return m
}

const entityNames = `nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy
reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12
frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml
Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave
Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil
egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde
ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml fnof Alpha Beta Gamma Delta
Epsilon Zeta Eta Theta Iota Kappa Lambda Mu Nu Xi Omicron Pi Rho Sigma Tau Upsilon Phi
Chi Psi Omega alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi
omicron pi rho sigmaf sigma tau upsilon phi chi psi omega thetasym upsih piv bull hellip
prime Prime oline frasl weierp image real trade alefsym larr uarr rarr darr harr crarr
lArr uArr rArr dArr hArr forall part exist empty nabla isin notin ni prod sum minus
lowast radic prop infin ang and or cap cup int there4 sim cong asymp ne equiv le ge sub
sup nsub sube supe oplus otimes perp sdot lceil rceil lfloor rfloor lang rang loz spades
clubs hearts diams quot amp lt gt apos OElig oelig Scaron scaron Yuml circ tilde ensp emsp
thinsp zwnj zwj lrm rlm ndash mdash lsquo rsquo sbquo ldquo rdquo bdquo dagger Dagger
permil lsaquo rsaquo euro`

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// sortedByLen sorts names longest first (then alphabetically), so the first
// match in a scan is the longest.
func sortedByLen(names []string) []string {
	s := append([]string(nil), names...)
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && (len(s[j]) > len(s[j-1]) || len(s[j]) == len(s[j-1]) && s[j] < s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}
