package convert

// Context levels of Moodle 2.x.
const (
	ContextSystem   = 10
	ContextUser     = 30
	ContextCategory = 40
	ContextCourse   = 50
	ContextModule   = 70
	ContextBlock    = 80
)

// IDs allocates the ids a 2.x backup needs that 1.x has no counterpart for:
// context ids (one per level and instance) and record ids (file records,
// option rows, ...), from one running counter, so every invented id is
// unique in the package. 1.x course, section, course-module and instance ids
// are kept as they are and never come from here.
type IDs struct {
	next int64
	ctx  map[ctxKey]int64
}

type ctxKey struct {
	level    int
	instance int64
}

// NewIDs returns an allocator whose first id is 1.
func NewIDs() *IDs { return &IDs{next: 1, ctx: map[ctxKey]int64{}} }

// Next returns a fresh id.
func (ids *IDs) Next() int64 {
	n := ids.next
	ids.next++
	return n
}

// Context returns the context id of (level, instance), allocating it the
// first time. The system and course levels have one context each whatever
// the instance.
func (ids *IDs) Context(level int, instance int64) int64 {
	if level == ContextSystem || level == ContextCourse {
		instance = 0
	}
	k := ctxKey{level, instance}
	if id, ok := ids.ctx[k]; ok {
		return id
	}
	id := ids.Next()
	ids.ctx[k] = id
	return id
}
