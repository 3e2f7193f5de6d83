package convert

import (
	"fmt"
	"strconv"
	"strings"
)

// phpValue is a value read from PHP serialize() output (block configdata).
type phpValue struct {
	kind  byte // 's', 'i', 'd', 'b', 'N', 'a', 'O'
	str   string
	class string    // 'O'
	pairs []phpPair // 'a', 'O'
}

type phpPair struct{ key, val phpValue }

// phpUnserialize reads PHP serialize() output. It is tolerant of string
// lengths that no longer match the bytes (text transcoded or repaired after
// 1.x wrote it): when s:N:"..." does not end where N says, the string ends
// at the first `";` that is followed by what may come next.
func phpUnserialize(s string) (phpValue, error) {
	p := &phpParser{s: s}
	v, err := p.value()
	if err != nil {
		return v, err
	}
	return v, nil
}

type phpParser struct {
	s   string
	pos int
}

func (p *phpParser) fail(msg string) error {
	return fmt.Errorf("php serialized data at byte %d: %s", p.pos, msg)
}

func (p *phpParser) until(c byte) (string, error) {
	i := strings.IndexByte(p.s[p.pos:], c)
	if i < 0 {
		return "", p.fail(fmt.Sprintf("no %q", c))
	}
	v := p.s[p.pos : p.pos+i]
	p.pos += i + 1
	return v, nil
}

func (p *phpParser) expect(lit string) error {
	if !strings.HasPrefix(p.s[p.pos:], lit) {
		return p.fail("want " + lit)
	}
	p.pos += len(lit)
	return nil
}

// plausibleNext reports whether a value or the end of an array can start at i.
func (p *phpParser) plausibleNext(i int) bool {
	if i >= len(p.s) {
		return true
	}
	rest := p.s[i:]
	if rest[0] == '}' {
		return true
	}
	for _, pre := range []string{"s:", "i:", "d:", "b:", "a:", "O:", "N;"} {
		if strings.HasPrefix(rest, pre) {
			return true
		}
	}
	return false
}

func (p *phpParser) value() (phpValue, error) {
	if p.pos+1 >= len(p.s) {
		return phpValue{}, p.fail("unexpected end")
	}
	kind := p.s[p.pos]
	if kind == 'N' {
		return phpValue{kind: 'N'}, p.expect("N;")
	}
	if err := p.expect(string(kind) + ":"); err != nil {
		return phpValue{}, err
	}
	switch kind {
	case 'i', 'd', 'b':
		v, err := p.until(';')
		return phpValue{kind: kind, str: v}, err
	case 's':
		ns, err := p.until(':')
		if err != nil {
			return phpValue{}, err
		}
		n, err := strconv.Atoi(ns)
		if err != nil || n < 0 {
			return phpValue{}, p.fail("bad string length")
		}
		if err := p.expect(`"`); err != nil {
			return phpValue{}, err
		}
		start := p.pos
		if end := start + n; end+2 <= len(p.s) && p.s[end:end+2] == `";` && p.plausibleNext(end+2) {
			p.pos = end + 2
			return phpValue{kind: 's', str: p.s[start:end]}, nil
		}
		for i := start; i+2 <= len(p.s); i++ {
			if p.s[i] == '"' && p.s[i+1] == ';' && p.plausibleNext(i+2) {
				p.pos = i + 2
				return phpValue{kind: 's', str: p.s[start:i]}, nil
			}
		}
		return phpValue{}, p.fail("unterminated string")
	case 'a', 'O':
		v := phpValue{kind: kind}
		if kind == 'O' {
			if _, err := p.until(':'); err != nil {
				return v, err
			}
			if err := p.expect(`"`); err != nil {
				return v, err
			}
			cls, err := p.until('"')
			if err != nil {
				return v, err
			}
			v.class = cls
			if err := p.expect(":"); err != nil {
				return v, err
			}
		}
		ns, err := p.until(':')
		if err != nil {
			return v, err
		}
		n, err := strconv.Atoi(ns)
		if err != nil || n < 0 || n > len(p.s) {
			return v, p.fail("bad element count")
		}
		if err := p.expect("{"); err != nil {
			return v, err
		}
		for i := 0; i < n; i++ {
			k, err := p.value()
			if err != nil {
				return v, err
			}
			val, err := p.value()
			if err != nil {
				return v, err
			}
			v.pairs = append(v.pairs, phpPair{k, val})
		}
		return v, p.expect("}")
	}
	return phpValue{}, p.fail(fmt.Sprintf("unknown type %q", kind))
}

// serialize writes v back, with string lengths recomputed in bytes.
func (v phpValue) serialize() string {
	var b strings.Builder
	v.write(&b)
	return b.String()
}

func (v phpValue) write(b *strings.Builder) {
	switch v.kind {
	case 'N':
		b.WriteString("N;")
	case 'i', 'd', 'b':
		b.WriteString(string(v.kind) + ":" + v.str + ";")
	case 's':
		fmt.Fprintf(b, "s:%d:\"%s\";", len(v.str), v.str)
	case 'a', 'O':
		if v.kind == 'O' {
			fmt.Fprintf(b, "O:%d:\"%s\":", len(v.class), v.class)
		} else {
			b.WriteString("a:")
		}
		fmt.Fprintf(b, "%d:{", len(v.pairs))
		for _, p := range v.pairs {
			p.key.write(b)
			p.val.write(b)
		}
		b.WriteString("}")
	}
}

// prop returns the value of the string key name of an array or object.
func (v *phpValue) prop(name string) *phpValue {
	for i := range v.pairs {
		if v.pairs[i].key.kind == 's' && v.pairs[i].key.str == name {
			return &v.pairs[i].val
		}
	}
	return nil
}

// setProp sets (or adds) the string key name.
func (v *phpValue) setProp(name string, val phpValue) {
	if p := v.prop(name); p != nil {
		*p = val
		return
	}
	v.pairs = append(v.pairs, phpPair{phpValue{kind: 's', str: name}, val})
}
