// Package pipelines is the engine that runs stages over backups.
//
// It reads pipeline files (YAML, decoded strictly with file:line:column
// errors and did-you-mean suggestions, ${VAR} and ${VAR:-default}
// variables), checks them against the stage registry (options, types, and
// the order of input and output kinds), renders the registry as docs and as a
// JSON Schema, holds the built-in pipelines (builtin/*.yaml, embedded), and
// runs a pipeline over a batch of archives concurrently: progress, findings,
// an end-of-batch summary, atomic outputs, an fsync'd journal for --resume,
// and sharding of the inputs over several machines.
//
// It knows nothing of the command line: cmd/moodlemig parses flags and calls
// Load, Compile and Batch.Run. The stages themselves live in package stages;
// this package never names a particular stage.
package pipelines
