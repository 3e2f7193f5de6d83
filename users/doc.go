// Package users replays Moodle restore's user-matching rules against a
// target site and repairs backups whose users would stop a restore with
// "Trying to restore user xxxx from backup file will cause conflict".
//
// It reads the backup's users as a stream (the USERS section of a 1.x
// moodle.xml, or a 2.x users.xml), loads only the target users that can
// matter from a Source (a CSV export, or the target Moodle database through
// database/sql with read-only queries), decides for each backup user the
// outcome Moodle would reach (match, create or conflict, with the step of
// the decision table in spec/repairs.md §5.2), and applies a policy to each
// conflict: match (the FAQ's "method a": set the backup user's email or
// firstaccess so Moodle maps it to the existing user), rename (a new,
// unique username: a distinct person) or fail (report only).
//
// Changes are byte splices: only the values of USERNAME, EMAIL and
// FIRSTACCESS that change are replaced; every other byte of the entry is
// passed through unchanged.
//
// It knows nothing of pipelines, YAML or the CLI.
package users
