-- +goose Up
-- Wage claims and the state fund's ledger (issue #8). The claim's input
-- (the worker's periods and pay) is sealed under the worker's data key;
-- the currency and total stay in plaintext for the fund's balances.
CREATE TABLE wage_claims (
    id            UUID PRIMARY KEY,
    case_id       UUID NOT NULL REFERENCES cases (id),
    person_id     UUID NOT NULL REFERENCES persons (id),
    currency      TEXT NOT NULL,
    claimed_minor BIGINT NOT NULL,
    estimated     BOOLEAN NOT NULL,
    input         BYTEA NOT NULL,
    offenders     TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    ledger_rows   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX wage_claims_person ON wage_claims (person_id, created_at);
CREATE INDEX wage_claims_case ON wage_claims (case_id);

-- The ledger is append-only: every balance is derived from it.
CREATE TABLE claim_ledger (
    seq          BIGSERIAL PRIMARY KEY,
    id           UUID NOT NULL UNIQUE,
    claim_id     UUID NOT NULL REFERENCES wage_claims (id),
    kind         TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    decided_on   DATE NOT NULL,
    basis        TEXT NOT NULL DEFAULT '',
    reference    TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX claim_ledger_claim ON claim_ledger (claim_id, seq);

-- +goose StatementBegin
CREATE FUNCTION claim_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the claim ledger is append-only';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER claim_ledger_no_change BEFORE UPDATE OR DELETE ON claim_ledger
    FOR EACH ROW EXECUTE FUNCTION claim_ledger_append_only();

-- +goose Down
DROP TRIGGER claim_ledger_no_change ON claim_ledger;
DROP FUNCTION claim_ledger_append_only();
DROP TABLE claim_ledger;
DROP TABLE wage_claims;
