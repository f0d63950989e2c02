// Package audit is Flare's tamper-evident audit log, without any I/O to a
// database: the entry type and its canonical encoding, the RFC 6962 Merkle
// tree over the encoded entries (golang.org/x/mod/sumdb/tlog), checkpoints
// signed with an Ed25519 key as notes (golang.org/x/mod/sumdb/note), the
// key file, the append-only checkpoint file, and the verifier.
//
// The log is verifiable, not merely chained. Every entry is a leaf of a
// Merkle tree; a checkpoint is a signed statement "the tree of size N has
// root R". Checkpoints and the key that signs them live outside the
// database, so someone who can rewrite the database can recompute every
// hash in it but cannot make the tree match a checkpoint it has already
// been shown, nor sign a new one.
//
// The database side (appending in the caller's transaction, reading the
// log back) lives in package sqlstore; this package defines the interfaces
// it implements (LogReader, TreeReader).
package audit
