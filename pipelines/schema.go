package pipelines

import (
	"encoding/json"

	"github.com/moodlemig/moodlemig/stages"
)

// SchemaID is the $id of the JSON Schema of pipeline files.
const SchemaID = "https://github.com/moodlemig/moodlemig/pipeline.schema.json"

// Schema returns a JSON Schema (draft 2020-12) of pipeline files built from
// reg, for editors: completion of stage and option names, types, enums,
// defaults and docs. A typed option also accepts a string holding a ${VAR}.
func Schema(reg *stages.Registry) ([]byte, error) {
	type obj = map[string]any
	varString := obj{"type": "string", "pattern": `\$\{`}
	names := reg.Names()
	var withOpts []any
	for _, s := range reg.Specs() {
		props := obj{}
		for _, o := range s.Options {
			p := obj{"description": o.Doc, "default": o.Default}
			switch o.Type {
			case stages.Enum:
				p["enum"] = o.Values
				p["type"] = "string"
			case stages.String:
				p["type"] = "string"
			default:
				t := map[stages.OptionType]string{stages.Bool: "boolean", stages.Int: "integer", stages.Float: "number"}[o.Type]
				typed := obj{"type": t}
				if o.Max > o.Min {
					typed["minimum"], typed["maximum"] = o.Min, o.Max
				}
				p["anyOf"] = []any{typed, varString}
			}
			props[o.Name] = p
		}
		withOpts = append(withOpts, obj{
			"type":                 "object",
			"description":          s.Summary,
			"properties":           obj{s.Name: obj{"type": []string{"object", "null"}, "properties": props, "additionalProperties": false}},
			"required":             []string{s.Name},
			"additionalProperties": false,
		})
	}
	schema := obj{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  SchemaID,
		"title":                "moodlemig pipeline",
		"description":          "A moodlemig pipeline: stages run in order on each archive of a batch. Values may use ${VAR} and ${VAR:-default}.",
		"type":                 "object",
		"additionalProperties": false,
		"required":             []string{"stages"},
		"properties": obj{
			"name":        obj{"type": "string", "description": "the pipeline's name"},
			"description": obj{"type": "string", "description": "one line saying what the pipeline does"},
			"on-error": obj{"enum": []string{string(SkipArchive), string(FailBatch)}, "default": string(SkipArchive),
				"description": "skip-archive: report a failed archive and go on; fail-batch: take no new archive after a failure"},
			"output": obj{"type": "string", "default": DefaultOutput,
				"description": "output naming template, relative to the output folder: {name} {dir} {ext} {shortname} {courseid}"},
			"stages": obj{
				"type":        "array",
				"minItems":    1,
				"description": "the stages, in order: a name, or a map of one name to its options",
				"items": obj{"oneOf": []any{
					obj{"type": "string", "enum": names},
					obj{"oneOf": withOpts},
				}},
			},
		},
	}
	return json.MarshalIndent(schema, "", "  ")
}
