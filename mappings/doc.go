// Package mappings holds the declarative tables moodlemig works from, as
// embedded YAML checked when loaded: for now the Moodle 1.5 language pack →
// charset table used by the transcode stage. It does no conversion itself.
package mappings
