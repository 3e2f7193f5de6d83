package repair

import (
	"fmt"
	"slices"
	"strings"
)

// The end of a rebuilt attribute value is unknowable in general (the closing
// quote and '>' are gone), so each kind of value is read by its own grammar,
// and every guess that the grammar cannot confirm adds doubt, which lowers the
// field's confidence.

// unknown is the doubt of a value end no rule could find (the whole run is
// taken): about one guess in three is wrong.
const unknown = 0.5

// lookahead bounds how far a value may reach, so a field full of attribute
// shapes stays linear.
const lookahead = 2048

// valueEnd returns where the value of an attribute of kind starting at d[v]
// ends. tag is the element being rebuilt.
func (r *rebuilder) valueEnd(kind valueKind, tag string, ti tagInfo, v int) int {
	d := r.d
	// The value stays on its line, within the look-ahead.
	limit := min(len(d), v+lookahead, r.nl.next(d, v, '\n'), r.cr.next(d, v, '\r'))
	// The next attribute of this tag (" name=") or the " /" of a void tag
	// end the value for sure, unless an end tag comes first.
	hard := -1
	stop := min(limit, r.endTagIn(v, limit))
	// The spaces of d[v:stop] in order, as far as one ends the value; only
	// those before an attribute name (or, in a void tag, a '/') can.
	for p := r.hardCandidate(v, stop, ti.void); p >= 0; p = r.hardCandidate(p+1, stop, ti.void) {
		if ti.void && p+1 < len(d) && d[p+1] == '/' && !attrFollows(d, p+2, limit) {
			hard = p
			// alt="a / b" />: a later " /" right before an end tag or
			// the end of the field closes the tag instead.
			if p+2 < len(d) && d[p+2] == ' ' {
				if q := strings.Index(d[p+2:min(limit, p+82)], " /"); q >= 0 {
					q += p + 2
					if q+2 == len(d) || q+2 < len(d) && d[q+2] == '/' {
						hard = q
					}
				}
			}
			break
		}
		if an := r.attrAt(p + 1); an != "" {
			// "…eduimg src=": the attribute belongs to a new tag glued
			// to this value; this value ends where that tag's name starts.
			if w := wordBefore(d, v, p); w != "" {
				if name, _, ok := tagSuffix(w); ok && attrFits(name, an) && !(kind == vText && len(name) == len(w)) {
					limit = p - len(name)
					hard = limit
					break
				}
			}
			hard = p
			break
		}
	}
	e, doubt := r.scanValue(kind, tag, ti, v, limit, hard)
	if doubt > 0 {
		if r.trace != nil {
			r.addDoubt(doubt, fmt.Sprintf("value end %s %.2f", strings.ToLower(d[strings.LastIndexByte(d[:v-1], ' ')+1:v-1]), doubt), "", v)
		} else {
			r.doubt += doubt
		}
	}
	if e < v {
		e = v
	}
	return e
}

// byteCursor finds the next occurrence of a byte in a field, remembering
// the last answer so that queries moving forward scan each byte once.
type byteCursor struct {
	from, at int // the first c at or after from is at d[at] (len(d): none); at < from: unknown
}

// next returns the index of the first c in d at or after i, or len(d).
func (b *byteCursor) next(d string, i int, c byte) int {
	if i < b.from || i > b.at {
		b.from = i
		if k := strings.IndexByte(d[min(i, len(d)):], c); k >= 0 {
			b.at = i + k
		} else {
			b.at = len(d)
		}
	}
	return b.at
}

// hardCandidate returns the first space p in d[from:stop] that may end an
// attribute value for sure: one right before an attribute name and its
// '=' (found from the '=', as attrAt would see it) or, when void, right
// before a '/'; or -1.
func (r *rebuilder) hardCandidate(from, stop int, void bool) int {
	d := r.d
	best := -1
	for x := from + 1; x < stop+1+maxAttrName; {
		e := r.eq.next(d, x, '=')
		if e >= len(d) || e-maxAttrName-1 >= stop {
			break
		}
		ns := e
		for ns > from+1 && (isAlpha(d[ns-1]) || d[ns-1] == ':') {
			ns--
		}
		if p := ns - 1; ns < e && p >= from && p < stop && d[p] == ' ' {
			best = p
			break
		}
		x = e + 1
	}
	if void {
		sl := r.slashList()
		k, _ := slices.BinarySearch(sl, from+1)
		for ; k < len(sl) && sl[k]-1 < stop && (best < 0 || sl[k]-1 < best); k++ {
			if d[sl[k]-1] == ' ' {
				return sl[k] - 1
			}
		}
	}
	return best
}

// attrFollows reports whether another " name=" comes in d[p:limit] before
// the next " /": then a " /" before p was text inside a value (alt="a / b").
func attrFollows(d string, p, limit int) bool {
	if limit > p+80 {
		limit = p + 80
	}
	for q := p; q < limit; q++ {
		if d[q] == '/' {
			return false // an end tag or another self-close comes first
		}
		if d[q] != ' ' {
			continue
		}
		if an := attrAt(d, q+1); an != "" {
			// "… / Image text span style=": a new tag, not more of this one.
			if name, _, ok := tagSuffix(wordBefore(d, p, q)); ok && attrFits(name, an) {
				return false
			}
			return true
		}
	}
	return false
}

// wordBefore returns the alphanumeric run of d[v:p] that ends at p.
func wordBefore(d string, v, p int) string {
	k := p
	for k > v && isAlnum(d[k-1]) {
		k--
	}
	return d[k:p]
}

// attrFits reports whether attribute attr is usual on element tag (for
// telling a glued new tag from the next attribute of this one).
func attrFits(tag, attr string) bool {
	tag, attr = lower(tag), lower(attr)
	switch tag {
	case "a":
		return attr == "href" || attr == "name"
	case "img":
		return attr == "src"
	case "font":
		return attr == "color" || attr == "face" || attr == "size"
	case "span", "div", "p":
		return attr == "style" || attr == "class"
	case "table":
		return attr == "border" || attr == "cellpadding" || attr == "cellspacing"
	}
	return false
}

// endTagIn returns the index of the first "/name" of a known element in
// d[v:limit] that is followed by a non-alphanumeric byte, or limit.
func (r *rebuilder) endTagIn(v, limit int) int {
	k, _ := slices.BinarySearch(r.endTags, v)
	for {
		for ; k < len(r.endTags); k++ {
			p := r.endTags[k]
			if p < v {
				continue // found by moreEndTags on its way to v
			}
			if p >= limit {
				return limit
			}
			// The limit cuts off no tag name, nor the block tag after
			// it, so the check done without one holds.
			if p+1+2*maxTagName <= limit || r.endTagAt(p, limit) {
				return p
			}
		}
		if !r.moreEndTags(limit) {
			return limit
		}
	}
}

// moreEndTags extends endTags, the positions of the '/' where endTagIn may
// stop when no limit cuts the text short (a limit only takes candidates
// away, so endTagIn looks at these alone), by the next one before limit.
// The slashes are looked at once per field, and only as far as asked.
func (r *rebuilder) moreEndTags(limit int) bool {
	sl := r.slashList()
	for r.slashesSeen < len(sl) && sl[r.slashesSeen] < limit {
		p := sl[r.slashesSeen]
		r.slashesSeen++
		if r.endTagAt(p, len(r.d)) {
			r.endTags = append(r.endTags, p)
			return true
		}
	}
	return false
}

// endTagAt reports whether the '/' at d[p] starts the end tag of a known
// element, followed by a non-alphanumeric byte or a block tag, within
// d[:limit].
func (r *rebuilder) endTagAt(p, limit int) bool {
	d := r.d
	s := d[p+1 : limit]
	if s == "" {
		return false
	}
	for _, k := range tagFirst[s[0]] {
		n := tagNamesByLen[k]
		if len(n) > len(s) || tagInfos[k].void {
			continue
		}
		if w := s[:len(n)]; w != n && w != tagNamesUpper[k] {
			continue
		}
		if e := p + 1 + len(n); e == len(d) || !isAlnum(d[e]) || blockTagStarts(d[e:limit]) {
			return true
		}
	}
	return false
}

func (r *rebuilder) scanValue(kind valueKind, tag string, ti tagInfo, v, limit, hard int) (int, float64) {
	d := r.d
	switch kind {
	case vURL:
		runEnd := v
		for runEnd < limit && d[runEnd] != ' ' {
			runEnd++
		}
		run := d[v:runEnd]
		// The element's own end tag inside the run: <a href="x"></a>.
		end := len(run)
		for k := 0; k+1+len(tag) <= len(run); k++ {
			s := strings.IndexByte(run[k:len(run)-len(tag)], '/')
			if s < 0 {
				break
			}
			k += s
			if run[k+1:k+1+len(tag)] != tag {
				continue
			}
			e := k + 1 + len(tag)
			if e == len(run) || !isAlnum(run[e]) && run[e] != '.' && run[e] != '-' && run[e] != '_' || blockTagStarts(run[e:]) {
				end = k
				break
			}
		}
		if runEnd == hard && end == len(run) {
			return runEnd, 0
		}
		// A path with a space ("week 1/notes.doc") up to the next attribute.
		if hard > runEnd && end == len(run) && r.endTagIn(runEnd, hard) == hard {
			if gap := d[runEnd:hard]; strings.ContainsAny(gap, "/.") && !strings.Contains(gap, "  ") {
				return hard, 0.1
			}
		}
		c, doubt := urlCut(run[:end])
		return v + c, doubt
	case vNumber:
		p := v
		for p < limit && isDigit(d[p]) {
			p++
		}
		if p == v {
			return r.scanIdent(v, limit, hard, tag)
		}
		if p+1 < limit && d[p] == '.' && isDigit(d[p+1]) {
			p++
			for p < limit && isDigit(d[p]) {
				p++
			}
		}
		if p-v > 3 && p < limit && (d[p] == ' ' || isAlpha(d[p])) {
			// width="227" then text "448 exam": 227448 is no size.
			return v + 3, 0.3
		}
		if p < limit && d[p] == '%' {
			p++
		} else if strings.HasPrefix(d[p:limit], "px") {
			p += 2
		}
		return p, 0
	case vEnum:
		if w := prefixIn(d[v:limit], &enumWordsIx, false); w != "" {
			e := v + len(w)
			if e < len(d) && e != hard && isLower(d[e]) && w[0] != '_' {
				return e, 0.05
			}
			return e, 0
		}
		return r.scanIdent(v, limit, hard, tag)
	case vColor:
		if v < limit && d[v] == '#' {
			h := v + 1
			for h < limit && isHex(d[h]) {
				h++
			}
			switch n := h - v - 1; {
			case n >= 6:
				return v + 7, 0
			case n >= 3:
				return v + 4, 0.1
			}
		}
		if w := prefixIn(d[v:limit], &colorNamesIx, true); w != "" {
			return v + len(w), 0
		}
		return r.scanIdent(v, limit, hard, tag)
	case vStyle:
		return r.scanStyle(v, limit, hard)
	case vFont:
		p := v
		for {
			w := prefixIn(d[p:limit], &fontNamesIx, false)
			if w == "" {
				break
			}
			p += len(w)
			if strings.HasPrefix(d[p:limit], ", ") {
				p += 2
			} else if strings.HasPrefix(d[p:limit], ",") {
				p++
			} else {
				break
			}
		}
		if p == v {
			return r.scanIdent(v, limit, hard, tag)
		}
		return p, 0
	case vText:
		if hard >= 0 {
			return hard, 0
		}
		// Free text running into the element's text: cut where a URL
		// starts (the link shows its address), before a usual link word
		// (title=Notes forhere), or where a capital follows a lower-case
		// letter (title=Footer duringHenry).
		end := r.endTagIn(v, limit)
		txt := d[v:end]
		if h := strings.TrimPrefix(strings.TrimPrefix(r.href, "http://"), "https://"); len(h) > 3 {
			if k := strings.Index(txt, h); k > 0 {
				return v + k, 0.05 // the link shows its address
			}
		}
		for _, sc := range urlSchemes {
			if k := strings.Index(txt, sc); k > 0 && isAlnum(txt[k-1]) {
				return v + k, 0.1
			}
		}
		if c := linkWordCut(txt); c > 0 && isAlnum(txt[c-1]) {
			return v + c, 0.1
		}
		if c := firstCaseCut(txt); c > 0 {
			return v + c, 0.2
		}
		e, _ := r.scanIdent(v, limit, hard, tag)
		return e, unknown
	}
	return r.scanIdent(v, limit, hard, tag)
}

// scanIdent reads a one-word value (class, id, name) that may run into the
// element's text.
func (r *rebuilder) scanIdent(v, limit, hard int, tag string) (int, float64) {
	d := r.d
	p := v
	for p < limit && (isAlnum(d[p]) || d[p] == '_' || d[p] == '-' || d[p] == ':' || d[p] == '.') {
		p++
	}
	if p == hard || p == len(d) {
		return p, 0
	}
	run := d[v:p]
	if w := prefixIn(run, &identWordsIx, false); w != "" && (len(w) == len(run) || !isLower(run[len(w)])) {
		return v + len(w), 0
	}
	// The element's first child glued on: class=templatetrtd.
	for k := 1; k < len(run); k++ {
		if childStarts(lower(tag), run[k:]) && r.hasEndLater(v+k, run[k:k+2]) {
			return v + k, 0.1
		}
	}
	if p < len(d) && d[p] == '/' && strings.EqualFold(tag, "a") && strings.HasPrefix(d[p+1:], tag) {
		return p, 0 // an empty anchor: <a name="top"></a>
	}
	if c := caseCut(run); c > 0 {
		return v + c, 0.1
	}
	return p, unknown
}

// scanStyle reads CSS declarations "prop: value; prop: value;".
func (r *rebuilder) scanStyle(v, limit, hard int) (int, float64) {
	d := r.d
	p := v
	decls := 0
	for {
		prop := cssPropAt(d[:limit], p)
		if prop == "" {
			break
		}
		decls++
		p += len(prop) + 1
		for p < limit && d[p] == ' ' {
			p++
		}
		e := cssValueEnd(d[:limit], p)
		if e == p {
			return p, unknown
		}
		p = e
		if p < limit && d[p] == ';' {
			p++
			if p+1 < limit && d[p] == ' ' && cssPropAt(d[:limit], p+1) != "" {
				p++
				continue
			}
			if cssPropAt(d[:limit], p) != "" {
				continue
			}
			return p, 0
		}
		// A last declaration without ';': its value grammar decides.
		if p == hard || p == len(d) || p < len(d) && !isLower(d[p]) {
			return p, 0
		}
		return p, 0.15
	}
	if decls == 0 {
		if hard >= 0 {
			return hard, 0.3
		}
		e, _ := r.scanIdent(v, limit, hard, "")
		return e, unknown
	}
	return p, 0
}

// cssPropAt returns a known CSS property name followed by ':' at s[p:].
func cssPropAt(s string, p int) string {
	e := p
	for e < len(s) && (isLower(s[e]) || s[e] == '-') {
		e++
	}
	if e == p || e >= len(s) || s[e] != ':' || !cssProps[s[p:e]] {
		return ""
	}
	return s[p:e]
}

// cssValueEnd reads a CSS value made of known tokens from s[p:].
func cssValueEnd(s string, p int) int {
	for {
		t := cssToken(s, p)
		if t == 0 {
			return p
		}
		p += t
		switch {
		case p < len(s) && s[p] == ',':
			q := p + 1
			if q < len(s) && s[q] == ' ' {
				q++
			}
			if cssToken(s, q) == 0 {
				return p
			}
			p = q
		case p+1 < len(s) && s[p] == ' ' && cssToken(s, p+1) > 0:
			p++
		default:
			return p
		}
	}
}

// cssToken returns the length of the CSS value token at s[p:], or 0.
func cssToken(s string, p int) int {
	if p >= len(s) {
		return 0
	}
	c := s[p]
	switch {
	case c == '\'':
		if k := strings.IndexByte(s[p+1:], '\''); k >= 0 && k < 64 {
			return k + 2
		}
		return 0
	case c == '#':
		h := p + 1
		for h < len(s) && isHex(s[h]) {
			h++
		}
		switch n := h - p - 1; {
		case n >= 6:
			return 7
		case n >= 3:
			return 4
		}
		return 0
	case c == '!':
		if strings.HasPrefix(s[p:], "!important") {
			return len("!important")
		}
		return 0
	case strings.HasPrefix(s[p:], "rgb(") || strings.HasPrefix(s[p:], "url("):
		if k := strings.IndexByte(s[p:], ')'); k >= 0 && k < 256 {
			return k + 1
		}
		return 0
	case isDigit(c) || c == '-' || c == '.':
		q := p
		if c == '-' {
			q++
		}
		d0 := q
		for q < len(s) && (isDigit(s[q]) || s[q] == '.') {
			q++
		}
		if q == d0 {
			break
		}
		if u := prefixIn(s[q:], &cssUnitsIx, false); u != "" {
			q += len(u)
		}
		return q - p
	}
	if w := prefixIn(s[p:], &cssKeywordsIx, false); w != "" {
		return len(w)
	}
	return 0
}

// prefixIn returns the first (longest) word of list that starts s; ix is
// the list indexed by first byte (wordsByFirst), fold whether case is ignored.
func prefixIn(s string, ix *[256][]string, fold bool) string {
	if s == "" {
		return ""
	}
	for _, w := range ix[s[0]] {
		if len(w) > len(s) {
			continue
		}
		if s[:len(w)] == w || fold && strings.EqualFold(s[:len(w)], w) {
			return s[:len(w)]
		}
	}
	return ""
}

// wordsByFirst indexes list by first byte (both cases of an ASCII letter),
// keeping its order, for prefixIn: a word can only start s when its first
// byte is s's (case aside), and the vocabularies are ASCII.
func wordsByFirst(list []string) (ix [256][]string) {
	for _, w := range list {
		if w == "" || w[0] >= 0x80 {
			panic("repair: vocabulary word not ASCII: " + w)
		}
		c := w[0]
		ix[c] = append(ix[c], w)
		if isAlpha(c) {
			ix[c^0x20] = append(ix[c^0x20], w)
		}
	}
	return ix
}

var (
	enumWordsIx   = wordsByFirst(enumWords)
	colorNamesIx  = wordsByFirst(colorNames)
	fontNamesIx   = wordsByFirst(fontNames)
	identWordsIx  = wordsByFirst(identWords)
	cssUnitsIx    = wordsByFirst(cssUnits)
	cssKeywordsIx = wordsByFirst(cssKeywords)
	fileExtsIx    = wordsByFirst(fileExts)
	tldsIx        = wordsByFirst(tlds)
)

// caseCut returns the last index where a lower-case letter, digit or '/'
// is followed by an upper-case letter (text glued after a value:
// "PowerPointIdeas"), or 0.
func caseCut(s string) int {
	for i := len(s) - 1; i >= 1; i-- {
		if isUpper(s[i]) && (isLower(s[i-1]) || isDigit(s[i-1]) || s[i-1] == '/') {
			return i
		}
	}
	return 0
}

// firstCaseCut is caseCut's first such index, for free text (a title runs
// into the link text: "Footer duringHenry points"); a non-ASCII letter
// before the capital counts as lower case ("résuméEssay").
func firstCaseCut(s string) int {
	for i := 1; i < len(s); i++ {
		if isUpper(s[i]) && (isLower(s[i-1]) || isDigit(s[i-1]) || s[i-1] >= 0x80) {
			return i
		}
	}
	return 0
}

var urlSchemes = []string{"http://", "https://", "ftp://", "mailto:", "www."}

// lastTokenEnd returns the index of the last "@$" in run (the end of an
// encoded link token), or -1.
func lastTokenEnd(run string) int {
	if strings.IndexByte(run, '$') < 0 {
		return -1
	}
	return strings.LastIndex(run, "@$")
}

// urlCut returns where a URL ends in run, which may continue with the link's
// text, and the doubt of that guess.
func urlCut(run string) (int, float64) {
	n := len(run)
	if n == 0 {
		return 0, 0
	}
	// URLs are written in ASCII (percent-encoded); a raw non-ASCII byte is
	// where the link text starts.
	for i := 1; i < n; i++ {
		if run[i] >= 0x80 {
			if isAlnum(run[i-1]) || run[i-1] == '/' || run[i-1] == '=' {
				c, dbt := urlCut(run[:i])
				if c == i || dbt >= unknown {
					return i, 0.05
				}
				return c, dbt
			}
			break
		}
	}
	p := 0
	// Encoded link tokens ($@FORUMVIEWBYID*12@$) end cleanly.
	// (Most URLs hold no '$': one vectorised scan spares the byte-by-byte
	// search from the end.)
	if i := lastTokenEnd(run); i > 0 && strings.Contains(run[:i], "$@") {
		e := i + 2
		if e == n {
			return n, 0
		}
		open := strings.LastIndex(run[:i], "$@")
		name := run[open+2 : i]
		rest := run[e:]
		switch {
		case strings.HasPrefix(name, "FILEPHP") || name == "SLASH":
			p = e
		case strings.HasPrefix(rest, "amp;") || rest[0] == '#' || rest[0] == '?':
			p = e
		default:
			return e, 0
		}
	}
	// The link text repeats a URL: http://x.orghttp://x.org, …www.x.org.
	for _, s := range urlSchemes {
		if k := strings.Index(run[p+1:], s); k >= 0 {
			q := p + 1 + k
			if c := run[q-1]; c != '/' && c != '.' && c != ':' && c != '=' {
				return q, 0
			}
		}
	}
	for c := (n + 1) / 2; c <= n-4; c++ {
		if run[c-1] == run[n-1] && strings.HasSuffix(run[:c], run[c:]) {
			return c, 0
		}
	}
	// Scheme and host.
	for _, s := range []string{"http://", "https://", "ftp://"} {
		if strings.HasPrefix(run, s) {
			p = len(s)
			break
		}
	}
	if strings.HasPrefix(run, "mailto:") {
		// An address has no path: the host ends at its top-level domain.
		p = len("mailto:")
		if k := strings.IndexByte(run[p:], '@'); k >= 0 {
			p += k + 1
		}
		h := p
		for h < n && (isAlnum(run[h]) || run[h] == '.' || run[h] == '-') {
			h++
		}
		return hostCut(run[:h], p)
	}
	if p > 0 && p < n && run[p-1] != '$' {
		h := p
		for h < n && (isAlnum(run[h]) || run[h] == '.' || run[h] == '-' || run[h] == ':' || run[h] >= 0x80) {
			h++
		}
		if h == n {
			return hostCut(run, p)
		}
		p = h
	}
	// Path: the last segment may end with a known extension. A '?' not
	// followed by key= is text ("Unit?"), not a query.
	qs := -1 // strings.IndexAny(run[p:], "?#"), without building a set
	for k := p; k < n; k++ {
		if run[k] == '?' || run[k] == '#' {
			qs = k - p
			break
		}
	}
	if qs >= 0 && run[p+qs] == '?' && !queryKeyAt(run, p+qs+1) {
		qs = -1
	}
	pathEnd := n
	if qs >= 0 {
		pathEnd = p + qs
	}
	segStart := p
	if k := strings.LastIndexByte(run[p:pathEnd], '/'); k >= 0 {
		segStart = p + k + 1
	}
	if k := strings.LastIndex(run[p:pathEnd], "@$"); k >= 0 && p+k+2 > segStart {
		segStart = p + k + 2
	}
	seg := run[segStart:pathEnd]
	for q := 0; q < len(seg); q++ {
		if seg[q] != '.' {
			continue
		}
		ext := prefixIn(seg[q+1:], &fileExtsIx, true)
		if ext == "" {
			continue
		}
		e := q + 1 + len(ext)
		if e == len(seg) {
			break // the extension ends the path
		}
		if isAlnum(seg[e]) || seg[e] == '_' || seg[e] == '-' || seg[e] == '\'' || seg[e] >= 0x80 {
			if isLower(seg[e]) {
				return segStart + e, 0.1
			}
			return segStart + e, 0
		}
	}
	if pathEnd == n {
		if c := caseCut(seg); c > 0 {
			return segStart + c, 0.1
		}
		if c := linkWordCut(seg); c > 0 || c == 0 && segStart > 0 && run[segStart-1] == '/' {
			return segStart + c, 0.1
		}
		if len(seg) > 0 && isUpper(seg[0]) && segStart > 0 && run[segStart-1] == '/' {
			return segStart, 0.2
		}
		if seg == "" {
			return n, 0.3 // a trailing slash: text may follow or not
		}
		return n, unknown
	}
	// Query: key=value pairs joined by "amp;" (from &amp;).
	q := pathEnd
	if run[q] == '?' {
		q++
		for {
			k := q
			for k < n && (isAlnum(run[k]) || run[k] == '_' || run[k] == '-' || run[k] == '[' || run[k] == ']') {
				k++
			}
			if k == q || k >= n || run[k] != '=' {
				return q, unknown
			}
			v := k + 1
			// The value runs to the next "amp;key=" or '#'.
			e := v
			next := -1
			for e < n {
				if run[e] == '#' {
					next = e
					break
				}
				if strings.HasPrefix(run[e:], "amp;") && queryKeyAt(run, e+4) {
					next = e + 4
					break
				}
				e++
			}
			if next >= 0 {
				if run[next] == '#' {
					q = next
					break
				}
				q = next
				continue
			}
			// The last value: digits end cleanly before text.
			dl := v
			for dl < n && isDigit(run[dl]) {
				dl++
			}
			if dl > v {
				if dl == n || !isAlnum(run[dl]) && run[dl] != '_' && run[dl] != '-' && run[dl] != '.' {
					return dl, 0
				}
				if isLower(run[dl]) {
					return dl, 0.05
				}
				return dl, 0
			}
			if c := caseCut(run[v:]); c > 0 {
				return v + c, 0.1
			}
			if c := linkWordCut(run[v:]); c > 0 {
				return v + c, 0.1
			}
			return n, unknown
		}
	}
	// Fragment.
	if q < n && run[q] == '#' {
		if c := caseCut(run[q+1:]); c > 0 {
			return q + 1 + c, 0.1
		}
	}
	return n, unknown
}

// linkWords are how link texts commonly start in lower case ("click
// here"); a URL value glued to one of them ends there.
var linkWords = []string{"here", "this", "the", "click", "more", "link", "read", "see", "download", "view", "open", "go to"}

// linkWordFirst marks the first bytes of the linkWords.
var linkWordFirst = func() (t [256]bool) {
	for _, w := range linkWords {
		t[w[0]] = true
	}
	return t
}()

// linkWordCut returns the last index of s where a link word starts the
// rest, or -1.
func linkWordCut(s string) int {
	for c := len(s) - 1; c >= 0; c-- {
		if !linkWordFirst[s[c]] {
			continue // no link word starts with this byte
		}
		for _, w := range linkWords {
			if strings.HasPrefix(s[c:], w) && (c+len(w) == len(s) || !isAlpha(s[c+len(w)])) {
				return c
			}
		}
	}
	return -1
}

func queryKeyAt(s string, p int) bool {
	k := p
	for k < len(s) && (isAlnum(s[k]) || s[k] == '_' || s[k] == '-') {
		k++
	}
	return k > p && k < len(s) && s[k] == '='
}

// hostCut ends a URL that is only a host glued to text: the host must end
// with a known top-level domain.
func hostCut(run string, p int) (int, float64) {
	n := len(run)
	dot := strings.LastIndexByte(run[p:], '.')
	if dot < 0 {
		return n, unknown
	}
	dot += p
	label := run[dot+1:]
	for _, t := range tlds {
		if strings.EqualFold(label, t) {
			return n, 0
		}
	}
	if t := prefixIn(label, &tldsIx, true); t != "" {
		e := dot + 1 + len(t)
		if isLower(run[e]) {
			return e, 0.1
		}
		return e, 0
	}
	return n, unknown
}
