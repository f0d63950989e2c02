package sqlstore

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/auth"
	"github.com/flare-ilo/flare/vault"
)

// ReportService implements flare.ReportService: the public portal's reports
// (issue #4) and the intake queue.
type ReportService struct {
	db     *DB
	keys   *KeyStore
	params auth.Params
	// receiptTTL is how long a receipt code keeps working without use
	// (security checklist R-IN5), independent of the report's retention.
	receiptTTL time.Duration
}

// DefaultReceiptTTL is how long a receipt code works without activity.
const DefaultReceiptTTL = 180 * 24 * time.Hour

// ReceiptParams are the argon2id parameters of receipt codes. A code has 53
// bits of entropy and is looked up through a peppered hash, so it needs less
// memory than a password; 19 MiB and 2 passes is OWASP's floor for argon2id.
var ReceiptParams = auth.Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

// NewReportService returns the report service on db, sealing with keys and
// hashing receipt codes with params.
func NewReportService(db *DB, keys *KeyStore, params auth.Params) *ReportService {
	return &ReportService{db: db, keys: keys, params: params, receiptTTL: DefaultReceiptTTL}
}

// SetReceiptTTL sets how long a receipt code works without activity.
func (s *ReportService) SetReceiptTTL(d time.Duration) {
	if d > 0 {
		s.receiptTTL = d
	}
}

var _ flare.ReportService = (*ReportService)(nil)

// reportDetails are the sealed single-line fields, sealed together.
type reportDetails struct {
	Town         string `json:"town,omitempty"`
	Workplace    string `json:"workplace,omitempty"`
	Contact      string `json:"contact,omitempty"`
	Relationship string `json:"relationship,omitempty"`
}

func reportLoc(id, column string) vault.Location {
	return vault.Location{Table: "reports", Column: column, RowID: id}
}

// tokenHash is what the database keeps of a form token: enough to find a
// retry, not enough to open its receipt box.
func tokenHash(token string) string {
	h := sha256.Sum256([]byte("flare/form-token/v1\x00" + token))
	return hex.EncodeToString(h[:])
}

// receiptBox seals the receipt under a key derived from the form token, so a
// retry that presents the token gets the same receipt back (R-IN6) while
// the database alone holds no usable copy of it (R-IN4). The box is emptied
// the first time the reporter comes back with the code.
func receiptBox(token, reportID string) (cipher.AEAD, []byte, error) {
	k := sha256.Sum256([]byte("flare/receipt-box/v1\x00" + token))
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, nil, err
	}
	aead, err := cipher.NewGCM(block)
	return aead, []byte(reportID), err
}

func sealReceipt(token, reportID, code string) ([]byte, error) {
	aead, ad, err := receiptBox(token, reportID)
	if err != nil {
		return nil, fmt.Errorf("receipt box: %w", err)
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("receipt box nonce: %w", err)
	}
	return aead.Seal(nonce, nonce, []byte(code), ad), nil
}

func openReceipt(token, reportID string, box []byte) (string, error) {
	aead, ad, err := receiptBox(token, reportID)
	if err != nil {
		return "", fmt.Errorf("receipt box: %w", err)
	}
	if len(box) < aead.NonceSize() {
		return "", errors.New("receipt box too short")
	}
	code, err := aead.Open(nil, box[:aead.NonceSize()], box[aead.NonceSize():], ad)
	return string(code), err
}

// receiptLookup is the peppered hash a code is found by: the key ring's
// blind-index HMAC, in its own field, so the database alone cannot test a
// guessed code; argon2id then verifies the candidates.
func (s *ReportService) receiptLookup(code string) (string, error) {
	tokens, err := s.keys.Vault().BlindIndex("report.receipt", code)
	if err != nil || len(tokens) != 1 {
		return "", fmt.Errorf("receipt lookup hash: %v", err)
	}
	return tokens[0], nil
}

// errAlreadySubmitted rolls back a submit whose token is taken.
var errAlreadySubmitted = errors.New("form token already used")

// SubmitReport implements flare.ReportService. Anyone may submit: the
// audit entry has no actor unless a partner or staff member entered it.
func (s *ReportService) SubmitReport(ctx context.Context, n flare.NewReport) (string, error) {
	r := n.Report
	if r == nil {
		return "", flare.Errorf(flare.EINVALID, "no report")
	}
	if err := r.Validate(); err != nil {
		return "", err
	}
	if err := checkAttachments(n.Attachments); err != nil {
		return "", err
	}
	token := n.Token
	if token == "" {
		var b [16]byte
		rand.Read(b[:])
		token = hex.EncodeToString(b[:])
	}
	if code, ok, err := s.retry(ctx, token); ok || err != nil {
		return code, err
	}
	code, err := flare.NewReceiptCode()
	if err != nil {
		return "", err
	}
	hash, err := auth.HashPassword(code, s.params)
	if err != nil {
		return "", err
	}
	lookup, err := s.receiptLookup(code)
	if err != nil {
		return "", err
	}
	id, err := newID()
	if err != nil {
		return "", err
	}
	box, err := sealReceipt(token, id, code)
	if err != nil {
		return "", err
	}
	now := s.db.now().UTC()
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		key, err := s.keys.CreateDataKey(ctx, tx, "report", id)
		if err != nil {
			return err
		}
		text, err := key.SealString(reportLoc(id, "text_sealed"), r.Text)
		if err != nil {
			return err
		}
		d, _ := json.Marshal(reportDetails{Town: r.Town, Workplace: r.Workplace, Contact: r.Contact, Relationship: r.Relationship})
		details, err := key.Seal(reportLoc(id, "details_sealed"), d)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO reports (id, status, channel, partner_id, lang, country, region, sector,
			people, danger, signs, urgency, text_sealed, details_sealed, receipt_lookup, receipt_hash, receipt_active_at,
			token_hash, receipt_box, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20)
			ON CONFLICT (token_hash) DO NOTHING`,
			id, string(r.Status), string(r.Channel), nullString(r.PartnerID), r.Lang, r.Country, r.Region, r.Sector,
			r.People, r.Danger, strings.Join(r.Signs, ";"), r.Urgency(), text, details, lookup, hash, now,
			tokenHash(token), box, now)
		if err != nil {
			return fmt.Errorf("insert report: %w", s.db.dialect.translate(err))
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errAlreadySubmitted
		}
		for _, a := range n.Attachments {
			if err := s.insertAttachment(ctx, tx, key, id, a, now); err != nil {
				return err
			}
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: "report", recordID: id,
			fields: reportFieldsSet(r, len(n.Attachments))})
	})
	if errors.Is(err, errAlreadySubmitted) {
		code, ok, err := s.retry(ctx, token)
		if !ok && err == nil {
			err = flare.Errorf(flare.ECONFLICT, "this form was already sent")
		}
		return code, err
	}
	if err != nil {
		return "", err
	}
	r.ID, r.CreatedAt, r.UpdatedAt = id, now, now
	return code, nil
}

// retry returns the receipt of the report already submitted with token.
func (s *ReportService) retry(ctx context.Context, token string) (string, bool, error) {
	var id string
	var box []byte
	err := s.db.sql.QueryRowContext(ctx, `SELECT id, receipt_box FROM reports WHERE token_hash = $1`, tokenHash(token)).Scan(&id, &box)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("find submitted report: %w", s.db.dialect.translate(err))
	}
	if box == nil {
		return "", false, flare.Errorf(flare.ECONFLICT, "this form was already sent")
	}
	code, err := openReceipt(token, id, box)
	if err != nil {
		return "", false, fmt.Errorf("open receipt box: %w", err)
	}
	return code, true, nil
}

// reportFieldsSet names the fields a new report carries, for the audit.
func reportFieldsSet(r *flare.Report, attachments int) []string {
	f := []string{"channel", "danger", "status", "text"}
	for name, set := range map[string]bool{"country": r.Country != "", "region": r.Region != "", "town": r.Town != "",
		"workplace": r.Workplace != "", "sector": r.Sector != "", "people": r.People > 0, "signs": len(r.Signs) > 0,
		"relationship": r.Relationship != "", "contact": r.Contact != "", "attachments": attachments > 0,
		"partner_id": r.PartnerID != ""} {
		if set {
			f = append(f, name)
		}
	}
	return f
}

// verifyReceipt finds the report a code opens, or flare.ErrBadReceipt. A code
// unused for longer than the TTL is cleared and refused (R-IN5); the
// report stays with staff.
func (s *ReportService) verifyReceipt(ctx context.Context, receipt string) (string, error) {
	code, err := flare.ParseReceipt(receipt)
	if err != nil {
		return "", err
	}
	lookup, err := s.receiptLookup(code)
	if err != nil {
		return "", err
	}
	rows, err := s.db.sql.QueryContext(ctx, `SELECT id, receipt_hash, receipt_active_at FROM reports
		WHERE receipt_lookup = $1 AND receipt_hash IS NOT NULL`, lookup)
	if err != nil {
		return "", fmt.Errorf("find receipt: %w", s.db.dialect.translate(err))
	}
	type candidate struct {
		id, hash string
		active   time.Time
	}
	var cands []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.hash, &c.active); err != nil {
			rows.Close()
			return "", fmt.Errorf("scan receipt: %w", err)
		}
		cands = append(cands, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("find receipt: %w", err)
	}
	for _, c := range cands {
		ok, err := auth.VerifyPassword(c.hash, code)
		if err != nil || !ok {
			continue
		}
		if s.db.now().Sub(c.active) > s.receiptTTL {
			if err := s.expireReceipt(ctx, c.id); err != nil {
				return "", err
			}
			return "", flare.ErrBadReceipt
		}
		return c.id, nil
	}
	return "", flare.ErrBadReceipt
}

// expireReceipt clears a code that went unused too long, audited.
func (s *ReportService) expireReceipt(ctx context.Context, id string) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET receipt_hash = NULL, receipt_lookup = NULL, receipt_box = NULL
			WHERE id = $1`, id); err != nil {
			return fmt.Errorf("expire receipt: %w", s.db.dialect.translate(err))
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionUpdate, recordType: "report", recordID: id,
			fields: []string{"receipt"}, justification: "receipt code expired after inactivity"})
	})
}

// touchReceipt marks the code as used now and empties the receipt box: the
// reporter has the code, so a retry of the form is over.
func (s *ReportService) touchReceipt(ctx context.Context, tx *sql.Tx, id string) error {
	_, err := tx.ExecContext(ctx, `UPDATE reports SET receipt_active_at = $2, receipt_box = NULL WHERE id = $1`, id, s.db.now().UTC())
	if err != nil {
		return fmt.Errorf("touch receipt: %w", s.db.dialect.translate(err))
	}
	return nil
}

// FollowUp implements flare.ReportService.
func (s *ReportService) FollowUp(ctx context.Context, receipt string) (*flare.ReporterView, error) {
	id, err := s.verifyReceipt(ctx, receipt)
	if err != nil {
		return nil, err
	}
	var v flare.ReporterView
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT status, danger FROM reports WHERE id = $1`, id).Scan(&status, &v.Danger); err != nil {
			return fmt.Errorf("load report status: %w", s.db.dialect.translate(err))
		}
		v.Status = flare.ReportStatus(status)
		msgs, err := s.messages(ctx, tx, id)
		if err != nil {
			return err
		}
		v.Messages = msgs
		if err := s.touchReceipt(ctx, tx, id); err != nil {
			return err
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "report", recordID: id,
			fields: []string{"messages", "status"}})
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// ReporterMessage implements flare.ReportService.
func (s *ReportService) ReporterMessage(ctx context.Context, receipt, body string) error {
	body, err := flare.CleanMessage(body)
	if err != nil {
		return err
	}
	id, err := s.verifyReceipt(ctx, receipt)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.insertMessage(ctx, tx, id, false, "", body); err != nil {
			return err
		}
		return s.touchReceipt(ctx, tx, id)
	})
}

// insertMessage seals and stores one message, audited.
func (s *ReportService) insertMessage(ctx context.Context, tx *sql.Tx, reportID string, fromStaff bool, author, body string) error {
	key, err := s.keys.DataKey(ctx, tx, "report", reportID)
	if err != nil {
		return err
	}
	mid, err := newID()
	if err != nil {
		return err
	}
	sealed, err := key.SealString(vault.Location{Table: "report_messages", Column: "body_sealed", RowID: mid}, body)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO report_messages (id, report_id, from_staff, author_id, body_sealed, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, mid, reportID, fromStaff, nullString(author), sealed, s.db.now().UTC()); err != nil {
		return fmt.Errorf("insert report message: %w", s.db.dialect.translate(err))
	}
	return s.db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: "report_message", recordID: mid,
		fields: []string{"body", "report_id"}})
}

// messages loads and opens a report's messages, oldest first.
func (s *ReportService) messages(ctx context.Context, tx *sql.Tx, reportID string) ([]*flare.ReportMessage, error) {
	key, err := s.keys.DataKey(ctx, tx, "report", reportID)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, from_staff, body_sealed, created_at FROM report_messages
		WHERE report_id = $1 ORDER BY created_at, id`, reportID)
	if err != nil {
		return nil, fmt.Errorf("load report messages: %w", s.db.dialect.translate(err))
	}
	defer rows.Close()
	var out []*flare.ReportMessage
	for rows.Next() {
		m := &flare.ReportMessage{ReportID: reportID}
		var sealed []byte
		if err := rows.Scan(&m.ID, &m.FromStaff, &sealed, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan report message: %w", err)
		}
		body, err := key.Open(vault.Location{Table: "report_messages", Column: "body_sealed", RowID: m.ID}, sealed)
		if err != nil {
			return nil, fmt.Errorf("open report message: %w", err)
		}
		m.Body = string(body)
		m.CreatedAt = m.CreatedAt.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}
