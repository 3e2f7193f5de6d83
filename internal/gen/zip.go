package gen

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/klauspost/compress/flate"
)

// zipFile is one file of the backup besides moodle.xml: its contents are
// made from its name when the zip is written.
type zipFile struct {
	name string // path inside the backup, e.g. "moddata/forum/12/345/a.jpg"
	size int64
	kind string // file type: jpg, png, pdf, doc, xml, html, zip …
	seed int64
}

// addFile records a module, user or group file (deduplicated by name).
func (g *gen) addFile(name, kind string, seed int64) {
	if g.seenFile == nil {
		g.seenFile = map[string]bool{}
	}
	if g.seenFile[name] {
		return
	}
	g.seenFile[name] = true
	g.files = append(g.files, zipFile{name: name, size: g.o.FileSize, kind: kind, seed: seed})
}

// addFileKind records a file whose contents are fixed by its kind (packages,
// manifests, pages), not by Options.FileSize.
func (g *gen) addFileKind(name, kind string, seed int64) {
	g.addFile(name, kind, seed)
	g.files[len(g.files)-1].size = -1
}

// addCourseFile records a file of the course file area used by an activity.
func (g *gen) addCourseFile(path string) {
	g.addFile("course_files/"+path, strings.TrimPrefix(filepath.Ext(path), "."), int64(len(path)))
}

// WriteZip writes a whole backup zip at path: moodle.xml, course_files/,
// moddata/, user_files/, group_files/, laid out and zipped as Moodle 1.x
// did (spec §1.2, §1.3: entries at the root, a directory entry for every
// folder, no UTF-8 flag, no data descriptors, MS-DOS attributes, fixed
// timestamps). moodle.xml is streamed to a temporary file next to path while
// it is compressed, so memory stays flat at any Options.XMLSize. The file at
// path is replaced.
func WriteZip(path string, o Options) (*Manifest, error) {
	return WriteZipContext(context.Background(), path, o)
}

// WriteZipContext is WriteZip that stops with ctx's error when ctx is done;
// the partial file is removed.
func WriteZipContext(ctx context.Context, path string, o Options) (*Manifest, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".gen-moodle-xml-*")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	crc := crc32.NewIEEE()
	fw, err := flate.NewWriter(tmp, o.ZipLevel)
	if err != nil {
		return nil, err
	}
	cw := &countWriter{}
	m, files, p, err := writeXML(ctx, io.MultiWriter(fw, crc, cw), o)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if err := fw.Close(); err != nil {
		return nil, fmt.Errorf("write %s: compress moodle.xml: %w", path, err)
	}
	compressed, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}

	out, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	zw := zip.NewWriter(out)
	zt := &zipper{zw: zw, o: o, when: time.Unix(p.backupAt, 0).UTC(), m: m, level: o.ZipLevel}
	root := ""
	if o.Damage.NestedRoot != "" && !o.Clean {
		root = strings.Trim(o.Damage.NestedRoot, "/") + "/"
		if err := zt.dir(root); err != nil {
			return nil, zt.fail(out, path, err)
		}
	}
	hdr := zt.header(root+"moodle.xml", zip.Deflate)
	hdr.ExternalAttrs = 0x20
	hdr.CRC32 = crc.Sum32()
	hdr.CompressedSize64 = uint64(compressed)
	hdr.UncompressedSize64 = uint64(cw.n)
	w, err := zw.CreateRaw(hdr)
	if err == nil {
		_, err = io.Copy(w, tmp)
	}
	if err != nil {
		return nil, zt.fail(out, path, fmt.Errorf("moodle.xml: %w", err))
	}

	all := zt.layout(p, files, p.e)
	for _, f := range all {
		if err := ctx.Err(); err != nil {
			return nil, zt.fail(out, path, err)
		}
		if strings.HasSuffix(f.name, "/") {
			err = zt.dir(root + f.name)
		} else {
			err = zt.file(root, f)
		}
		if err != nil {
			return nil, zt.fail(out, path, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, zt.fail(out, path, err)
	}
	if err := out.Close(); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	m.ZipBytes = st.Size()
	if o.Damage.Truncate && !o.Clean {
		m.ZipBytes = int64(float64(st.Size()) * o.Damage.TruncateAt)
		if err := os.Truncate(path, m.ZipBytes); err != nil {
			return nil, fmt.Errorf("truncate %s: %w", path, err)
		}
		m.TruncatedZip = true
	}
	return m, nil
}

type zipper struct {
	zw    *zip.Writer
	o     Options
	when  time.Time
	m     *Manifest
	level int
	buf   bytes.Buffer
	data  []byte
	fw    *flate.Writer
}

func (z *zipper) fail(out *os.File, path string, err error) error {
	out.Close()
	os.Remove(path)
	return fmt.Errorf("write %s: %w", path, err)
}

// header is a PclZip-like entry header: MS-DOS host, version 2.0, no flags,
// DOS time only (no extended timestamp extra field).
func (z *zipper) header(name string, method uint16) *zip.FileHeader {
	h := &zip.FileHeader{Name: name, Method: method, NonUTF8: true, CreatorVersion: 20, ReaderVersion: 20}
	d, t := dosTime(z.when)
	//lint:ignore SA1019 the DOS fields are set directly so that no extended-timestamp extra field is written, as PclZip wrote none
	h.ModifiedDate, h.ModifiedTime = d, t
	return h
}

func dosTime(t time.Time) (uint16, uint16) {
	d := uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	tm := uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	return d, tm
}

func (z *zipper) dir(name string) error {
	h := z.header(name, zip.Store)
	h.ExternalAttrs = 0x10
	if _, err := z.zw.CreateRaw(h); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	z.m.Dirs++
	return nil
}

func (z *zipper) file(root string, f zipFile) error {
	name := root + f.name
	var err error
	if z.data, err = fileContents(z.data[:0], f, z.o.Seed); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	z.buf.Reset()
	if z.fw == nil {
		if z.fw, err = flate.NewWriter(&z.buf, z.level); err != nil {
			return err
		}
	} else {
		z.fw.Reset(&z.buf)
	}
	if _, err := z.fw.Write(z.data); err != nil {
		return err
	}
	if err := z.fw.Close(); err != nil {
		return err
	}
	h := z.header(name, zip.Deflate)
	h.ExternalAttrs = 0x20 // MS-DOS archive bit
	h.CRC32 = crc32.ChecksumIEEE(z.data)
	h.CompressedSize64 = uint64(z.buf.Len())
	h.UncompressedSize64 = uint64(len(z.data))
	w, err := z.zw.CreateRaw(h)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if _, err := w.Write(z.buf.Bytes()); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	top, _, _ := strings.Cut(f.name, "/")
	z.m.Files[top]++
	z.m.FileBytes[top] += int64(len(z.data))
	return nil
}

// layout lists every entry after moodle.xml in the order PclZip added them
// (each folder's entry, then its contents), directories ending in "/".
func (z *zipper) layout(p *plan, files []zipFile, e era) []zipFile {
	var all []zipFile
	for _, f := range p.files {
		all = append(all, zipFile{name: "course_files/" + f.path, size: f.size, kind: strings.TrimPrefix(filepath.Ext(f.path), "."), seed: int64(len(f.path))})
	}
	all = append(all, files...)
	for _, c := range p.cats {
		for _, q := range c.questions {
			if c.level == "system" && q.image != "" {
				all = append(all, zipFile{name: "site_files/" + q.image, size: z.o.FileSize, kind: "png", seed: q.id})
			}
		}
	}
	if !z.o.NoUserData {
		for _, u := range p.users {
			if !u.picture {
				continue
			}
			d := fmt.Sprintf("user_files/%d/", u.id)
			if e.v19 {
				d = fmt.Sprintf("user_files/%d/%d/", u.id/1000*1000, u.id)
			}
			all = append(all, zipFile{name: d + "f1.jpg", size: z.o.FileSize, kind: "jpg", seed: u.id},
				zipFile{name: d + "f2.jpg", size: z.o.FileSize / 4, kind: "jpg", seed: u.id + 1})
		}
	}
	names := map[string]bool{}
	if n := z.o.Damage.MissingFiles; n > 0 && !z.o.Clean {
		// referenced files first: the images and documents the HTML links to
		for _, ref := range append(append([]string(nil), p.images...), p.docs...) {
			if n == 0 {
				break
			}
			name := "course_files/" + ref
			names[name] = true // never written
			z.m.MissingFiles = append(z.m.MissingFiles, name)
			n--
		}
	}
	var out []zipFile
	for _, f := range all {
		if names[f.name] {
			continue
		}
		names[f.name] = true
		out = append(out, f)
		for d := parentDir(f.name); d != ""; d = parentDir(strings.TrimSuffix(d, "/")) {
			if !names[d] {
				names[d] = true
				out = append(out, zipFile{name: d})
			}
		}
	}
	// Empty folders Moodle created on demand (spec §1.2, pitfall 7).
	for _, d := range []string{"moddata/", "moddata/resource/", "course_files/"} {
		if !names[d] {
			names[d] = true
			out = append(out, zipFile{name: d})
		}
	}
	sort.Slice(out, func(i, j int) bool { return treeLess(out[i].name, out[j].name) })
	return out
}

func parentDir(name string) string {
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return ""
	}
	return name[:i+1]
}

// treeLess orders paths depth-first: a folder entry before its contents,
// files of a folder before its sub-folders.
func treeLess(a, b string) bool {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] == bs[i] {
			continue
		}
		aLeaf, bLeaf := i == len(as)-1, i == len(bs)-1
		if aLeaf != bLeaf {
			return aLeaf // a file (or the folder's own entry) first
		}
		return as[i] < bs[i]
	}
	return len(as) < len(bs)
}

var magic = map[string]string{
	"png":  "\x89PNG\r\n\x1a\n",
	"jpg":  "\xff\xd8\xff\xe0\x00\x10JFIF\x00",
	"pdf":  "%PDF-1.4\n",
	"doc":  "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
	"zip":  "PK\x03\x04",
	"jqz":  "<?xml version=\"1.0\"?>\n<hotpot-jmatch-file>\n",
	"xml":  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<manifest identifier=\"cells\">\n",
	"html": "<html><head><title>Cells</title></head><body>\n",
}

// manifestXML is an IMS content package / SCORM 1.2 manifest with one
// organization and one page, valid for the IMS and SCORM parsers.
func manifestXML(scorm bool) string {
	meta, typ, href := "", "", "index.html"
	if scorm {
		meta = "  <metadata>\n    <schema>ADL SCORM</schema>\n    <schemaversion>1.2</schemaversion>\n  </metadata>\n"
		typ = ` adlcp:scormtype="sco"`
		href = "sco1/index.html"
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="MANIFEST-CELLS" version="1.1" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
` + meta + `  <organizations default="ORG-CELLS">
    <organization identifier="ORG-CELLS">
      <title>Cells</title>
      <item identifier="ITEM-1" identifierref="RES-1" isvisible="true">
        <title>The cell</title>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES-1" type="webcontent"` + typ + ` href="` + href + `">
      <file href="` + href + `"/>
    </resource>
  </resources>
</manifest>
`
}

const pageHTML = "<html>\n<head><title>The cell</title><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head>\n<body>\n<h1>The cell</h1>\n<p>The cell is the basic unit of life.</p>\n</body>\n</html>\n"

// packageZip is a small, real IMS or SCORM package: manifest and page.
func packageZip(scorm bool) ([]byte, error) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	href := "index.html"
	if scorm {
		href = "sco1/index.html"
	}
	for _, f := range []struct{ name, body string }{{"imsmanifest.xml", manifestXML(scorm)}, {href, pageHTML}} {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate}
		//lint:ignore SA1019 DOS time only, so the package bytes never depend on the clock
		h.ModifiedDate, h.ModifiedTime = 0x3A21, 0x6000
		w, err := zw.CreateHeader(h)
		if err == nil {
			_, err = w.Write([]byte(f.body))
		}
		if err != nil {
			return nil, err
		}
	}
	err := zw.Close()
	return b.Bytes(), err
}

// fileContents makes the bytes of a file: its type's magic bytes, then
// text (for text types) or pseudo-random bytes, all from the seed and name.
// Packages, manifests and pages have fixed, valid contents.
func fileContents(dst []byte, f zipFile, seed int64) ([]byte, error) {
	switch f.kind {
	case "ims-zip", "scorm-zip":
		p, err := packageZip(f.kind == "scorm-zip")
		return append(dst, p...), err
	case "ims-manifest":
		return append(dst, manifestXML(false)...), nil
	case "scorm-manifest":
		return append(dst, manifestXML(true)...), nil
	case "page":
		return append(dst, pageHTML...), nil
	}
	h := crc32.ChecksumIEEE([]byte(f.name))
	r := rand.New(rand.NewPCG(uint64(seed)^uint64(f.seed), uint64(h)))
	dst = append(dst, magic[f.kind]...)
	text := f.kind == "xml" || f.kind == "html" || f.kind == "jqz"
	for int64(len(dst)) < f.size {
		if text {
			dst = append(dst, "<p>The cell is the basic unit of life.</p>\n"...)
			continue
		}
		v := r.Uint64()
		for i := 0; i < 8 && int64(len(dst)) < f.size; i++ {
			dst = append(dst, byte(v>>(8*i)))
		}
	}
	if int64(len(dst)) > f.size && f.size >= int64(len(magic[f.kind])) {
		dst = dst[:f.size]
	}
	return dst, nil
}
