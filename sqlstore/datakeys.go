package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/vault"
)

// KeyStore keeps every record's data key in the data_keys table, wrapped by
// the key ring that lives outside the database (package vault). Services
// that store a person's or a report's sensitive fields create the record's
// key in the same transaction as the record, seal each field with it, and
// destroy it to erase the record (crypto-shredding).
type KeyStore struct {
	db    *DB
	vault *vault.Vault
	batch int
}

// defaultRotateBatch is how many data keys one rotation transaction
// re-wraps: small enough to keep locks short, large enough to be quick.
const defaultRotateBatch = 500

// maxSlotAttempts bounds the retries when a random shred slot is taken.
// With four billion slots, even a million records make a second attempt
// rare and a tenth impossible in practice.
const maxSlotAttempts = 10

// ErrDataKeyDestroyed is returned (wrapped) for a record whose data key was
// destroyed: the record was erased and its sealed fields are unreadable for
// good. Its code is "not found".
var ErrDataKeyDestroyed = &flare.Error{Code: flare.ENOTFOUND, Message: "the record was erased: its data key is destroyed"}

// NewKeyStore returns the data key store on db, wrapping keys with v.
func NewKeyStore(db *DB, v *vault.Vault) *KeyStore {
	return &KeyStore{db: db, vault: v, batch: defaultRotateBatch}
}

// Vault returns the key ring the store wraps keys with, e.g. for the blind
// index.
func (k *KeyStore) Vault() *vault.Vault { return k.vault }

// SetRotateBatch sets how many keys one RotateKeys transaction re-wraps.
func (k *KeyStore) SetRotateBatch(n int) {
	if n > 0 {
		k.batch = n
	}
}

// CreateDataKey makes a fresh data key for the record (ownerType, ownerID),
// stores it wrapped in tx, and returns it unwrapped for sealing the
// record's fields in the same transaction. A record has one key: a second
// call is a conflict.
func (k *KeyStore) CreateDataKey(ctx context.Context, tx *sql.Tx, ownerType, ownerID string) (*vault.DataKey, error) {
	owner := vault.Owner{Type: ownerType, ID: ownerID}
	for range maxSlotAttempts {
		key, w, err := k.vault.NewDataKey(owner)
		if errors.Is(err, vault.ErrShredded) {
			continue // the random slot belongs to an erased record
		}
		if err != nil {
			return nil, fmt.Errorf("create data key of %s: %w", owner, err)
		}
		// ON CONFLICT on the slot only: a slot taken by another record
		// means "draw again", while a second key for the same record still
		// fails on the primary key. The statement must not fail for a slot
		// clash, since a failed statement aborts a PostgreSQL transaction.
		res, err := tx.ExecContext(ctx, `INSERT INTO data_keys
			(owner_type, owner_id, wrapped_dek, kek_id, shred_slot, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (shred_slot) DO NOTHING`,
			ownerType, ownerID, w.Blob, w.KEKID, int64(w.Slot), k.db.now().UTC())
		if k.db.dialect.constraint(err) == uniqueViolation {
			return nil, flare.Errorf(flare.ECONFLICT, "%s already has a data key", owner)
		}
		if err != nil {
			return nil, fmt.Errorf("insert data key of %s: %w", owner, k.db.dialect.translate(err))
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, fmt.Errorf("insert data key of %s: %w", owner, err)
		}
		if n == 1 {
			return key, nil
		}
	}
	return nil, fmt.Errorf("create data key of %s: no free shred slot after %d attempts", owner, maxSlotAttempts)
}

// DataKey loads and unwraps the data key of (ownerType, ownerID) through q
// (the caller's transaction, or nil for the store's own connection pool).
// A record with no key is "not found"; an erased one wraps
// ErrDataKeyDestroyed; a wrapped key that fails authentication (altered, or
// copied from another record's row) wraps a *vault.IntegrityError.
func (k *KeyStore) DataKey(ctx context.Context, q querier, ownerType, ownerID string) (*vault.DataKey, error) {
	if q == nil {
		q = k.db.sql
	}
	owner := vault.Owner{Type: ownerType, ID: ownerID}
	var blob []byte
	err := q.QueryRowContext(ctx, `SELECT wrapped_dek FROM data_keys WHERE owner_type = $1 AND owner_id = $2`,
		ownerType, ownerID).Scan(&blob)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, flare.Errorf(flare.ENOTFOUND, "no data key for %s", owner)
	}
	if err != nil {
		return nil, fmt.Errorf("load data key of %s: %w", owner, k.db.dialect.translate(err))
	}
	if blob == nil {
		return nil, fmt.Errorf("data key of %s: %w", owner, ErrDataKeyDestroyed)
	}
	key, err := k.vault.Unwrap(owner, blob)
	if errors.Is(err, vault.ErrShredded) {
		return nil, fmt.Errorf("data key of %s: %w", owner, ErrDataKeyDestroyed)
	}
	if err != nil {
		return nil, fmt.Errorf("unwrap data key of %s: %w", owner, err)
	}
	return key, nil
}

// DestroyDataKey crypto-shreds the record's key: in tx the wrapped key is
// cleared (the row stays as a tombstone that keeps the shred slot taken),
// and the slot is punctured in the key ring file, which is what makes the
// record unreadable in backups taken before today too.
//
// The key ring is written before the caller commits, on purpose: if the
// commit then fails, the record is unreadable but still present (DataKey
// says it was destroyed) and the erasure can be run again; the other order
// could leave a record that the database calls erased but old backups can
// still open. Destroying an already destroyed key does nothing more.
func (k *KeyStore) DestroyDataKey(ctx context.Context, tx *sql.Tx, ownerType, ownerID string) error {
	owner := vault.Owner{Type: ownerType, ID: ownerID}
	var slot int64
	err := tx.QueryRowContext(ctx, `UPDATE data_keys SET wrapped_dek = NULL, kek_id = NULL, destroyed_at = $3
		WHERE owner_type = $1 AND owner_id = $2 AND destroyed_at IS NULL RETURNING shred_slot`,
		ownerType, ownerID, k.db.now().UTC()).Scan(&slot)
	if errors.Is(err, sql.ErrNoRows) {
		// Already destroyed (shred again: harmless, and completes an
		// erasure interrupted between the ring and the commit) or unknown.
		err = tx.QueryRowContext(ctx, `SELECT shred_slot FROM data_keys WHERE owner_type = $1 AND owner_id = $2`,
			ownerType, ownerID).Scan(&slot)
		if errors.Is(err, sql.ErrNoRows) {
			return flare.Errorf(flare.ENOTFOUND, "no data key for %s", owner)
		}
	}
	if err != nil {
		return fmt.Errorf("destroy data key of %s: %w", owner, k.db.dialect.translate(err))
	}
	if err := k.vault.Shred(uint32(slot)); err != nil {
		return fmt.Errorf("destroy data key of %s: %w", owner, err)
	}
	return nil
}

// RotateProgress reports how far a key rotation got.
type RotateProgress struct {
	// KEKID is the key-encryption key the data keys are re-wrapped under.
	KEKID string
	// Started is true when this run added that KEK, false when it resumed
	// an interrupted rotation.
	Started bool
	// Done counts the data keys re-wrapped so far by this run; Total is how
	// many were on an older KEK when it began.
	Done, Total int
}

// RotateKeys re-wraps every data key under a new key-encryption key, in
// transactions of SetRotateBatch keys, calling progress after each.
//
// It is resumable: when some keys are still on an older KEK (a rotation
// was interrupted, by a crash or a cancelled ctx), it carries on under the
// current KEK; only when every key is on the current KEK does it add a new
// KEK and make it current. Sealed fields are untouched: a re-wrap changes
// the wrapping, not the data key. The old KEK stays in the ring (backups
// taken before the rotation need it) until RemoveKEK.
func (k *KeyStore) RotateKeys(ctx context.Context, progress func(RotateProgress)) (RotateProgress, error) {
	var p RotateProgress
	cur, err := k.vault.CurrentKEK()
	if err != nil {
		return p, err
	}
	pending, err := k.countNotOn(ctx, cur)
	if err != nil {
		return p, err
	}
	if pending == 0 {
		if cur, err = k.vault.AddKEK(); err != nil {
			return p, err
		}
		if err := k.vault.SetCurrentKEK(cur); err != nil {
			return p, fmt.Errorf("make %s current: %w", cur, err)
		}
		p.Started = true
		if pending, err = k.countNotOn(ctx, cur); err != nil {
			return p, err
		}
	}
	p.KEKID, p.Total = cur, pending
	for {
		if err := ctx.Err(); err != nil {
			return p, fmt.Errorf("key rotation stopped after %d of %d keys (run it again to resume): %w", p.Done, p.Total, err)
		}
		// Read the current KEK for each batch: if another rotation moved it
		// on, follow it rather than re-selecting keys forever.
		if p.KEKID, err = k.vault.CurrentKEK(); err != nil {
			return p, err
		}
		n, err := k.rewrapBatch(ctx, p.KEKID)
		if err != nil {
			return p, fmt.Errorf("key rotation stopped after %d of %d keys (run it again to resume): %w", p.Done, p.Total, err)
		}
		if n == 0 {
			return p, nil
		}
		p.Done += n
		if progress != nil {
			progress(p)
		}
	}
}

// countNotOn counts live data keys wrapped under another KEK than kekID.
func (k *KeyStore) countNotOn(ctx context.Context, kekID string) (int, error) {
	var n int
	err := k.db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM data_keys
		WHERE destroyed_at IS NULL AND kek_id <> $1`, kekID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count data keys to rotate: %w", k.db.dialect.translate(err))
	}
	return n, nil
}

// staleKey is a data key row still wrapped under an older KEK.
type staleKey struct {
	owner vault.Owner
	blob  []byte
	kekID string
}

// rewrapBatch re-wraps up to k.batch keys not on kekID in one transaction
// and returns how many rows it handled (0 when none is left).
func (k *KeyStore) rewrapBatch(ctx context.Context, kekID string) (int, error) {
	var stale []staleKey
	err := k.db.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT owner_type, owner_id, wrapped_dek, kek_id FROM data_keys
			WHERE destroyed_at IS NULL AND kek_id <> $1 ORDER BY owner_type, owner_id LIMIT $2`, kekID, k.batch)
		if err != nil {
			return fmt.Errorf("select data keys to rotate: %w", k.db.dialect.translate(err))
		}
		for rows.Next() {
			var s staleKey
			if err := rows.Scan(&s.owner.Type, &s.owner.ID, &s.blob, &s.kekID); err != nil {
				rows.Close()
				return fmt.Errorf("scan data key: %w", err)
			}
			stale = append(stale, s)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("select data keys to rotate: %w", err)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("select data keys to rotate: %w", err)
		}
		now := k.db.now().UTC()
		for _, s := range stale {
			w, err := k.vault.Rewrap(s.owner, s.blob)
			if errors.Is(err, vault.ErrShredded) {
				// An erasure punctured the ring but its commit was lost:
				// finish it here.
				_, err = tx.ExecContext(ctx, `UPDATE data_keys SET wrapped_dek = NULL, kek_id = NULL, destroyed_at = $1
					WHERE owner_type = $2 AND owner_id = $3`, now, s.owner.Type, s.owner.ID)
				if err != nil {
					return fmt.Errorf("finish erasure of %s: %w", s.owner, k.db.dialect.translate(err))
				}
				continue
			}
			if err != nil {
				return fmt.Errorf("re-wrap data key of %s (KEK %s): %w", s.owner, s.kekID, err)
			}
			// The kek_id guard skips a row that changed since it was read
			// (destroyed, or re-wrapped by a parallel rotation).
			_, err = tx.ExecContext(ctx, `UPDATE data_keys SET wrapped_dek = $1, kek_id = $2, rewrapped_at = $3
				WHERE owner_type = $4 AND owner_id = $5 AND kek_id = $6 AND destroyed_at IS NULL`,
				w.Blob, w.KEKID, now, s.owner.Type, s.owner.ID, s.kekID)
			if err != nil {
				return fmt.Errorf("store re-wrapped data key of %s: %w", s.owner, k.db.dialect.translate(err))
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(stale), nil
}

// KeyStats counts the data keys in the database.
type KeyStats struct {
	// ByKEK counts live data keys per key-encryption key id.
	ByKEK map[string]int
	// Destroyed counts erased records' tombstones.
	Destroyed int
}

// Stats counts the data keys per KEK and the destroyed ones.
func (k *KeyStore) Stats(ctx context.Context) (KeyStats, error) {
	st := KeyStats{ByKEK: map[string]int{}}
	rows, err := k.db.sql.QueryContext(ctx, `SELECT COALESCE(kek_id, ''), COUNT(*) FROM data_keys GROUP BY kek_id`)
	if err != nil {
		return st, fmt.Errorf("count data keys: %w", k.db.dialect.translate(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return st, fmt.Errorf("count data keys: %w", err)
		}
		if id == "" {
			st.Destroyed = n
		} else {
			st.ByKEK[id] = n
		}
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("count data keys: %w", err)
	}
	return st, nil
}

// RemoveKEK deletes an old key-encryption key from the key ring, refusing
// (conflict) while any data key is still wrapped under it or it is current.
// Backups taken while it was in use cannot be read without it: remove it
// only once those backups have expired.
func (k *KeyStore) RemoveKEK(ctx context.Context, id string) error {
	st, err := k.Stats(ctx)
	if err != nil {
		return err
	}
	var inUse []string
	for kid := range st.ByKEK {
		inUse = append(inUse, kid)
	}
	err = k.vault.RemoveKEK(id, inUse)
	switch {
	case errors.Is(err, vault.ErrKEKInUse):
		if n := st.ByKEK[id]; n > 0 {
			return flare.Errorf(flare.ECONFLICT, "KEK %s still wraps %d data keys: run \"flare keys rotate\" to the end first", id, n)
		}
		return flare.Errorf(flare.ECONFLICT, "KEK %s is the current key-encryption key", id)
	case errors.Is(err, vault.ErrUnknownKEK):
		return flare.Errorf(flare.ENOTFOUND, "no KEK %q in the key ring %s", id, k.vault.Path())
	case err != nil:
		return fmt.Errorf("remove KEK %s: %w", id, err)
	}
	return nil
}

// Check verifies that the key ring holds every KEK the database's data keys
// are wrapped under. Run it at start-up: a wrong or freshly created key file
// next to an existing database must stop the server, not let it run unable
// to read anything.
func (k *KeyStore) Check(ctx context.Context) error {
	st, err := k.Stats(ctx)
	if err != nil {
		return err
	}
	keks, err := k.vault.KEKs()
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, kk := range keks {
		have[kk.ID] = true
	}
	var missing []string
	for id := range st.ByKEK {
		if !have[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return flare.Errorf(flare.EINVALID, "the key ring %s lacks KEK %v, which wraps data keys in this database: is it the right key file (FLARE_KEY_FILE, --key-file)?", k.vault.Path(), missing)
	}
	// Same ids are not proof of same keys (a ring restored from another
	// installation): unwrap one data key per KEK.
	for id := range st.ByKEK {
		var owner vault.Owner
		var blob []byte
		err := k.db.sql.QueryRowContext(ctx, `SELECT owner_type, owner_id, wrapped_dek FROM data_keys
			WHERE kek_id = $1 AND destroyed_at IS NULL ORDER BY owner_type, owner_id LIMIT 1`, id).Scan(&owner.Type, &owner.ID, &blob)
		if errors.Is(err, sql.ErrNoRows) {
			continue // destroyed since Stats
		}
		if err != nil {
			return fmt.Errorf("check key ring: %w", k.db.dialect.translate(err))
		}
		if _, err := k.vault.Unwrap(owner, blob); err != nil && !errors.Is(err, vault.ErrShredded) {
			return flare.Errorf(flare.EINVALID, "the key ring %s cannot unwrap the data key of %s under KEK %s (%v): is it the right key file?", k.vault.Path(), owner, id, err)
		}
	}
	return nil
}
