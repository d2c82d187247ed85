package seal

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"safetypilot/modules/db"
)

// KeyVersion is one row of crypto_keys: data sealed under version N uses
// the keys derived for N, with N's profile, from N's master key. IndexVersion
// is the version whose index key N uses: it stays the same while the
// profile and the master key do, so a plain rotation needs no re-indexing.
type KeyVersion struct {
	Version      int     `db:"version"`
	Profile      Profile `db:"profile"`
	MasterID     string  `db:"master_id"`
	IndexVersion int     `db:"index_version"`
}

func (k KeyVersion) dataRef() KeyRef {
	return KeyRef{Profile: k.Profile, Purpose: PurposeData, Version: k.Version, MasterID: k.MasterID}
}

func (k KeyVersion) indexRef() KeyRef {
	return KeyRef{Profile: k.Profile, Purpose: PurposeIndex, Version: k.IndexVersion, MasterID: k.MasterID}
}

// Vault implements db.FieldCipher with a KeyProvider and the key versions
// recorded in the database. It is safe for concurrent use; SetVersions
// swaps in a new set when another process rotated the key.
type Vault struct {
	provider KeyProvider
	mu       sync.RWMutex
	versions map[int]KeyVersion
	current  int
	// Reload, when set, re-reads the key versions; Open calls it once when
	// it meets a version it does not know (sealed by a replica that already
	// follows a rotation).
	Reload func() error
}

// NewVault builds a vault over provider with the given key versions; the
// highest version is the current one.
func NewVault(provider KeyProvider, versions []KeyVersion) (*Vault, error) {
	v := &Vault{provider: provider}
	if err := v.SetVersions(versions); err != nil {
		return nil, err
	}
	return v, nil
}

// SetVersions replaces the known key versions; the highest is current.
func (v *Vault) SetVersions(versions []KeyVersion) error {
	if len(versions) == 0 {
		return errors.New("seal: no key version")
	}
	m := map[int]KeyVersion{}
	cur := 0
	for _, k := range versions {
		if _, err := ParseProfile(string(k.Profile)); err != nil {
			return err
		}
		m[k.Version] = k
		cur = max(cur, k.Version)
	}
	if !v.provider.Has(m[cur].MasterID) {
		return fmt.Errorf("seal: current key version %d: %w", cur, ErrUnknownMaster)
	}
	v.mu.Lock()
	v.versions, v.current = m, cur
	v.mu.Unlock()
	return nil
}

// Current is the key version new values are sealed with.
func (v *Vault) Current() KeyVersion {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.versions[v.current]
}

// Provider is the vault's key provider.
func (v *Vault) Provider() KeyProvider { return v.provider }

func (v *Vault) version(n int) (KeyVersion, bool) {
	v.mu.RLock()
	k, ok := v.versions[n]
	v.mu.RUnlock()
	if ok || v.Reload == nil {
		return k, ok
	}
	if err := v.Reload(); err != nil {
		return k, false
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	k, ok = v.versions[n]
	return k, ok
}

// sealedPrefix starts every sealed value: "enc1:<profile tag>:<version>:"
// then base64 of nonce | ciphertext | tag. A plaintext never starts so.
const sealedPrefix = "enc1:"

// IsSealed reports whether a stored value is in the sealed format.
func IsSealed(stored string) bool { return strings.HasPrefix(stored, sealedPrefix) }

// VersionOf returns the key version and profile a stored value was sealed
// with; ok is false for a plaintext (or empty) value.
func VersionOf(stored string) (version int, p Profile, ok bool) {
	if !IsSealed(stored) {
		return 0, "", false
	}
	parts := strings.SplitN(stored[len(sealedPrefix):], ":", 3)
	if len(parts) != 3 {
		return 0, "", false
	}
	p, okp := profileOfTag(parts[0])
	n, err := strconv.Atoi(parts[1])
	if !okp || err != nil {
		return 0, "", false
	}
	return n, p, true
}

// associatedData binds a sealed value to its place and to its header.
func associatedData(f db.Field, p Profile, version int) []byte {
	return []byte("safetypilot|" + f.Table + "|" + f.Column + "|" + f.Row + "|" + p.tag() + "|" + strconv.Itoa(version))
}

// Seal implements db.FieldCipher.
func (v *Vault) Seal(plain string, f db.Field) (string, error) {
	if plain == "" {
		return "", nil
	}
	return v.SealWith(v.Current(), plain, f)
}

// SealWith seals under a given key version (the sweep uses the current one
// it read once for a whole batch).
func (v *Vault) SealWith(k KeyVersion, plain string, f db.Field) (string, error) {
	if f.Table == "" || f.Column == "" || f.Row == "" {
		return "", fmt.Errorf("seal: field %+v: table, column and row are all required", f)
	}
	aead, err := v.provider.AEAD(k.dataRef())
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal: nonce: %w", err)
	}
	out := aead.Seal(nonce, nonce, []byte(plain), associatedData(f, k.Profile, k.Version))
	return sealedPrefix + k.Profile.tag() + ":" + strconv.Itoa(k.Version) + ":" + base64.RawStdEncoding.EncodeToString(out), nil
}

// ErrCannotOpen is returned for a sealed value that does not authenticate:
// tampered, moved to another row or column, or sealed under a key this
// process does not have.
var ErrCannotOpen = errors.New("seal: sealed value does not open (wrong key, moved or altered)")

// Open implements db.FieldCipher.
func (v *Vault) Open(stored string, f db.Field) (string, error) {
	if !IsSealed(stored) {
		return stored, nil
	}
	n, p, ok := VersionOf(stored)
	if !ok {
		return "", ErrCannotOpen
	}
	k, ok := v.version(n)
	if !ok || k.Profile != p {
		return "", fmt.Errorf("%w: key version %d unknown", ErrCannotOpen, n)
	}
	aead, err := v.provider.AEAD(k.dataRef())
	if err != nil {
		return "", err
	}
	body := stored[strings.LastIndexByte(stored, ':')+1:]
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return "", ErrCannotOpen
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], associatedData(f, k.Profile, k.Version))
	if err != nil {
		return "", ErrCannotOpen
	}
	return string(plain), nil
}

// Index implements db.FieldCipher: hex of the HMAC (HMAC-SM3 under guomi)
// of the normalized value under the current index key.
func (v *Vault) Index(kind, value string) string {
	return v.indexWith(v.Current(), kind, value)
}

// IndexWith is the blind index under a given key version.
func (v *Vault) IndexWith(k KeyVersion, kind, value string) string {
	return v.indexWith(k, kind, value)
}

func (v *Vault) indexWith(k KeyVersion, kind, value string) string {
	norm := Normalize(kind, value)
	if norm == "" {
		return ""
	}
	sum, err := v.provider.MAC(k.indexRef(), []byte(kind+"\x00"+norm))
	if err != nil {
		// No index key means no match: searching fails closed, never open.
		return ""
	}
	return hex.EncodeToString(sum)
}

// Indexes implements db.FieldCipher: the current index, and the previous
// key version's when it differs (rows not yet re-indexed by a migration).
func (v *Vault) Indexes(kind, value string) []string {
	v.mu.RLock()
	cur := v.versions[v.current]
	prev, hasPrev := KeyVersion{}, false
	for n, k := range v.versions {
		if n < v.current && (!hasPrev || n > prev.Version) {
			prev, hasPrev = k, true
		}
	}
	v.mu.RUnlock()
	out := []string{}
	if ix := v.indexWith(cur, kind, value); ix != "" {
		out = append(out, ix)
	}
	if hasPrev && prev.indexRef() != cur.indexRef() {
		if ix := v.indexWith(prev, kind, value); ix != "" {
			out = append(out, ix)
		}
	}
	return out
}

// Index kinds and how their input is normalized before hashing, so the
// same phone typed "138 0013 8000" or "+86-13800138000" finds the same row.
const (
	KindPhone    = "phone"     // digits only; a leading 86 country code dropped from 13 digits
	KindIDNumber = "id_number" // upper case, no spaces
	KindText     = "text"      // trimmed, inner spaces collapsed, lower case
)

// Normalize is the canonical form of a value of kind for its blind index.
func Normalize(kind, value string) string {
	switch kind {
	case KindPhone:
		var b strings.Builder
		for _, r := range value {
			if r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
		d := b.String()
		if len(d) == 13 && strings.HasPrefix(d, "86") {
			d = d[2:]
		}
		return d
	case KindIDNumber:
		return strings.ToUpper(strings.Join(strings.FieldsFunc(value, unicode.IsSpace), ""))
	default:
		return strings.ToLower(strings.Join(strings.FieldsFunc(value, unicode.IsSpace), " "))
	}
}
