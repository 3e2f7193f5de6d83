package charset

import (
	"encoding/base64"
	"strconv"
)

// rewriteSerialized walks PHP serialize() output and passes every string
// value (s:N:"...";) through f, recomputing the byte length prefix. Class
// names (O:N:"name":) are copied. ok is false when b is not well-formed.
func rewriteSerialized(b []byte, f func([]byte) []byte) (out []byte, ok bool) {
	out = make([]byte, 0, len(b)+len(b)/2)
	for i := 0; i < len(b); {
		c := b[i]
		if c != 's' && c != 'O' && c != 'C' {
			out = append(out, c)
			i++
			continue
		}
		// c:N:"<N bytes>"
		j := i + 1
		if j >= len(b) || b[j] != ':' {
			return nil, false
		}
		j++
		k := j
		for k < len(b) && b[k] >= '0' && b[k] <= '9' {
			k++
		}
		n, err := strconv.Atoi(string(b[j:k]))
		if err != nil || k+1 >= len(b) || b[k] != ':' || b[k+1] != '"' {
			return nil, false
		}
		start := k + 2
		end := start + n
		if n < 0 || end+1 >= len(b)+1 || end >= len(b) || b[end] != '"' {
			return nil, false
		}
		if c != 's' {
			out = append(out, b[i:end+1]...)
			i = end + 1
			continue
		}
		if end+1 >= len(b) || b[end+1] != ';' {
			return nil, false
		}
		v := f(b[start:end])
		out = append(out, 's', ':')
		out = strconv.AppendInt(out, int64(len(v)), 10)
		out = append(out, ':', '"')
		out = append(out, v...)
		out = append(out, '"', ';')
		i = end + 2
	}
	return out, true
}

// maxConfig bounds a CONFIGDATA value the transcoder decodes.
const maxConfig = 4 << 20

// configStrings decodes a base64 CONFIGDATA value and passes its serialized
// strings through f; it returns the new value, or ok false when the value
// is not base64 of serialized PHP.
func configStrings(v []byte, f func([]byte) []byte) (out []byte, ok bool) {
	raw := make([]byte, base64.StdEncoding.DecodedLen(len(v)))
	n, err := base64.StdEncoding.Decode(raw, v)
	if err != nil || n == 0 {
		return nil, false
	}
	ser, ok := rewriteSerialized(raw[:n], f)
	if !ok {
		return nil, false
	}
	return []byte(base64.StdEncoding.EncodeToString(ser)), true
}
