// Package vault is Flare's envelope encryption at rest.
//
// The key hierarchy, from the outside in:
//
//   - The key ring is a file outside the database (0600, "<data dir>/keyring"
//     or FLARE_KEY_FILE). It holds the key-encryption keys (KEKs), each with
//     an id, one of them current, and a separate blind-index key.
//   - Each record (a person, a report) has its own 256-bit data key (DEK)
//     from crypto/rand. The database stores it only wrapped: AES-256-GCM
//     under a wrapping key derived from the current KEK for the record's
//     shred slot, with the owner's type and id bound as associated data.
//   - Each sensitive field is sealed with the record's DEK: AES-256-GCM in a
//     versioned format that carries the DEK's id, with the table, column and
//     row id bound as associated data, so a ciphertext moved to another row
//     or field fails to open.
//
// Crypto-shredding. A KEK is not one key but the root of a GGM tree
// (Goldreich-Goldwasser-Micali): every 32-bit shred slot has its own leaf
// key, derived from the root by one HMAC-SHA256 per level. Erasing a record
// punctures its slot: the ring replaces the node covering the slot by the
// siblings along its path, so every other leaf stays derivable and that one
// leaf is not derivable from anything left in the file. A database backup
// taken before the erasure still holds the record's wrapped DEK, but no key
// ring written after the erasure can unwrap it, while every other record in
// the same backup unwraps as before (checklist R-CR5). The ring grows by at
// most 32 nodes per erasure and not at all per new record, so creating a
// person never writes the key file.
//
// Blind index. Names are searchable through keyed HMAC-SHA256 tokens of
// their normalised words (see BlindIndex), never through plaintext.
//
// See docs/encryption.md for what an attacker with the database, a backup or
// the key file gets, and for the operator's procedures.
package vault
