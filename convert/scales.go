package convert

// readScale converts one 1.x scale (SCALES/SCALE) into scales.xml
// (conversion-rules.md §5.5): SCALETEXT becomes scale; files in the
// description go to grade/scale/<id> in the system context. Activities keep
// pointing at it with their negative scale values, which restore remaps.
func (c *conv) readScale(n *Node) error {
	id := n.Int("ID")
	o := c.newOwner("scales", "MOODLE_BACKUP/COURSE/SCALES/SCALE", n.Line)
	desc, format := o.Text(n.Raw("DESCRIPTION"), FormatMoodle, Area{ContextID: c.systemCtx, Component: "grade", FileArea: "scale", ItemID: id})
	if !n.Has("DESCRIPTION") {
		desc = ""
	}
	x, err := c.root("scales.xml")
	if err != nil {
		return err
	}
	courseid := n.Int("COURSEID")
	if courseid != 0 {
		courseid = c.courseID
	}
	x.Start("scale", A("id", id))
	x.Leaves("courseid", courseid, "userid", n.Int("USERID"), "name", n.Value("NAME"),
		"scale", n.Value("SCALETEXT"), "description", desc, "descriptionformat", format,
		"timemodified", n.Int("TIMEMODIFIED"))
	x.End()
	if err := x.Err(); err != nil {
		return err
	}
	o.commit()
	c.audit.Read("scales", 1)
	c.audit.Wrote("scales", 1)
	return nil
}
