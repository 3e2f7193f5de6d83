package pipelines

import (
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// Vars are the values of ${VAR} in pipeline files: Set (from --set k=v)
// wins over Lookup (the environment).
type Vars struct {
	Set map[string]string
	// Lookup finds a variable elsewhere; nil means os.LookupEnv.
	Lookup func(name string) (string, bool)
}

// EnvVars returns Vars reading the process environment, overridden by set.
func EnvVars(set map[string]string) Vars { return Vars{Set: set, Lookup: os.LookupEnv} }

func (v Vars) get(name string) (string, bool) {
	if s, ok := v.Set[name]; ok {
		return s, true
	}
	if v.Lookup == nil {
		return os.LookupEnv(name)
	}
	return v.Lookup(name)
}

// ParseSet parses --set arguments of the form NAME=value.
func ParseSet(args []string) (map[string]string, error) {
	m := map[string]string{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || !validVarName(k) {
			return nil, fmt.Errorf("--set %q: want NAME=value with NAME made of letters, digits and _", a)
		}
		m[k] = v
	}
	return m, nil
}

func validVarName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// varError is a problem with a variable at byte offset Off of a scalar.
type varError struct {
	Off int
	Msg string
}

// expand substitutes ${VAR}, ${VAR:-default} and $$ in s. A $ followed by
// anything else is kept as it is.
func (v Vars) expand(s string) (string, *varError) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c != '$' || i+1 == len(s) {
			b.WriteByte(c)
			i++
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i += 2
			continue
		case '{':
		default:
			b.WriteByte(c)
			i++
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", &varError{i, "unclosed ${: write ${NAME} or ${NAME:-default} (and $$ for a literal $)"}
		}
		body := s[i+2 : i+end]
		name, def, hasDef := strings.Cut(body, ":-")
		if !validVarName(name) {
			return "", &varError{i, fmt.Sprintf("bad variable name %q in ${%s}: use letters, digits and _", name, body)}
		}
		val, ok := v.get(name)
		switch {
		case hasDef && (!ok || val == ""):
			val = def
		case !ok:
			return "", &varError{i, fmt.Sprintf("variable %s is not set: set it in the environment or with --set %s=value, or write ${%s:-default}", name, name, name)}
		}
		b.WriteString(val)
		i += end + 1
	}
	return b.String(), nil
}

// expandNode substitutes variables in every scalar value under n (not in
// mapping keys). A scalar without an explicit tag is re-typed after
// substitution, so `min-confidence: "${MIN:-0.9}"` is a float.
//
// A scalar whose variables cannot be substituted is reported in errs and
// added to bad, so no second error is reported about its value.
func (v Vars) expandNode(file string, n *yaml.Node, isKey bool, errs *ErrorList, bad map[*yaml.Node]bool) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			v.expandNode(file, c, false, errs, bad)
		}
	case yaml.MappingNode:
		for i, c := range n.Content {
			v.expandNode(file, c, i%2 == 0, errs, bad)
		}
	case yaml.ScalarNode:
		if isKey || !strings.Contains(n.Value, "$") {
			return
		}
		s, verr := v.expand(n.Value)
		if verr != nil {
			col := n.Column
			if !strings.Contains(n.Value, "\n") {
				switch n.Style {
				case 0:
					col += verr.Off
				case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
					col += verr.Off + 1
				}
			}
			*errs = append(*errs, &Error{file, n.Line, col, verr.Msg})
			bad[n] = true
			return
		}
		n.Value = s
		if s == "" {
			n.Tag = "!!str" // an empty value is an empty string, not null
		} else if n.Style&yaml.TaggedStyle == 0 {
			// Resolve the type of the substituted text, quoted or not:
			// "${MIN:-0.9}" is a number, as the variable's text says.
			n.Tag, n.Style = "", 0
		}
	}
}
