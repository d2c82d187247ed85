package db

import "errors"

// Field names where a sealed value lives: its table, its column and the
// row's immutable key (a tracking number, or the id). The sealed value is
// bound to all three (associated data), so a value copied to another row or
// column does not open.
type Field struct {
	Table, Column, Row string
}

// FieldCipher seals personal fields at rest and computes their blind
// indexes. Package seal's Vault implements it; every store reaches it as
// DB.Fields, so a module seals a column with two calls and no new wiring.
type FieldCipher interface {
	// Seal encrypts plain for f with the current key; "" stays "".
	Seal(plain string, f Field) (string, error)
	// Open decrypts a sealed value of f; a value stored before sealing
	// (plaintext awaiting the migration sweep) comes back as it is.
	Open(stored string, f Field) (string, error)
	// Index is the keyed blind index of a value of kind (e.g. "phone") to
	// store beside the sealed column; "" for an empty value.
	Index(kind, value string) string
	// Indexes lists the blind indexes to look a value up by: the current
	// key's, and the previous one's while a migration re-indexes rows.
	Indexes(kind, value string) []string
}

// ErrNoFieldCipher is returned by stores asked to seal on a handle that has
// no FieldCipher (a wiring mistake: the service sets it at start).
var ErrNoFieldCipher = errors.New("db: no field cipher configured (DB.Fields is nil)")

// SealField seals plain with d.Fields, failing closed when there is none.
func (d *DB) SealField(plain string, f Field) (string, error) {
	if d.Fields == nil {
		return "", ErrNoFieldCipher
	}
	return d.Fields.Seal(plain, f)
}

// OpenField opens a sealed value with d.Fields, failing closed when there is none.
func (d *DB) OpenField(stored string, f Field) (string, error) {
	if d.Fields == nil {
		return "", ErrNoFieldCipher
	}
	return d.Fields.Open(stored, f)
}

// FieldIndex is the blind index of a value ("" without a FieldCipher, which
// matches nothing stored).
func (d *DB) FieldIndex(kind, value string) string {
	if d.Fields == nil {
		return ""
	}
	return d.Fields.Index(kind, value)
}

// FieldIndexes lists the blind indexes to look a value up by.
func (d *DB) FieldIndexes(kind, value string) []string {
	if d.Fields == nil {
		return nil
	}
	return d.Fields.Indexes(kind, value)
}
