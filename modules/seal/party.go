package seal

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"

	"safetypilot/modules/db"
)

// PartyTable is a table that keeps the party of an enforcement decision
// (penalty cases, on-the-spot decisions): a natural person's name in
// party_person_name and ID number in party_id_number, sealed and bound to
// the row's id, each with a keyed blind index (party_name_bidx,
// party_id_bidx) for exact search. An organisation's name and credit code
// stay plain in other columns (they are public in the credit register).
type PartyTable string

// Columns are the table's sealed party columns, for key rotation, the
// sweep and the retention job.
func (t PartyTable) Columns() []Column {
	return []Column{
		{Table: string(t), Column: "party_person_name", RowKey: "id", Index: "party_name_bidx", Kind: KindText},
		{Table: string(t), Column: "party_id_number", RowKey: "id", Index: "party_id_bidx", Kind: KindIDNumber},
	}
}

func (t PartyTable) field(id int64, column string) db.Field {
	return db.Field{Table: string(t), Column: column, Row: strconv.FormatInt(id, 10)}
}

// Seal writes a new row's natural person's name and ID number sealed under
// its id, with their blind indexes; an organisation passes "" for both.
func (t PartyTable) Seal(ctx context.Context, tx *sqlx.Tx, d *db.DB, county string, id int64, personName, idNumber string) error {
	sealedName, err := d.SealField(personName, t.field(id, "party_person_name"))
	if err != nil {
		return fmt.Errorf("seal %s: %w", t, err)
	}
	sealedID, err := d.SealField(idNumber, t.field(id, "party_id_number"))
	if err != nil {
		return fmt.Errorf("seal %s: %w", t, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE `+string(t)+` SET party_person_name = ?, party_id_number = ?, party_name_bidx = ?,
		party_id_bidx = ? WHERE county_code = ? AND id = ?`, sealedName, sealedID, d.FieldIndex(KindText, personName),
		d.FieldIndex(KindIDNumber, idNumber), county, id); err != nil {
		return fmt.Errorf("seal %s: %w", t, err)
	}
	return nil
}

// Open returns the natural person's name and ID number of row id as read
// from its sealed columns (values from before sealing open as they are).
func (t PartyTable) Open(d *db.DB, id int64, sealedName, sealedID string) (name, idNumber string, err error) {
	if name, err = d.OpenField(sealedName, t.field(id, "party_person_name")); err != nil {
		return "", "", fmt.Errorf("open %s %d: %w", t, id, err)
	}
	if idNumber, err = d.OpenField(sealedID, t.field(id, "party_id_number")); err != nil {
		return "", "", fmt.Errorf("open %s %d: %w", t, id, err)
	}
	return name, idNumber, nil
}
