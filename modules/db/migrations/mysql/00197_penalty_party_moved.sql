-- Cases opened before sealing: the copies of a natural person's name that
-- the module wrote outside the case (the 立案 step's detail, the overdue
-- job's timeline entries and notices) become surname + 某某, as the module
-- now writes them; then the name moves to party_person_name, where the
-- crypto-sweep job seals it (and the ID number) in the background.
-- Staff-written text (evidence, hearing records, reasons) is not changed.
-- +goose Up
UPDATE penalty_events e JOIN penalty_cases c ON c.county_code = e.county_code AND c.id = e.case_id
SET e.detail = COALESCE(JSON_SET(e.detail, '$.party', CONCAT(LEFT(c.party_name, 1), '某某')), e.detail)
WHERE c.party_kind = 'individual' AND c.party_name <> '' AND e.action = 'open'
  AND JSON_EXTRACT(e.detail, '$.party') IS NOT NULL;

UPDATE penalty_events e JOIN penalty_cases c ON c.county_code = e.county_code AND c.id = e.case_id
SET e.reason = REPLACE(e.reason, CONCAT('（', c.party_name, '）'), CONCAT('（', LEFT(c.party_name, 1), '某某）'))
WHERE c.party_kind = 'individual' AND c.party_name <> '' AND e.actor_id = 0
  AND e.action IN ('flag_yellow', 'flag_red', 'payment_yellow', 'payment_red', 'publication_red', 'withdraw_red');

UPDATE notices n JOIN penalty_cases c ON c.county_code = n.county_code
SET n.message = REPLACE(n.message, CONCAT(c.case_no, '（', c.party_name, '）'), CONCAT(c.case_no, '（', LEFT(c.party_name, 1), '某某）'))
WHERE c.party_kind = 'individual' AND c.party_name <> ''
  AND n.kind IN ('penalty_yellow', 'penalty_red', 'penalty_payment_red', 'penalty_publication_red')
  AND INSTR(n.message, CONCAT(c.case_no, '（', c.party_name, '）')) > 0;

UPDATE penalty_cases SET party_person_name = party_name, party_name = '' WHERE party_kind = 'individual';

-- +goose Down
-- Not reversible: the names are sealed by then, and the masked copies were
-- never kept in full.
SELECT 1;
