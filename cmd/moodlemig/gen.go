package main

import (
	"encoding/json"
	"fmt"

	"github.com/moodlemig/moodlemig/internal/bytesize"

	"github.com/moodlemig/moodlemig/internal/gen"
	"github.com/urfave/cli/v2"
)

// genCommand writes synthetic 1.x backups, for developers and benchmarks.
func genCommand() *cli.Command {
	return &cli.Command{
		Name:      "gen",
		Usage:     "write a synthetic Moodle 1.x backup (for tests, benchmarks and demos)",
		ArgsUsage: "OUT.zip",
		Description: `Writes a realistic Moodle 1.x course backup as Moodle 1.5 – 1.9 wrote it,
optionally with the damage the Moodle "Backup and restore FAQ" describes.
The same options (seed included) always give the same bytes.

Examples:
   moodlemig gen course.zip
   moodlemig gen --version 1.5 --lang ru --charset auto russian-15.zip
   moodlemig gen --xml-size 1GB --file-count 200 --file-size 1MB big.zip
   moodlemig gen --strip-entities all --relative-links 20 damaged.zip`,
		Flags: append([]cli.Flag{
			&cli.Int64Flag{Name: "seed", Usage: "random seed (deterministic output)"},
			&cli.StringFlag{Name: "version", Value: "1.9", Usage: "Moodle release that wrote it: 1.5 … 1.9.19"},
			&cli.StringFlag{Name: "lang", Value: "en", Usage: "course language (a Moodle 1.5 pack name: en, fr, ru, ja, zh_cn, …)"},
			&cli.IntFlag{Name: "sections", Usage: "course sections (default 10)"},
			&cli.IntFlag{Name: "modules-per-section", Usage: "activities per section (default 3)"},
			&cli.StringSliceFlag{Name: "module-types", Usage: "only these 1.x module `TYPES` in the numbered sections, e.g. forum,resource (default: every type)"},
			&cli.IntFlag{Name: "orphan-sections", Usage: "sections beyond the course's section count (as old courses have)"},
			&cli.IntFlag{Name: "users", Usage: "students (default 8)"},
			&cli.IntFlag{Name: "discussions", Usage: "discussions per forum (default 2)"},
			&cli.IntFlag{Name: "posts-per-discussion", Usage: "posts per discussion (default 3)"},
			&cli.IntFlag{Name: "logs", Usage: "log records"},
			&cli.BoolFlag{Name: "no-user-data", Usage: "write no users and no user data"},
			&cli.StringFlag{Name: "xml-size", Usage: "grow moodle.xml to about this size (e.g. 100MB, 1GB)"},
			&cli.IntFlag{Name: "file-count", Usage: "course files (default 6)"},
			&cli.StringFlag{Name: "file-size", Usage: "size of each file (e.g. 1500, 1MB)"},
			&cli.IntFlag{Name: "zip-level", Usage: "deflate level 1 (fastest) … 9 (smallest)"},
			&cli.StringFlag{Name: "charset", Usage: "damage: legacy charset (windows-1252, koi8-r, euc-jp, …, or auto for the language's)"},
			&cli.BoolFlag{Name: "raw-legacy-bytes", Usage: "damage: raw legacy bytes instead of utf8_encode'd (hand-edited variant)"},
			&cli.BoolFlag{Name: "no-declaration", Usage: "damage: drop the <?xml …?> line"},
			&cli.BoolFlag{Name: "crlf", Usage: "damage: CRLF line ends (a file edited on Windows)"},
			&cli.IntFlag{Name: "missing-files", Usage: "damage: number of referenced files left out of the zip"},
			&cli.IntFlag{Name: "double-utf8", Usage: "damage: number of values double-encoded (Ã© for é)"},
			&cli.IntFlag{Name: "invalid-xml-chars", Usage: "damage: number of values with a character XML forbids"},
			&cli.StringSliceFlag{Name: "strip-entities", Usage: "damage: libxml2 2.7 stripping on these HTML fields (or all)"},
			&cli.Float64Flag{Name: "strip-ratio", Usage: "damage: share (0-1] of the chosen fields stripped (default all)"},
			&cli.IntFlag{Name: "relative-links", Usage: "damage: number of links left unencoded"},
			&cli.StringFlag{Name: "nested-root", Usage: "damage: wrap everything in this folder"},
			&cli.BoolFlag{Name: "truncate", Usage: "damage: cut the zip (no central directory)"},
			&cli.Float64Flag{Name: "truncate-at", Usage: "damage: share of the zip kept by --truncate (default 0.6)"},
			&cli.Float64Flag{Name: "truncate-xml", Usage: "damage: stop moodle.xml at this share of its length, mid-value"},
			&cli.BoolFlag{Name: "clean-twin", Usage: "write the undamaged twin of the damaged course"},
		}, globalFlags...),
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("gen: want one output path, got %d arguments (see moodlemig gen --help)", c.NArg())
			}
			o := gen.Options{
				Seed: c.Int64("seed"), Version: c.String("version"), Lang: c.String("lang"),
				Sections: c.Int("sections"), ModulesPerSection: c.Int("modules-per-section"),
				ModuleTypes: c.StringSlice("module-types"), OrphanSections: c.Int("orphan-sections"), Users: c.Int("users"), Discussions: c.Int("discussions"),
				PostsPerDiscussion: c.Int("posts-per-discussion"), Logs: c.Int("logs"),
				NoUserData: c.Bool("no-user-data"), FileCount: c.Int("file-count"), ZipLevel: c.Int("zip-level"),
				Clean: c.Bool("clean-twin"),
				Damage: gen.Damage{
					Charset: c.String("charset"), RawLegacyBytes: c.Bool("raw-legacy-bytes"),
					InvalidXMLChars: c.Int("invalid-xml-chars"), StripEntities: c.StringSlice("strip-entities"),
					NoDeclaration: c.Bool("no-declaration"), CRLF: c.Bool("crlf"), MissingFiles: c.Int("missing-files"),
					DoubleUTF8: c.Int("double-utf8"), StripRatio: c.Float64("strip-ratio"),
					RelativeLinks: c.Int("relative-links"), NestedRoot: c.String("nested-root"), Truncate: c.Bool("truncate"),
					TruncateAt: c.Float64("truncate-at"), TruncateXML: c.Float64("truncate-xml"),
				},
			}
			var err error
			if o.XMLSize, err = bytesize.Parse(c.String("xml-size")); err != nil {
				return usagef("gen: --xml-size: %v", err)
			}
			if o.FileSize, err = bytesize.Parse(c.String("file-size")); err != nil {
				return usagef("gen: --file-size: %v", err)
			}
			m, err := gen.WriteZip(c.Args().First(), o)
			if err != nil {
				return fmt.Errorf("gen %s: %w", c.Args().First(), err)
			}
			if c.Bool("json") {
				return json.NewEncoder(c.App.Writer).Encode(m)
			}
			if !c.Bool("quiet") {
				fmt.Fprintf(c.App.ErrWriter, "wrote %s: %d sections, %d modules, %d users, %d posts\n",
					c.Args().First(), m.Sections, sum(m.Modules), m.Users, m.Posts)
			}
			return nil
		},
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
