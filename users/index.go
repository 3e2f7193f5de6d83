package users

import (
	"bytes"
	"hash/maphash"
	mbits "math/bits"
	"strings"
)

// Index holds the target users that can matter to one backup's users.
// It is built in two steps: NewIndex learns from the backup users which
// target rows could take part in a decision (same username, same id on the
// same site, deleted users whose email is md5 of a backup username, users
// with the same non-zero firstaccess), then Offer is called with every
// target row and keeps only those. Memory is therefore proportional to the
// backup, not to the target site.
type Index struct {
	rules    Rules
	sameSite bool
	// foldNames: the target's database compares usernames without regard
	// to case (MySQL/MariaDB collations), so restore's username = ? does.
	foldNames bool

	// Bit filters in front of the want maps: most target rows miss, and a
	// bit test in a small table is much cheaper than a miss in a big map.
	seed      maphash.Seed
	nameBits  bits
	intBits   bits // ids and firstaccess values
	wantName  map[string]struct{}
	wantID    map[int64]struct{}
	wantMD5   map[string]struct{} // folded md5(username) of backup users
	wantFirst map[int64]struct{}  // non-zero firstaccess of backup users

	rows       []TargetUser
	byHostName map[hostName]int32
	byName     map[string]int32
	byID       map[int64]int32
	delByEmail map[string][]int32
	byFirst    map[int64][]int32
	scanned    int
}

type hostName struct {
	host int64
	name string
}

// NewIndex prepares an index for the given backup users. sameSite says
// whether the same-site rules apply (they need target rows by id); extra
// names are usernames to keep too (rename candidates, pinned targets).
// site.FoldUsernames makes username lookups case-insensitive.
func NewIndex(rules Rules, site Site, sameSite bool, us []*BackupUser, extra []string) *Index {
	x := &Index{
		rules:      rules,
		sameSite:   sameSite,
		foldNames:  site.FoldUsernames,
		wantName:   make(map[string]struct{}, len(us)+len(extra)),
		wantMD5:    make(map[string]struct{}, len(us)),
		wantFirst:  make(map[int64]struct{}, len(us)),
		byHostName: map[hostName]int32{},
		byName:     map[string]int32{},
		byID:       map[int64]int32{},
		delByEmail: map[string][]int32{},
		byFirst:    map[int64][]int32{},
	}
	if sameSite {
		x.wantID = make(map[int64]struct{}, len(us))
	}
	x.seed = maphash.MakeSeed()
	x.nameBits = newBits(len(us) + len(extra))
	x.intBits = newBits(2 * len(us))
	for _, u := range us {
		k := x.key(u.Username)
		x.wantName[k] = struct{}{}
		x.nameBits.set(maphash.String(x.seed, k))
		x.intBits.set(mix(u.FirstAccess))
		if sameSite {
			x.intBits.set(mix(u.ID))
		}
		x.wantMD5[x.fold(md5hex(u.Username))] = struct{}{}
		if u.FirstAccess != 0 {
			x.wantFirst[u.FirstAccess] = struct{}{}
		}
		if sameSite {
			x.wantID[u.ID] = struct{}{}
		}
	}
	for _, n := range extra {
		k := x.key(n)
		x.wantName[k] = struct{}{}
		x.nameBits.set(maphash.String(x.seed, k))
	}
	return x
}

// key is how usernames compare on the target.
func (x *Index) key(username string) string {
	if x.foldNames {
		return strings.ToLower(username)
	}
	return username
}

// fold is how emails and LIKE patterns compare under the rules.
func (x *Index) fold(s string) string {
	if x.rules == Moodle19 {
		return s
	}
	return strings.ToUpper(s)
}

// Wants reports whether a target row with these values must be kept.
func (x *Index) Wants(id int64, username, email string, firstaccess int64, deleted bool) bool {
	username = x.key(username)
	if x.nameBits.has(maphash.String(x.seed, username)) {
		if _, ok := x.wantName[username]; ok {
			return true
		}
	}
	if x.wantID != nil && x.intBits.has(mix(id)) {
		if _, ok := x.wantID[id]; ok {
			return true
		}
	}
	if firstaccess != 0 && x.intBits.has(mix(firstaccess)) {
		if _, ok := x.wantFirst[firstaccess]; ok {
			return true
		}
	}
	if deleted && len(email) == 32 {
		e := email
		if x.rules != Moodle19 {
			e = strings.ToUpper(e)
		}
		if _, ok := x.wantMD5[e]; ok {
			return true
		}
	}
	return false
}

// wantsRaw is Wants for values still in a reader's buffer: it does not
// allocate for the rows it rejects.
func (x *Index) wantsRaw(id int64, username, email []byte, firstaccess int64, deleted bool) bool {
	if x.foldNames {
		username = bytes.ToLower(username)
	}
	if x.nameBits.has(maphash.Bytes(x.seed, username)) {
		if _, ok := x.wantName[string(username)]; ok {
			return true
		}
	}
	if x.wantID != nil && x.intBits.has(mix(id)) {
		if _, ok := x.wantID[id]; ok {
			return true
		}
	}
	if firstaccess != 0 && x.intBits.has(mix(firstaccess)) {
		if _, ok := x.wantFirst[firstaccess]; ok {
			return true
		}
	}
	if deleted && len(email) == 32 {
		return x.Wants(id, "", string(email), 0, true)
	}
	return false
}

// Offer looks at one target row and keeps it when it can matter.
func (x *Index) Offer(t TargetUser) {
	x.scanned++
	if !x.Wants(t.ID, t.Username, t.Email, t.FirstAccess, t.Deleted) {
		return
	}
	x.add(t)
}

// Scanned is how many target rows were offered.
func (x *Index) Scanned() int { return x.scanned }

// Kept is how many target rows were kept.
func (x *Index) Kept() int { return len(x.rows) }

func (x *Index) add(t TargetUser) {
	i := int32(len(x.rows))
	x.rows = append(x.rows, t)
	name := x.key(t.Username)
	k := hostName{t.MNetHostID, name}
	if _, dup := x.byHostName[k]; !dup {
		x.byHostName[k] = i
	}
	if _, dup := x.byName[name]; !dup {
		x.byName[name] = i
	}
	if _, dup := x.byID[t.ID]; !dup {
		x.byID[t.ID] = i
	}
	if t.Deleted && t.Email != "" {
		e := x.fold(t.Email)
		x.delByEmail[e] = append(x.delByEmail[e], i)
	}
	if t.FirstAccess != 0 {
		x.byFirst[t.FirstAccess] = append(x.byFirst[t.FirstAccess], i)
	}
}

// ByName returns the target user with username on mnet host host.
func (x *Index) ByName(host int64, username string) (*TargetUser, bool) {
	i, ok := x.byHostName[hostName{host, x.key(username)}]
	if !ok {
		return nil, false
	}
	return &x.rows[i], true
}

func (x *Index) byIDRow(id int64) *TargetUser {
	i, ok := x.byID[id]
	if !ok {
		return nil
	}
	return &x.rows[i]
}

// bits is a one-hash bit filter: has is false only for values never set.
type bits struct {
	w     []uint64
	shift uint
}

// newBits sizes a filter for n values at about 16 bits each (at most one
// false hit in 16).
func newBits(n int) bits {
	size := uint(1) << 10
	for size < uint(n)*16 && size < 1<<30 {
		size <<= 1
	}
	return bits{w: make([]uint64, size/64), shift: uint(64 - mbits.Len(size-1))}
}

func (b bits) set(h uint64) { i := h >> b.shift; b.w[i/64] |= 1 << (i % 64) }

func (b bits) has(h uint64) bool { i := h >> b.shift; return b.w[i/64]&(1<<(i%64)) != 0 }

// mix spreads an integer over 64 bits (Fibonacci hashing).
func mix(v int64) uint64 { return uint64(v) * 0x9E3779B97F4A7C15 }
