package xmlscan

import "unicode/utf8"

// Unescape appends to dst the character data src with the five predefined
// entities and numeric character references resolved, and with CR LF and
// lone CR turned into LF, as an XML parser reports text. A malformed or
// unknown reference is copied as it is (the Scanner reports it as an
// error). It returns the extended slice.
func Unescape(dst, src []byte) []byte {
	for {
		i := 0
		for i < len(src) && src[i] != '&' && src[i] != '\r' {
			i++
		}
		dst = append(dst, src[:i]...)
		if i == len(src) {
			return dst
		}
		src = src[i:]
		if src[0] == '\r' {
			dst = append(dst, '\n')
			src = src[1:]
			if len(src) > 0 && src[0] == '\n' {
				src = src[1:]
			}
			continue
		}
		// src[0] == '&'
		semi := -1
		for k := 1; k < len(src) && k < maxRefLen; k++ {
			if src[k] == ';' {
				semi = k
				break
			}
		}
		if semi < 0 {
			dst = append(dst, '&')
			src = src[1:]
			continue
		}
		name := src[1:semi]
		if c := predefined(name); c != 0 {
			dst = append(dst, c)
			src = src[semi+1:]
			continue
		}
		if len(name) > 1 && name[0] == '#' {
			if r, ok := parseCharRef(name[1:]); ok && r <= utf8.MaxRune && !(r >= 0xD800 && r <= 0xDFFF) {
				dst = utf8.AppendRune(dst, r)
				src = src[semi+1:]
				continue
			}
		}
		dst = append(dst, '&')
		src = src[1:]
	}
}

// NextAttr splits the first attribute off raw attribute bytes as returned by
// Scanner.Attrs: name, the raw value between the quotes (use Unescape for
// the text), and the rest. ok is false when no attribute is left or the
// bytes are malformed.
func NextAttr(attrs []byte) (name, value, rest []byte, ok bool) {
	i := 0
	for i < len(attrs) && isSpace(attrs[i]) {
		i++
	}
	lo := i
	for i < len(attrs) && class[attrs[i]]&cNameCh != 0 {
		i++
	}
	if i == lo {
		return nil, nil, nil, false
	}
	name = attrs[lo:i]
	for i < len(attrs) && isSpace(attrs[i]) {
		i++
	}
	if i >= len(attrs) || attrs[i] != '=' {
		return nil, nil, nil, false
	}
	i++
	for i < len(attrs) && isSpace(attrs[i]) {
		i++
	}
	if i >= len(attrs) || attrs[i] != '"' && attrs[i] != '\'' {
		return nil, nil, nil, false
	}
	q := attrs[i]
	i++
	lo = i
	for i < len(attrs) && attrs[i] != q {
		i++
	}
	if i >= len(attrs) {
		return nil, nil, nil, false
	}
	return name, attrs[lo:i], attrs[i+1:], true
}
