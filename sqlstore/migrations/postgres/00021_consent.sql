-- +goose Up
-- Informed consent in full (issue #6): the language it was given in, the
-- interpreter, the person who gave it, and its withdrawal, which revokes
-- the sharing at once (security checklist R-DP4).
ALTER TABLE case_grants ADD COLUMN consent_language TEXT NOT NULL DEFAULT '';
ALTER TABLE case_grants ADD COLUMN consent_interpreter TEXT NOT NULL DEFAULT '';
ALTER TABLE case_grants ADD COLUMN consent_person_id UUID REFERENCES persons (id);
ALTER TABLE case_grants ADD COLUMN consent_withdrawn_at TIMESTAMPTZ;
ALTER TABLE case_grants ADD COLUMN referral_id UUID;
ALTER TABLE referrals ADD COLUMN consent_language TEXT NOT NULL DEFAULT '';
ALTER TABLE referrals ADD COLUMN consent_interpreter TEXT NOT NULL DEFAULT '';
ALTER TABLE referrals ADD COLUMN consent_person_id UUID REFERENCES persons (id);
ALTER TABLE referrals ADD COLUMN consent_withdrawn_at TIMESTAMPTZ;
CREATE INDEX referrals_case ON referrals (case_id, created_at);

-- +goose Down
DROP INDEX referrals_case;
ALTER TABLE referrals DROP COLUMN consent_withdrawn_at;
ALTER TABLE referrals DROP COLUMN consent_person_id;
ALTER TABLE referrals DROP COLUMN consent_interpreter;
ALTER TABLE referrals DROP COLUMN consent_language;
ALTER TABLE case_grants DROP COLUMN referral_id;
ALTER TABLE case_grants DROP COLUMN consent_withdrawn_at;
ALTER TABLE case_grants DROP COLUMN consent_person_id;
ALTER TABLE case_grants DROP COLUMN consent_interpreter;
ALTER TABLE case_grants DROP COLUMN consent_language;
