package backup

import (
	"context"
	"fmt"
	"io"
	"os"
)

// WriteTo writes b to w as a zip or tar.gz, exactly as Write writes its
// file, for callers that own placing the output themselves (the batch
// runner writes to a temporary file it hashes, journals and links into
// place; a dry run writes to io.Discard). name is the output's name in
// error messages. opts.Overwrite and opts.Inputs are not used: w is no file
// of Write's. opts.Scratch defaults to os.TempDir().
func WriteTo(ctx context.Context, b *Backup, w io.Writer, name string, opts WriteOptions) error {
	if opts.Format == "" {
		opts.Format = FormatZip
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	switch opts.Format {
	case FormatZip:
		return writeZip(ctx, b, w, name, opts)
	case FormatTarGz:
		if opts.Scratch == "" {
			opts.Scratch = os.TempDir()
		}
		return writeTarGz(ctx, b, w, name, opts)
	}
	return fmt.Errorf("write %s: format %q: use %q or %q", name, opts.Format, FormatZip, FormatTarGz)
}
