package audit

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"golang.org/x/mod/sumdb/note"
)

// Sink is where signed checkpoints go: somewhere the database's
// administrators cannot rewrite. Publish must be durable when it returns.
type Sink interface {
	// Publish appends one signed checkpoint.
	Publish(signed []byte) error
	// ReadAll returns every signed checkpoint published, oldest first.
	ReadAll() ([][]byte, error)
	// ReadFrom returns the signed checkpoints published after position
	// pos (0 is the start), oldest first, and the position after them, so
	// that a long-running checkpointer reads each one once. A sink that
	// has lost checkpoints before pos must return an error.
	ReadFrom(pos int64) ([][]byte, int64, error)
}

// FileSink is the default Sink: an append-only file of signed notes, each
// followed by an empty line. Several processes may publish to it at once:
// each note goes out in a single O_APPEND write, then fsync.
type FileSink struct {
	path string
}

// NewFileSink returns the sink writing to the file at path, created 0600
// (in a directory created 0700) on first publish.
func NewFileSink(path string) *FileSink { return &FileSink{path: path} }

// Path is the file the sink writes.
func (s *FileSink) Path() string { return s.path }

// Publish implements Sink.
func (s *FileSink) Publish(signed []byte) error {
	if _, err := splitNotes(append(slices.Clip(signed), '\n')); err != nil {
		return fmt.Errorf("publish checkpoint: not a signed note: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return fmt.Errorf("publish checkpoint: %w", err)
	}
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("publish checkpoint: %w", err)
	}
	if _, err := f.Write(append(slices.Clip(signed), '\n')); err != nil {
		f.Close()
		return fmt.Errorf("publish checkpoint to %s: %w", s.path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("publish checkpoint to %s: %w", s.path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("publish checkpoint to %s: %w", s.path, err)
	}
	return nil
}

// ReadAll implements Sink. A missing file holds no checkpoint.
func (s *FileSink) ReadAll() ([][]byte, error) {
	notes, _, err := s.ReadFrom(0)
	return notes, err
}

// ReadFrom implements Sink; the position is a byte offset. A file shorter
// than pos, or missing when pos > 0, has lost checkpoints: an error.
func (s *FileSink) ReadFrom(pos int64) ([][]byte, int64, error) {
	f, err := os.Open(s.path)
	if errors.Is(err, fs.ErrNotExist) && pos == 0 {
		return nil, 0, nil
	}
	if err != nil {
		return nil, pos, fmt.Errorf("read checkpoints: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, pos, fmt.Errorf("read checkpoints: %w", err)
	}
	if info.Size() < pos {
		return nil, pos, fmt.Errorf("checkpoint file %s shrank from %d to %d bytes: checkpoints were removed", s.path, pos, info.Size())
	}
	b := make([]byte, info.Size()-pos)
	if _, err := f.ReadAt(b, pos); err != nil && !errors.Is(err, io.EOF) {
		return nil, pos, fmt.Errorf("read checkpoints from %s: %w", s.path, err)
	}
	notes, err := splitNotes(b)
	if err != nil {
		return nil, pos, fmt.Errorf("read checkpoints from %s after byte %d: %w", s.path, pos, err)
	}
	return notes, pos + int64(len(b)), nil
}

// sigPrefix, "— ", begins every signature line of a note.
const sigPrefix = "\u2014 "

// splitNotes cuts a checkpoint file into its signed notes. A note is text
// ending in a blank line, then one or more signature lines; an empty line
// ends each note. Anything else is damage, reported with its byte offset:
// verify must not skip what it cannot read.
func splitNotes(b []byte) ([][]byte, error) {
	var notes [][]byte
	off := 0
	for off < len(b) {
		rest := b[off:]
		end := bytes.Index(rest, []byte("\n\n"))
		if end < 0 {
			return nil, fmt.Errorf("damaged record at byte %d: no end of text", off)
		}
		j := end + 2
		for j < len(rest) && bytes.HasPrefix(rest[j:], []byte(sigPrefix)) {
			nl := bytes.IndexByte(rest[j:], '\n')
			if nl < 0 {
				return nil, fmt.Errorf("damaged record at byte %d: unterminated signature", off)
			}
			j += nl + 1
		}
		if j == end+2 {
			return nil, fmt.Errorf("damaged record at byte %d: no signature", off)
		}
		if j >= len(rest) || rest[j] != '\n' {
			return nil, fmt.Errorf("damaged record at byte %d: no empty line after it", off)
		}
		notes = append(notes, rest[:j:j])
		off += j + 1
	}
	return notes, nil
}

// TrustedCheckpoints reads every checkpoint in sink, checks each one's
// signature with v, and returns them sorted by size. One bad record fails
// the whole read, and so do two checkpoints of the same size with different
// roots: either means someone has been at the sink or the log forked.
func TrustedCheckpoints(sink Sink, v note.Verifier) ([]Checkpoint, error) {
	notes, err := sink.ReadAll()
	if err != nil {
		return nil, err
	}
	cps := make([]Checkpoint, 0, len(notes))
	for i, msg := range notes {
		c, err := OpenCheckpoint(msg, v)
		if err != nil {
			return nil, fmt.Errorf("checkpoint %d of %d: %w", i+1, len(notes), err)
		}
		cps = append(cps, c)
	}
	slices.SortStableFunc(cps, func(a, b Checkpoint) int { return cmp.Compare(a.Size, b.Size) })
	for i := 1; i < len(cps); i++ {
		if cps[i].Size == cps[i-1].Size && cps[i].Hash != cps[i-1].Hash {
			return nil, &VerifyError{Seq: -1, Problem: fmt.Sprintf("two signed checkpoints of tree size %d have different roots: the log forked", cps[i].Size)}
		}
	}
	return cps, nil
}

// Latest returns the checkpoint of the largest size, and false for none.
func Latest(cps []Checkpoint) (Checkpoint, bool) {
	if len(cps) == 0 {
		return Checkpoint{}, false
	}
	return cps[len(cps)-1], true
}
