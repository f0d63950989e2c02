// Package backup holds what Flare's backups are made of, independent of the
// database: age encryption of the artefact (X25519 recipients, so the
// server only ever holds the public half), the manifest at the head of
// every artefact that lets a restore check what it is given, and the
// retention rule that decides which scheduled backups to keep.
//
// An artefact is an age file. Decrypted, it is
//
//	flare-backup 1\n
//	<manifest as one line of JSON>\n
//	<the database snapshot: a SQLite file or a pg_dump custom-format archive>
//
// The plaintext never touches the disk: the writer encrypts as it goes, and
// age's STREAM construction authenticates every 64 KiB chunk and the end of
// the stream, so a truncated or edited artefact fails to decrypt instead of
// restoring something half-right.
package backup
