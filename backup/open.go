package backup

import (
	"context"
	"errors"
)

// Limits bound what Open accepts, against decompression bombs.
type Limits struct {
	// MaxRatio is the largest allowed ratio of uncompressed to compressed
	// size of one entry (0: default 1000).
	MaxRatio int64
	// MaxTotal is the largest allowed sum of uncompressed sizes (0: default 64 GiB).
	MaxTotal int64
	// MaxEntries is the largest allowed number of entries (0: default 1,000,000).
	MaxEntries int
}

// Options control Open.
type Options struct {
	Limits Limits
}

// Open opens the backup at path: a zip, a tar or tar.gz, or an extracted
// folder. It detects the kind and reads the header facts without reading the
// whole main XML.
//
// TODO(issue 3): implemented by the backup reader.
func Open(ctx context.Context, path string, opts Options) (*Backup, error) {
	return nil, errors.New("backup.Open: not implemented yet")
}
