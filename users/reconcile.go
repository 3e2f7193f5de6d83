package users

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
)

// MaxUsername is the length of Moodle's user.username column.
const MaxUsername = 100

// Options control Check and Reconcile.
type Options struct {
	// Rules selects the restore code replayed (default Moodle2).
	Rules Rules
	// Policy is applied to conflicting users (default rename).
	Policy Policy
	// AdminPolicy is applied to a conflicting "admin" (default match).
	AdminPolicy Policy
	// Pins make chosen backup users map to chosen target users.
	Pins []Pin
	// PinsFile names the map file in messages.
	PinsFile string
}

func (o *Options) defaults() {
	if o.Rules == "" {
		o.Rules = Moodle2
	}
	if o.Policy == "" {
		o.Policy = PolicyRename
	}
	if o.AdminPolicy == "" {
		o.AdminPolicy = PolicyMatch
	}
}

// Change is what the policy does to one backup user's record.
type Change struct {
	// Kind is "match" (method a), "rename" or "pin".
	Kind string
	// The new values; a field is changed only when its Set flag is true.
	Username, Email      string
	FirstAccess          int64
	SetUsername, SetMail bool
	SetFirstAccess       bool
	// After is the outcome Moodle reaches once the change is made.
	After Action
	// AfterStep is the decision-table step of After.
	AfterStep string
	// AfterTarget is the target user matched after the change, if any.
	AfterTarget *TargetUser
}

// Plan is the result of checking one backup against a target.
type Plan struct {
	Entry    string // the entry holding the users (moodle.xml or users.xml)
	Kind     backup.Kind
	Rules    Rules
	Origin   Origin
	Site     Site
	SameSite bool
	// SiteKnown is false when the target's identity was not given, so
	// "same site" could not be decided (a different site is assumed).
	SiteKnown bool
	// Outcomes has one entry per backup user, in file order.
	Outcomes []Outcome
	// Scanned and Kept count target rows read and kept.
	Scanned, Kept int

	users []*BackupUser
	edits []Edit
}

// Counts returns how many users Moodle would match, create and conflict
// on, as the backup is (before any change).
func (p *Plan) Counts() (match, create, conflict int) {
	for _, o := range p.Outcomes {
		switch o.Action {
		case Match:
			match++
		case Create:
			create++
		case Conflict:
			conflict++
		}
	}
	return
}

// Conflicts returns the outcomes that are conflicts as the backup is.
func (p *Plan) Conflicts() []Outcome {
	var cs []Outcome
	for _, o := range p.Outcomes {
		if o.Action == Conflict {
			cs = append(cs, o)
		}
	}
	return cs
}

// Unresolved returns the outcomes whose conflict (or pin) the policy could
// not resolve.
func (p *Plan) Unresolved() []Outcome {
	var cs []Outcome
	for _, o := range p.Outcomes {
		if o.Unresolved != "" {
			cs = append(cs, o)
		}
	}
	return cs
}

// ConflictError is returned by Reconcile when some users would still stop
// the restore.
type ConflictError struct {
	Unresolved []Outcome
}

func (e *ConflictError) Error() string {
	names := make([]string, 0, 5)
	for i, o := range e.Unresolved {
		if i == 5 {
			names = append(names, "…")
			break
		}
		names = append(names, o.User.Username)
	}
	return fmt.Sprintf("%d user(s) would stop the restore with a user conflict: %s (see the users.conflict findings)", len(e.Unresolved), strings.Join(names, ", "))
}

// usersEntry returns the kind and entry names of b's users.
func usersEntry(b *backup.Backup) (backup.Kind, string, error) {
	kind := b.Facts.Kind
	if kind != backup.Moodle1 && kind != backup.Moodle2 {
		switch {
		case b.Entry("moodle.xml") != nil:
			kind = backup.Moodle1
		case b.Entry("moodle_backup.xml") != nil:
			kind = backup.Moodle2
		default:
			return "", "", fmt.Errorf("%s: neither moodle.xml nor moodle_backup.xml at the root: not a Moodle backup", b.Path)
		}
	}
	if kind == backup.Moodle1 {
		return kind, "moodle.xml", nil
	}
	return kind, "users.xml", nil
}

func readEntry[T any](b *backup.Backup, name string, fn func(io.Reader) (T, error)) (T, error) {
	var zero T
	e := b.Entry(name)
	if e == nil {
		return zero, nil
	}
	rc, err := e.Open()
	if err != nil {
		return zero, fmt.Errorf("%s: open %s: %w", b.Path, name, err)
	}
	defer rc.Close()
	v, err := fn(rc)
	if err != nil {
		return zero, fmt.Errorf("%s: %s: %w", b.Path, name, err)
	}
	return v, nil
}

// Check replays restore's user matching for b against src and plans what
// opts would change, without changing b.
func Check(ctx context.Context, b *backup.Backup, src Source, opts Options) (*Plan, error) {
	opts.defaults()
	kind, entry, err := usersEntry(b)
	if err != nil {
		return nil, err
	}
	p := &Plan{Entry: entry, Kind: kind, Rules: opts.Rules}
	if kind == backup.Moodle1 {
		type both struct {
			o  Origin
			us []*BackupUser
		}
		v, err := readEntry(b, entry, func(r io.Reader) (both, error) {
			o, us, err := ReadMoodle1(r)
			return both{o, us}, err
		})
		if err != nil {
			return nil, err
		}
		p.Origin, p.users = v.o, v.us
	} else {
		if p.Origin, err = readEntry(b, "moodle_backup.xml", ReadMoodle2Origin); err != nil {
			return nil, err
		}
		if p.users, err = readEntry(b, entry, ReadMoodle2Users); err != nil {
			return nil, err
		}
	}
	if p.Site, err = src.Site(ctx); err != nil {
		return nil, err
	}
	p.SameSite = SameSite(p.Origin, p.Site)
	p.SiteKnown = SiteKnown(p.Origin, p.Site) || p.Site.ForceDifferentSite
	if len(p.users) == 0 {
		return p, nil
	}
	if err := p.decide(ctx, src, opts); err != nil {
		return nil, err
	}
	return p, nil
}

// renameSuffix is the tag added to renamed users: the first 8 hex digits of
// the source site's identifier hash, or of md5(wwwroot).
func renameSuffix(o Origin) string {
	h := strings.ToLower(o.SiteIdentifierHash)
	if len(h) < 8 {
		h = md5hex(o.WWWRoot)
	}
	return h[:8]
}

// renameCandidate returns the k-th candidate new username for u (k from 0).
func renameCandidate(username string, o Origin, k int) string {
	tail := "_" + renameSuffix(o)
	if k > 0 {
		tail += fmt.Sprintf("_%d", k+1)
	}
	base := strings.ToLower(username)
	for utf8.RuneCountInString(base)+len(tail) > MaxUsername {
		_, n := utf8.DecodeLastRuneInString(base)
		base = base[:len(base)-n]
	}
	return base + tail
}

// maxRounds bounds the rename candidates tried per user.
const maxRounds = 4

func (p *Plan) decide(ctx context.Context, src Source, opts Options) error {
	var extra []string
	pins := map[string]Pin{}
	for _, pin := range opts.Pins {
		pins[pin.From] = pin
		extra = append(extra, pin.To)
	}
	if p.Origin.SiteIdentifierHash != "" {
		extra = append(extra, "admin_"+p.Origin.SiteIdentifierHash)
	}
	for _, u := range p.users {
		extra = append(extra, renameCandidate(u.Username, p.Origin, 0))
	}
	for round := 0; ; round++ {
		x := NewIndex(opts.Rules, p.Site, p.SameSite, p.users, extra)
		if err := src.Scan(ctx, x); err != nil {
			return err
		}
		p.Scanned, p.Kept = x.Scanned(), x.Kept()
		d := &Decider{Rules: opts.Rules, Site: p.Site, Origin: p.Origin, SameSite: p.SameSite, Index: x}
		need := p.plan(d, opts, pins, round)
		if len(need) == 0 {
			return nil
		}
		if round+1 >= maxRounds {
			return fmt.Errorf("cannot find a free username for %d renamed user(s) after %d tries (e.g. %q)", len(need), maxRounds, need[0])
		}
		extra = append(extra, need...)
	}
}

// plan decides every user and applies the pins and policies. It returns
// the usernames it still needs to know about (rename candidates past those
// indexed), or nil when the plan is complete.
func (p *Plan) plan(d *Decider, opts Options, pins map[string]Pin, round int) []string {
	p.Outcomes = make([]Outcome, len(p.users))
	p.edits = p.edits[:0]
	// Final usernames per mnet host, to keep renamed users distinct from
	// the other backup users.
	taken := map[hostName]bool{}
	for i := range p.users {
		u := p.users[i]
		taken[hostName{d.Site.ResolveMNetHost(u.MNetHostURL), d.Index.key(u.Username)}] = true
	}
	var need []string
	for i := range p.users {
		u := p.users[i]
		o := d.Decide(u)
		if pin, ok := pins[u.Username]; ok {
			p.pin(d, &o, pin, opts.PinsFile)
		} else if o.Action == Conflict {
			pol := opts.Policy
			if u.Username == "admin" {
				pol = opts.AdminPolicy
			}
			switch pol {
			case PolicyFail:
				o.Unresolved = "policy is fail"
			case PolicyMatch:
				p.match(d, &o)
			case PolicyRename:
				if n := p.rename(d, &o, taken, round); n != "" {
					need = append(need, n)
				}
			}
		}
		p.Outcomes[i] = o
	}
	if len(need) > 0 {
		return need
	}
	for _, o := range p.Outcomes {
		if o.Change != nil && o.Unresolved == "" {
			p.edits = append(p.edits, editsFor(o.User, o.Change)...)
		}
	}
	return nil
}

// verify re-decides u with ch applied and records the result in ch.
func verify(d *Decider, u *BackupUser, ch *Change) Outcome {
	v := *u
	if ch.SetUsername {
		v.Username = ch.Username
	}
	if ch.SetMail {
		v.Email = ch.Email
	}
	if ch.SetFirstAccess {
		v.FirstAccess = ch.FirstAccess
	}
	after := d.Decide(&v)
	ch.After, ch.AfterStep, ch.AfterTarget = after.Action, after.Step, after.Target
	return after
}

// match applies the FAQ's method a to a conflict.
func (p *Plan) match(d *Decider, o *Outcome) {
	u, t := o.User, o.Target
	if o.Step == "1E" {
		o.Unresolved = fmt.Sprintf("same-site restore matches users by id: the target's %q has id %d, the backup's has id %d, and setting email or firstaccess cannot change that; use rename, or pin the user in a map file", t.Username, t.ID, u.ID)
		return
	}
	ch := &Change{Kind: "match"}
	switch {
	case u.EmailAt.Present():
		ch.Email, ch.SetMail = t.Email, true
	case t.FirstAccess != 0 && u.FirstAccessAt.Present():
		ch.FirstAccess, ch.SetFirstAccess = t.FirstAccess, true
	default:
		o.Unresolved = "the backup user has no email field to set, and no firstaccess matching the target user's"
		return
	}
	after := verify(d, u, ch)
	o.Change = ch
	if after.Action != Match || after.Target == nil || after.Target.ID != t.ID {
		o.Unresolved = fmt.Sprintf("after setting the email Moodle would still %s (step %s)", after.Action, after.Step)
	}
}

// rename gives a conflicting user a new unique username. It returns a
// username to look up in the target when all known candidates are taken.
func (p *Plan) rename(d *Decider, o *Outcome, taken map[hostName]bool, round int) string {
	u := o.User
	if !u.UsernameAt.Present() {
		o.Unresolved = "the backup user has no USERNAME value to change"
		return ""
	}
	host := o.MNetHostID
	for k := 0; k <= round; k++ {
		name := renameCandidate(u.Username, p.Origin, k)
		if taken[hostName{host, d.Index.key(name)}] {
			continue
		}
		ch := &Change{Kind: "rename", Username: name, SetUsername: true}
		after := verify(d, u, ch)
		// Free on the target (create), or the same person renamed by an
		// earlier run whose course is already restored (2A1 match).
		if after.Action == Create || (after.Action == Match && after.Step != "1B") {
			taken[hostName{host, d.Index.key(name)}] = true
			o.Change = ch
			return ""
		}
	}
	return renameCandidate(u.Username, p.Origin, round+1)
}

// pin makes u map to the chosen target user.
func (p *Plan) pin(d *Decider, o *Outcome, pin Pin, file string) {
	u := o.User
	where := fmt.Sprintf("user map %s line %d", file, pin.Line)
	t, ok := d.Index.ByName(o.MNetHostID, pin.To)
	if !ok {
		o.Unresolved = fmt.Sprintf("%s: no target user %q on mnet host %d", where, pin.To, o.MNetHostID)
		return
	}
	if t.Deleted {
		o.Unresolved = fmt.Sprintf("%s: target user %q is deleted", where, pin.To)
		return
	}
	if o.Action == Match && o.Target != nil && o.Target.ID == t.ID {
		return // already maps there
	}
	if d.SameSite && t.ID != u.ID {
		o.Unresolved = fmt.Sprintf("%s: same-site restore matches users by id: target %q has id %d, the backup user has id %d", where, pin.To, t.ID, u.ID)
		return
	}
	ch := &Change{Kind: "pin"}
	if u.Username != t.Username {
		ch.Username, ch.SetUsername = t.Username, true
	}
	if !d.SameSite && !d.eqEmail(u.Email, t.Email) {
		ch.Email, ch.SetMail = t.Email, true
	}
	after := verify(d, u, ch)
	o.Change = ch
	if after.Action != Match || after.Target == nil || after.Target.ID != t.ID {
		o.Unresolved = fmt.Sprintf("%s: after the change Moodle would still %s (step %s)", where, after.Action, after.Step)
	}
}

// editsFor turns a change into byte splices.
func editsFor(u *BackupUser, ch *Change) []Edit {
	var es []Edit
	add := func(sp Span, v string) {
		nv := escape(v)
		if sp.Tag != "" {
			if v == "" {
				return
			}
			nv = "<" + sp.Tag + ">" + nv + "</" + sp.Tag + ">"
		}
		if nv == sp.Raw {
			return
		}
		es = append(es, Edit{Offset: sp.Offset, Old: []byte(sp.Raw), New: []byte(nv)})
	}
	if ch.SetUsername {
		add(u.UsernameAt, ch.Username)
	}
	if ch.SetMail {
		add(u.EmailAt, ch.Email)
	}
	if ch.SetFirstAccess {
		add(u.FirstAccessAt, fmt.Sprint(ch.FirstAccess))
	}
	return es
}

// Edits returns the byte splices the plan makes to its entry.
func (p *Plan) Edits() []Edit { return append([]Edit(nil), p.edits...) }

// Reconcile checks b against src, reports every outcome that matters to
// sink, and returns b with its users entry replaced by a streaming splice
// of the planned changes (b unchanged when nothing changes). When some
// conflicts remain unresolved it returns a *ConflictError as well.
func Reconcile(ctx context.Context, b *backup.Backup, src Source, opts Options, sink report.Sink) (*backup.Backup, *Plan, error) {
	opts.defaults()
	p, err := Check(ctx, b, src, opts)
	if err != nil {
		return b, nil, err
	}
	p.Report(sink, src.String())
	if len(p.edits) > 0 {
		e := b.Entry(p.Entry)
		edits := p.Edits()
		size := e.Size
		if size >= 0 {
			for _, ed := range edits {
				size += int64(len(ed.New) - len(ed.Old))
			}
		}
		b.SetEntry(e.Replace(size, func() (io.ReadCloser, error) {
			rc, err := e.Open()
			if err != nil {
				return nil, err
			}
			return spliceCloser{NewSpliceReader(rc, edits), rc}, nil
		}))
	}
	if un := p.Unresolved(); len(un) > 0 {
		return b, p, &ConflictError{Unresolved: un}
	}
	return b, p, nil
}

type spliceCloser struct {
	io.Reader
	io.Closer
}

// IsConflict reports whether err is (or wraps) a *ConflictError.
func IsConflict(err error) bool {
	var ce *ConflictError
	return errors.As(err, &ce)
}
