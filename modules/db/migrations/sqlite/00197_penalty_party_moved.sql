-- Masks the copies of a natural person's name and moves it to
-- party_person_name for the sweep to seal (see the MySQL migration).
-- +goose Up
UPDATE penalty_events SET detail = json_set(penalty_events.detail, '$.party', substr(c.party_name, 1, 1) || '某某')
FROM penalty_cases c
WHERE c.county_code = penalty_events.county_code AND c.id = penalty_events.case_id AND c.party_kind = 'individual'
  AND c.party_name <> '' AND penalty_events.action = 'open' AND json_extract(penalty_events.detail, '$.party') IS NOT NULL;

UPDATE penalty_events SET reason = replace(penalty_events.reason, '（' || c.party_name || '）', '（' || substr(c.party_name, 1, 1) || '某某）')
FROM penalty_cases c
WHERE c.county_code = penalty_events.county_code AND c.id = penalty_events.case_id AND c.party_kind = 'individual'
  AND c.party_name <> '' AND penalty_events.actor_id = 0
  AND penalty_events.action IN ('flag_yellow', 'flag_red', 'payment_yellow', 'payment_red', 'publication_red', 'withdraw_red');

UPDATE notices SET message = replace(notices.message, c.case_no || '（' || c.party_name || '）', c.case_no || '（' || substr(c.party_name, 1, 1) || '某某）')
FROM penalty_cases c
WHERE c.county_code = notices.county_code AND c.party_kind = 'individual' AND c.party_name <> ''
  AND notices.kind IN ('penalty_yellow', 'penalty_red', 'penalty_payment_red', 'penalty_publication_red')
  AND instr(notices.message, c.case_no || '（' || c.party_name || '）') > 0;

UPDATE penalty_cases SET party_person_name = party_name, party_name = '' WHERE party_kind = 'individual';

-- +goose Down
-- Not reversible (see the MySQL migration).
SELECT 1;
