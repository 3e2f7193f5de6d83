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
