package repair

import "strings"

// DamageLibxml2 applies the damage of the libxml2 2.7.x entity bug to clean
// HTML h, as repairs.md §3.2 models it: the writer escaped '&', '<', '>' and
// '"' as entities and the buggy parser dropped those entities, which comes to
// deleting every '<', '>', '"' and '&' of h. Test generators use it to make
// damaged fields whose clean twin is known.
func DamageLibxml2(h string) string {
	return damageReplacer.Replace(h)
}

var damageReplacer = strings.NewReplacer("<", "", ">", "", `"`, "", "&", "")
