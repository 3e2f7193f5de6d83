package gen

import (
	"fmt"
	"strconv"
	"strings"
)

func (g *gen) writeQuestions() {
	x, e, p := g.x, g.e, g.p
	x.start("QUESTION_CATEGORIES")
	for _, c := range p.cats {
		t := g.tg("qcat", c.id)
		x.start("QUESTION_CATEGORY")
		x.i("ID", c.id)
		x.s("NAME", c.name)
		x.s("INFO", "The default category for questions shared in context '"+p.short+"'.")
		if e.v19 {
			x.start("CONTEXT")
			x.raw("LEVEL", c.level)
			if c.level == "module" {
				x.i("INSTANCE", c.instance)
			}
			x.end()
		} else {
			x.i("PUBLISH", b01(c.level == "course"))
		}
		x.s("STAMP", g.stamp(c.id))
		x.i("PARENT", c.parent)
		x.i("SORTORDER", 999)
		x.start("QUESTIONS")
		// sorted by PARENT then id (§8.2): cloze sub-questions last
		for _, q := range c.questions {
			g.writeQuestion(t, q)
		}
		for _, q := range c.questions {
			for _, s := range q.subs {
				g.writeQuestion(t, s)
			}
		}
		x.end()
		x.end()
		g.m.Categories++
	}
	x.end()
}

func (g *gen) stamp(id int64) string {
	host := g.p.www[strings.Index(g.p.www, "://")+3:]
	if i := strings.IndexAny(host, ":/"); i >= 0 {
		host = host[:i]
	}
	return fmt.Sprintf("%s+%06d%06d+%s", host, 80314, id, strconv.FormatInt(id*7919+g.o.Seed&0xffff, 36))
}

// answer is one ANSWERS/ANSWER row.
type answer struct {
	id       int64
	text     string
	fraction string
	feedback string
}

func (g *gen) writeQuestion(t *tg, q *question) {
	x, e, p := g.x, g.e, g.p
	x.start("QUESTION")
	x.i("ID", q.id)
	x.i("PARENT", q.parent)
	x.s("NAME", q.name)
	var text string
	switch {
	case q.parent != 0:
		text = "{1:" + strings.ToUpper(q.qtype[:2]) + ":=" + t.title() + "}"
	case q.qtype == "random":
		text = "0"
	case q.qtype == "multianswer":
		text = "<p>" + t.sentence() + " {#1} " + t.sentence() + " {#2} {#3}</p>"
	default:
		text = string(t.html(1))
	}
	x.h("QUESTIONTEXT", text)
	x.i("QUESTIONTEXTFORMAT", 1)
	x.s("IMAGE", q.image)
	if e.minor >= 6 {
		x.hb("GENERALFEEDBACK", t.html(1))
	}
	x.raw("DEFAULTGRADE", "1")
	if e.minor >= 6 {
		x.raw("PENALTY", "0.1")
	}
	x.raw("QTYPE", q.qtype)
	length := int64(1)
	if q.qtype == "description" {
		length = 0
	}
	x.i("LENGTH", length)
	x.s("STAMP", g.stamp(q.id))
	x.s("VERSION", g.stamp(q.id+1))
	x.i("HIDDEN", 0)
	if e.v19 {
		x.i("TIMECREATED", p.created+q.id)
		x.i("TIMEMODIFIED", p.created+q.id*2)
		x.i("CREATEDBY", p.teacher.id)
		x.i("MODIFIEDBY", p.teacher.id)
	}
	aid := q.id * 10
	ans := func(n int) []answer {
		var a []answer
		for i := 0; i < n; i++ {
			fr := "0.0000000"
			if i == 0 {
				fr = "1.0000000"
			}
			a = append(a, answer{aid + int64(i), t.title(), fr, t.sentence()})
		}
		return a
	}
	ids := func(a []answer) string {
		var s []string
		for _, x := range a {
			s = append(s, strconv.FormatInt(x.id, 10))
		}
		return strings.Join(s, ",")
	}
	var answers []answer
	switch q.qtype {
	case "shortanswer":
		answers = ans(2)
		x.start("SHORTANSWER")
		x.s("ANSWERS", ids(answers))
		x.i("USECASE", 0)
		x.end()
	case "truefalse":
		answers = []answer{{aid, "True", "1.0000000", t.sentence()}, {aid + 1, "False", "0.0000000", t.sentence()}}
		x.start("TRUEFALSE")
		x.i("TRUEANSWER", aid)
		x.i("FALSEANSWER", aid+1)
		x.end()
	case "multichoice":
		answers = ans(4)
		x.start("MULTICHOICE")
		x.i("LAYOUT", 0)
		x.s("ANSWERS", ids(answers))
		x.i("SINGLE", b01(q.id%2 == 0))
		x.i("SHUFFLEANSWERS", 1)
		if e.v19 {
			x.h("CORRECTFEEDBACK", "<p>Well done!</p>")
			x.h("PARTIALLYCORRECTFEEDBACK", "")
			x.h("INCORRECTFEEDBACK", "<p>Not quite.</p>")
			x.raw("ANSWERNUMBERING", "abc")
		}
		x.end()
	case "match":
		x.start("MATCHOPTIONS")
		x.i("SHUFFLEANSWERS", 1)
		x.end()
		x.start("MATCHS")
		for i := int64(0); i < 3; i++ {
			x.start("MATCH")
			x.i("ID", aid+i)
			x.i("CODE", 100000+q.id*3+i)
			x.h("QUESTIONTEXT", t.sentence())
			x.s("ANSWERTEXT", t.title())
			x.end()
		}
		x.end()
	case "numerical", "calculated":
		answers = []answer{{aid, "42", "1.0000000", t.sentence()}, {aid + 1, "*", "0.0000000", t.sentence()}}
		if q.qtype == "calculated" {
			answers[0].text = "{a} + {b}"
		}
		for _, a := range answers {
			x.start(strings.ToUpper(q.qtype))
			x.i("ANSWER", a.id)
			x.raw("TOLERANCE", "0.5")
			if q.qtype == "calculated" {
				x.i("TOLERANCETYPE", 1)
				x.i("CORRECTANSWERLENGTH", 2)
				x.i("CORRECTANSWERFORMAT", 1)
			}
			x.start("NUMERICAL_UNITS")
			x.start("NUMERICAL_UNIT")
			x.raw("MULTIPLIER", "1")
			x.s("UNIT", "mm")
			x.end()
			x.end()
			if q.qtype == "calculated" {
				x.start("DATASET_DEFINITIONS")
				for _, name := range []string{"a", "b"} {
					x.start("DATASET_DEFINITION")
					x.i("CATEGORY", 0)
					x.s("NAME", name)
					x.i("TYPE", 1)
					x.s("OPTIONS", "uniform:1.0:10.0:1")
					x.i("ITEMCOUNT", 2)
					x.start("DATASET_ITEMS")
					for n := int64(1); n <= 2; n++ {
						x.start("DATASET_ITEM")
						x.i("NUMBER", n)
						x.raw("VALUE", strconv.FormatInt(n*3, 10)+".5")
						x.end()
					}
					x.end()
					x.end()
				}
				x.end()
			}
			x.end()
		}
	case "multianswer":
		x.start("MULTIANSWERS")
		x.start("MULTIANSWER")
		x.i("ID", q.id+5000)
		x.i("QUESTION", q.id)
		var s []string
		for _, sq := range q.subs {
			s = append(s, strconv.FormatInt(sq.id, 10))
		}
		x.s("SEQUENCE", strings.Join(s, ","))
		x.end()
		x.end()
	case "randomsamatch":
		x.start("RANDOMSAMATCH")
		x.i("CHOOSE", 2)
		x.end()
	case "essay":
		answers = []answer{{aid, "", "0.0000000", t.sentence()}}
	}
	if len(answers) > 0 {
		x.start("ANSWERS")
		for _, a := range answers {
			x.start("ANSWER")
			x.i("ID", a.id)
			x.s("ANSWER_TEXT", a.text)
			x.raw("FRACTION", a.fraction)
			x.h("FEEDBACK", a.feedback)
			x.end()
		}
		x.end()
	}
	x.end()
	g.m.Questions[q.qtype]++
}
