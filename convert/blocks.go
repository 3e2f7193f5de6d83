package convert

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/moodlemig/moodlemig/report"
)

// blocks2x are the block plugins of a standard Moodle 4.5 that a 1.x course
// page can carry; 1.x names that changed map to their 2.x name.
var blocks2x = map[string]string{
	"activity_modules": "activity_modules", "admin_bookmarks": "admin_bookmarks", "blog_menu": "blog_menu",
	"blog_recent": "blog_recent", "blog_tags": "blog_tags", "calendar_month": "calendar_month",
	"calendar_upcoming": "calendar_upcoming", "comments": "comments", "course_list": "course_list",
	"course_summary": "course_summary", "glossary_random": "glossary_random", "html": "html",
	"login": "login", "mentees": "mentees", "mnet_hosts": "mnet_hosts", "news_items": "news_items",
	"online_users": "online_users", "recent_activity": "recent_activity", "rss_client": "rss_client",
	"search_forums": "search_forums", "section_links": "section_links", "social_activities": "social_activities",
	"tag_flickr": "tag_flickr", "tag_youtube": "tag_youtube", "tags": "tags",
	"quiz_results": "activity_results", // renamed in 2.9
}

// blocksGone are 1.x blocks whose job 2.x does elsewhere.
var blocksGone = map[string]string{
	"admin":        "the 1.x administration block is the built-in course administration menu in 2.x",
	"participants": "participants are reached from the course navigation in 2.x",
	"messages":     "messaging is part of the 2.x page header",
	"loancalc":     "the loan calculator block no longer exists in 2.x",
	"search":       "the 1.x global search block was replaced by a site setting",
	"calendar":     "use calendar_month",
}

// readBlock keeps a block for finish: its text may link to modules whose
// 2.x names are known only once MODULES has been read.
func (c *conv) readBlock(n *Node) error {
	c.pendingBlocks = append(c.pendingBlocks, n)
	return nil
}

// writeBlocks writes every kept block.
func (c *conv) writeBlocks() error {
	for _, n := range c.pendingBlocks {
		if err := c.writeBlock(n); err != nil {
			return err
		}
	}
	return nil
}

func (c *conv) writeBlock(n *Node) error {
	c.audit.Read(KindBlocks, 1)
	name := strings.ToLower(n.Value("NAME"))
	id := n.Int("ID")
	pagetype := n.Value("PAGETYPE")
	skip := func(why string) error {
		saved := c.saveXML(n, fmt.Sprintf("block_%s_%d", name, id))
		c.audit.Explain(KindBlocks, 1)
		c.finding(CodeBlockSkipped, report.Warning, n, fmt.Sprintf("block %q (id %d) not carried over: %s%s", name, id, why, savedNote(saved)))
		return nil
	}
	target, ok := blocks2x[name]
	switch {
	case !ok && blocksGone[name] != "":
		return skip(blocksGone[name])
	case !ok:
		return skip("no block of that name in a standard Moodle 2.x+")
	case pagetype != "" && pagetype != "course-view":
		return skip(fmt.Sprintf("it sits on the page %q of one activity, which 2.x course restore does not place blocks on", pagetype))
	}
	if id == 0 {
		// Before 1.7 blocks had no id in the backup; any id unique in the
		// package will do.
		c.noIDBlocks++
		id = 900000000 + c.noIDBlocks
	}
	ctx := c.ids.Context(ContextBlock, id)
	region := "side-post"
	if n.Value("POSITION") == "l" {
		region = "side-pre"
	}
	visible := n.Value("VISIBLE")
	if visible == "" {
		visible = "1"
	}
	configdata := n.Value("CONFIGDATA")
	dir := fmt.Sprintf("course/blocks/%s_%d", target, id)
	o := c.newOwner(dir, "MOODLE_BACKUP/COURSE/BLOCKS/BLOCK", n.Line)
	if target == "html" && configdata != "" {
		configdata = c.htmlBlockConfig(o, configdata, Area{ContextID: ctx, Component: "block_html", FileArea: "content"}, dir)
	}
	err := c.tree.Write(dir+"/block.xml", func(x *XMLWriter) {
		x.Start("block", A("id", id), A("contextid", ctx), A("version", 2007101509))
		x.Leaves("blockname", target, "parentcontextid", c.courseCtx, "showinsubcontexts", 0,
			"pagetypepattern", "course-view-*", "subpagepattern", Null, "defaultregion", region,
			"defaultweight", n.Int("WEIGHT"), "configdata", configdata, "timecreated", 0, "timemodified", 0)
		x.Start("block_positions")
		x.Start("block_position", A("id", id))
		x.Leaves("contextid", c.courseCtx, "pagetype", "course-view-"+c.courseFormat(), "subpage", "",
			"visible", visible, "region", region, "weight", n.Int("WEIGHT"))
		x.End()
		x.End()
		x.End()
	})
	if err != nil {
		return err
	}
	ids := o.commit()
	if err := c.tree.Write(dir+"/inforef.xml", func(x *XMLWriter) { writeInforef(x, ids) }); err != nil {
		return err
	}
	if err := c.tree.Write(dir+"/roles.xml", emptyRoles); err != nil {
		return err
	}
	c.blocks = append(c.blocks, dir)
	c.audit.Wrote(KindBlocks, 1)
	return nil
}

func (c *conv) courseFormat() string {
	if f := c.header.Value("FORMAT"); f != "" {
		return f
	}
	return "topics"
}

// htmlBlockConfig converts the text of an html block: its configdata is
// base64 of a PHP-serialized object whose text holds 1.x link tokens. Files
// it links to go to block_html/content; module links are fixed at once
// (base64 hides them from the final link pass). Undecodable configdata is
// kept as it is, with a finding.
func (c *conv) htmlBlockConfig(o *Owner, configdata string, area Area, where string) string {
	raw, err := base64.StdEncoding.DecodeString(configdata)
	if err != nil {
		o.Finding(CodeBlockSkipped, report.Info, fmt.Sprintf("html block configdata is not base64 (%v): kept as it is", err))
		return configdata
	}
	v, err := phpUnserialize(string(raw))
	if err != nil || (v.kind != 'O' && v.kind != 'a') {
		o.Finding(CodeBlockSkipped, report.Info, fmt.Sprintf("html block configdata cannot be read (%v): kept as it is", err))
		return configdata
	}
	if t := v.prop("text"); t != nil && t.kind == 's' {
		text, format := o.Text(t.str, FormatHTML, area)
		if o.modLinks {
			text = c.fixTokens(where, text)
			o.modLinks = false
		}
		t.str = text
		v.setProp("format", phpValue{kind: 's', str: fmt.Sprint(format)})
	}
	return base64.StdEncoding.EncodeToString([]byte(v.serialize()))
}
