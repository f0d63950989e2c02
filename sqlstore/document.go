package sqlstore

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/policy"
	"github.com/flare-ilo/flare/vault"
)

// DocumentService implements flare.DocumentService. A document's content,
// filename, description and hash are sealed under its own data key (owner
// type "document") and stored in its row, so the file, its key and its
// audit entry are one transaction: a failure leaves nothing half-stored,
// and erasing the document is destroying its key (checklist R-CR1, R-DU4).
type DocumentService struct {
	db      *DB
	keys    *KeyStore
	maxSize int64
}

// NewDocumentService returns the document service on db, sealing with keys
// and accepting files up to flare.DefaultMaxDocumentSize.
func NewDocumentService(db *DB, keys *KeyStore) *DocumentService {
	return &DocumentService{db: db, keys: keys, maxSize: flare.DefaultMaxDocumentSize}
}

// WithMaxSize sets the largest document accepted, in bytes.
func (s *DocumentService) WithMaxSize(n int64) *DocumentService {
	if n > 0 {
		s.maxSize = n
	}
	return s
}

// MaxSize is the largest document accepted, in bytes.
func (s *DocumentService) MaxSize() int64 { return s.maxSize }

var _ flare.DocumentService = (*DocumentService)(nil)

// documentMeta names the sealed and plain fields of a document other than
// its content, for the audit trail.
var documentMeta = []string{"content_type", "description", "filename", "sha256", "size"}

// AddDocument implements flare.DocumentService.
func (s *DocumentService) AddDocument(ctx context.Context, d *flare.Document, declaredType string, content []byte) error {
	content, err := flare.PrepareDocument(d, declaredType, content, s.maxSize)
	if err != nil {
		return err
	}
	if !validID(d.CaseID) {
		return flare.Errorf(flare.ENOTFOUND, "case not found")
	}
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.db.authorizeInCase(ctx, tx, d.CaseID, policy.Create, "document", ""); err != nil {
			return err
		}
		return s.insertDocument(ctx, tx, d, content)
	})
	return s.db.auditDenied(ctx, err)
}

func documentLocation(id, column string) vault.Location {
	return vault.Location{Table: "documents", Column: column, RowID: id}
}

// insertDocument writes a prepared (flare.PrepareDocument) and authorised
// document in tx: its data key, its sealed fields and content, the row and
// its audit entry. It sets d's ID, UploadedBy and CreatedAt (kept when set,
// for the seeder). Keep its signature: the seeder calls it.
func (s *DocumentService) insertDocument(ctx context.Context, tx *sql.Tx, d *flare.Document, content []byte) error {
	id, err := newID()
	if err != nil {
		return err
	}
	actor, _ := flare.ActorFrom(ctx)
	if d.CreatedAt.IsZero() {
		d.CreatedAt = s.db.now().UTC()
	}
	key, err := s.keys.CreateDataKey(ctx, tx, "document", id)
	if err != nil {
		return err
	}
	sealed := map[string][]byte{}
	for col, plain := range map[string][]byte{"filename": []byte(d.Filename), "description": []byte(d.Description),
		"sha256": []byte(d.SHA256), "content": content} {
		if sealed[col], err = key.Seal(documentLocation(id, col), plain); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO documents (id, case_id, filename, description, sha256, content_type, size,
		content, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		id, d.CaseID, sealed["filename"], sealed["description"], sealed["sha256"], d.ContentType, d.Size,
		sealed["content"], actor.UserID, d.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert document: %w", s.db.dialect.translate(err))
	}
	if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: "document", recordID: id, caseID: d.CaseID,
		fields: append([]string{"content"}, documentMeta...)}); err != nil {
		return err
	}
	d.ID, d.UploadedBy = id, actor.UserID
	return nil
}

// sealedDocument is a document row as stored.
type sealedDocument struct {
	doc                                    *flare.Document
	filename, description, sha256, content []byte
}

const documentColumns = `id, case_id, filename, description, sha256, content_type, size, uploaded_by, created_at`

func scanDocument(r scanner, withContent bool) (*sealedDocument, error) {
	sd := &sealedDocument{doc: &flare.Document{}}
	d := sd.doc
	dest := []any{&d.ID, &d.CaseID, &sd.filename, &sd.description, &sd.sha256, &d.ContentType, &d.Size, &d.UploadedBy, &d.CreatedAt}
	if withContent {
		dest = append(dest, &sd.content)
	}
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	d.CreatedAt = d.CreatedAt.UTC()
	return sd, nil
}

// open decrypts a document's sealed fields (and content, when read).
func (s *DocumentService) open(ctx context.Context, tx *sql.Tx, sd *sealedDocument) error {
	d := sd.doc
	key, err := s.keys.DataKey(ctx, tx, "document", d.ID)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		col    string
		sealed []byte
		to     *string
	}{{"filename", sd.filename, &d.Filename}, {"description", sd.description, &d.Description}, {"sha256", sd.sha256, &d.SHA256}} {
		if *f.to, err = key.OpenString(documentLocation(d.ID, f.col), f.sealed); err != nil {
			return fmt.Errorf("open document %s: %w", d.ID, err)
		}
	}
	if sd.content == nil {
		return nil
	}
	if sd.content, err = key.Open(documentLocation(d.ID, "content"), sd.content); err != nil {
		return fmt.Errorf("open document %s: %w", d.ID, err)
	}
	sum := sha256.Sum256(sd.content)
	if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(d.SHA256)) != 1 {
		return fmt.Errorf("document %s: content does not match its hash", d.ID)
	}
	return nil
}

// Documents implements flare.DocumentService. Listing reads each
// document's name and description, not its content; each is audited. A
// document whose key was destroyed (erased) is left out.
func (s *DocumentService) Documents(ctx context.Context, caseID string) ([]*flare.Document, error) {
	var out []*flare.Document
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.db.authorizeInCase(ctx, tx, caseID, policy.Read, "document", ""); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT `+documentColumns+` FROM documents WHERE case_id = $1
			ORDER BY created_at DESC, id DESC LIMIT %d`, maxWorkList), caseID)
		if err != nil {
			return fmt.Errorf("list documents: %w", s.db.dialect.translate(err))
		}
		var docs []*sealedDocument
		for rows.Next() {
			sd, err := scanDocument(rows, false)
			if err != nil {
				rows.Close()
				return fmt.Errorf("list documents: %w", err)
			}
			docs = append(docs, sd)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("list documents: %w", err)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list documents: %w", err)
		}
		for _, sd := range docs {
			if err := s.open(ctx, tx, sd); errors.Is(err, ErrDataKeyDestroyed) {
				continue
			} else if err != nil {
				return err
			}
			out = append(out, sd.doc)
			if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "document", recordID: sd.doc.ID,
				caseID: caseID, fields: documentMeta}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, s.db.auditDenied(ctx, err)
}

// DocumentContent implements flare.DocumentService: a download, audited as
// a read of the content. The content is checked against its sealed hash.
func (s *DocumentService) DocumentContent(ctx context.Context, id string) (*flare.Document, []byte, error) {
	if !validID(id) {
		return nil, nil, flare.Errorf(flare.ENOTFOUND, "document not found")
	}
	var out *sealedDocument
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		sd, err := scanDocument(tx.QueryRowContext(ctx, `SELECT `+documentColumns+`, content FROM documents WHERE id = $1`, id), true)
		if errors.Is(err, sql.ErrNoRows) {
			return flare.Errorf(flare.ENOTFOUND, "document not found")
		}
		if err != nil {
			return fmt.Errorf("load document %s: %w", id, s.db.dialect.translate(err))
		}
		if _, err := s.db.authorizeInCase(ctx, tx, sd.doc.CaseID, policy.Read, "document", id); err != nil {
			return err
		}
		if err := s.open(ctx, tx, sd); err != nil {
			return err
		}
		out = sd
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "document", recordID: id,
			caseID: sd.doc.CaseID, fields: append([]string{"content"}, documentMeta...)})
	})
	if err != nil {
		return nil, nil, s.db.auditDenied(ctx, err)
	}
	return out.doc, out.content, nil
}
