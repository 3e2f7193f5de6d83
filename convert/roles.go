package convert

import "strconv"

// Role is a 2.x role an activity refers to (in a permission override). The
// restore maps it to a role of the target site by shortname, then by
// archetype, so the standard archetype roles are what a 1.x course needs.
type Role struct {
	Shortname, Archetype, Name string
	SortOrder                  int
}

// RoleStudent is the standard student role.
var RoleStudent = Role{Shortname: "student", Archetype: "student", Name: "Student", SortOrder: 5}

// Permission values of a role override (2.x CAP_*).
const (
	CapAllow    = 1
	CapPrevent  = -1
	CapProhibit = -1000
)

// override is one permission override of an activity.
type override struct {
	id, roleID int64
	capability string
	permission int
}

// roleID returns the id of role in the root roles.xml, defining it there
// the first time.
func (c *conv) roleID(r Role) (int64, error) {
	if id, ok := c.roles[r.Shortname]; ok {
		return id, nil
	}
	x, err := c.root("roles.xml")
	if err != nil {
		return 0, err
	}
	id := c.ids.Next()
	x.Start("role", A("id", id))
	x.Leaves("name", r.Name, "shortname", r.Shortname, "nameincourse", Null, "description", "",
		"sortorder", r.SortOrder, "archetype", r.Archetype)
	x.End()
	if c.roles == nil {
		c.roles = map[string]int64{}
	}
	c.roles[r.Shortname] = id
	return id, nil
}

// Override sets capability to permission (CapPrevent, ...) for role in this
// activity, as the activity's roles.xml permission overrides. The restore
// applies it when the restoring user may override permissions.
func (a *Activity) Override(r Role, capability string, permission int) error {
	id, err := a.c.roleID(r)
	if err != nil {
		return err
	}
	a.overrides = append(a.overrides, override{id: a.c.ids.Next(), roleID: id, capability: capability, permission: permission})
	return nil
}

// writeRoles writes an activity's roles.xml: its overrides, no role
// assignments (they need users).
func (a *Activity) writeRoles(x *XMLWriter) {
	x.Start("roles")
	if len(a.overrides) == 0 {
		x.Empty("role_overrides")
	} else {
		x.Start("role_overrides")
		for _, o := range a.overrides {
			x.Start("override", A("id", o.id))
			x.Leaves("roleid", o.roleID, "capability", o.capability, "permission", o.permission,
				"timemodified", a.c.opts.Now.Unix(), "modifierid", Null)
			x.End()
		}
		x.End()
	}
	x.Empty("role_assignments")
	x.End()
}

// roleIDs returns the distinct roles the activity's overrides use.
func (a *Activity) roleIDs() []int64 {
	var ids []int64
	seen := map[int64]bool{}
	for _, o := range a.overrides {
		if !seen[o.roleID] {
			seen[o.roleID] = true
			ids = append(ids, o.roleID)
		}
	}
	return ids
}

// writeRefs writes an inforef list, e.g. <fileref><file><id>N</id></file>...
func writeRefs(x *XMLWriter, item string, ids []int64) {
	if len(ids) == 0 {
		return
	}
	x.Start(item + "ref")
	for _, id := range ids {
		x.Start(item)
		x.Leaf("id", strconv.FormatInt(id, 10))
		x.End()
	}
	x.End()
}
