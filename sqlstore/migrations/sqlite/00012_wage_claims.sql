-- +goose Up
-- Wage claims and the state fund's ledger (issue #8). The claim's input
-- (the worker's periods and pay) is sealed under the worker's data key;
-- the currency and total stay in plaintext for the fund's balances.
CREATE TABLE wage_claims (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases (id),
    person_id     TEXT NOT NULL REFERENCES persons (id),
    currency      TEXT NOT NULL,
    claimed_minor INTEGER NOT NULL,
    estimated     BOOLEAN NOT NULL,
    input         BLOB NOT NULL,
    offenders     TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    DATETIME NOT NULL,
    ledger_rows   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX wage_claims_person ON wage_claims (person_id, created_at);
CREATE INDEX wage_claims_case ON wage_claims (case_id);

-- The ledger is append-only: every balance is derived from it.
CREATE TABLE claim_ledger (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    claim_id     TEXT NOT NULL REFERENCES wage_claims (id),
    kind         TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    decided_on   DATE NOT NULL,
    basis        TEXT NOT NULL DEFAULT '',
    reference    TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  DATETIME NOT NULL
);
CREATE INDEX claim_ledger_claim ON claim_ledger (claim_id, seq);

-- +goose StatementBegin
CREATE TRIGGER claim_ledger_no_update BEFORE UPDATE ON claim_ledger BEGIN
    SELECT RAISE(ABORT, 'the claim ledger is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER claim_ledger_no_delete BEFORE DELETE ON claim_ledger BEGIN
    SELECT RAISE(ABORT, 'the claim ledger is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER claim_ledger_no_delete;
DROP TRIGGER claim_ledger_no_update;
DROP TABLE claim_ledger;
DROP TABLE wage_claims;
