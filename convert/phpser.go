package convert

import (
	"fmt"
	"strconv"
	"strings"
)

// KV is one key/value pair of a PHP array written by phpSerialize.
type KV struct {
	Key   string
	Value any // string, int, int64
}

// phpSerialize writes pairs as a PHP serialize()d array (what 2.x stores in
// displayoptions and similar fields). Keys are strings; values strings or
// integers. String lengths are byte counts, as PHP counts them.
func phpSerialize(pairs ...KV) string {
	var b strings.Builder
	fmt.Fprintf(&b, "a:%d:{", len(pairs))
	for _, p := range pairs {
		fmt.Fprintf(&b, "s:%d:\"%s\";", len(p.Key), p.Key)
		switch v := p.Value.(type) {
		case int:
			b.WriteString("i:" + strconv.Itoa(v) + ";")
		case int64:
			b.WriteString("i:" + strconv.FormatInt(v, 10) + ";")
		default:
			s := fmt.Sprint(v)
			fmt.Fprintf(&b, "s:%d:\"%s\";", len(s), s)
		}
	}
	b.WriteString("}")
	return b.String()
}

// PHPList is a PHP list (integer keys 0..n-1) for phpSerializeValue.
type PHPList []any

// PHPMap is a PHP array with string keys, in order, for phpSerializeValue.
type PHPMap []KV

// phpSerializeValue writes v as PHP serialize() does: strings, integers,
// PHPList and PHPMap (nested freely).
func phpSerializeValue(v any) string {
	var b strings.Builder
	writePHP(&b, v)
	return b.String()
}

func writePHP(b *strings.Builder, v any) {
	switch x := v.(type) {
	case int:
		b.WriteString("i:" + strconv.Itoa(x) + ";")
	case int64:
		b.WriteString("i:" + strconv.FormatInt(x, 10) + ";")
	case PHPList:
		fmt.Fprintf(b, "a:%d:{", len(x))
		for i, e := range x {
			b.WriteString("i:" + strconv.Itoa(i) + ";")
			writePHP(b, e)
		}
		b.WriteString("}")
	case PHPMap:
		fmt.Fprintf(b, "a:%d:{", len(x))
		for _, kv := range x {
			fmt.Fprintf(b, "s:%d:\"%s\";", len(kv.Key), kv.Key)
			writePHP(b, kv.Value)
		}
		b.WriteString("}")
	default:
		s := fmt.Sprint(x)
		fmt.Fprintf(b, "s:%d:\"%s\";", len(s), s)
	}
}
