package seal

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
)

// Key purposes: each purpose has keys of its own, so a key that leaked from
// one use (say, the blind index) opens nothing of another.
const (
	PurposeData  = "data"  // sealing personal fields
	PurposeIndex = "index" // blind indexes of sealed fields
	PurposeTOTP  = "totp"  // reserved for the TOTP secrets' sealing
)

// KeyRef names one key: the algorithms of its profile, its purpose, its
// version, and the master key it comes from (by MasterID).
type KeyRef struct {
	Profile  Profile
	Purpose  string
	Version  int
	MasterID string
}

// KeyProvider performs the operations of keys it holds. The built-in
// provider derives keys in memory from the master key (PILOT_SECRET_KEY). A
// deployment that must keep keys inside a hardware cryptographic module
// (密码机, e.g. one with the GM/T 0018 SDF interface) implements it with the
// module's calls: AEAD returns a cipher.AEAD whose Seal and Open run on the
// device, and MAC asks the device for the HMAC; the key bytes never leave it.
// No such provider ships: it belongs to the deployment that has the device.
type KeyProvider interface {
	// AEAD is the authenticated cipher of a data key.
	AEAD(ref KeyRef) (cipher.AEAD, error)
	// MAC is the keyed hash (HMAC with the profile's hash) of msg under an index key.
	MAC(ref KeyRef, msg []byte) ([]byte, error)
	// Has reports whether the provider holds the master key of id.
	Has(masterID string) bool
	// CurrentMaster is the id of the master key new key versions come from.
	CurrentMaster() string
}

// MasterKeys is the built-in KeyProvider: keys derived with HKDF (RFC 5869)
// over the profile's hash (HMAC-SM3 or HMAC-SHA-256) from the current master
// key, and from a previous one while data still needs it after the master
// key was changed.
type MasterKeys struct {
	masters map[string][]byte
	current string
	mu      sync.Mutex
	aeads   map[KeyRef]cipher.AEAD
	macKeys map[KeyRef][]byte
}

// MasterKeySize is the length of PILOT_SECRET_KEY.
const MasterKeySize = 32

// NewMasterKeys holds current and, optionally, previous master keys (32 bytes each).
func NewMasterKeys(current []byte, previous ...[]byte) (*MasterKeys, error) {
	if len(current) != MasterKeySize {
		return nil, fmt.Errorf("seal: master key is %d bytes, want %d", len(current), MasterKeySize)
	}
	m := &MasterKeys{masters: map[string][]byte{}, aeads: map[KeyRef]cipher.AEAD{}, macKeys: map[KeyRef][]byte{}}
	m.current = MasterID(current)
	m.masters[m.current] = append([]byte(nil), current...)
	for _, p := range previous {
		if len(p) != MasterKeySize {
			return nil, fmt.Errorf("seal: previous master key is %d bytes, want %d", len(p), MasterKeySize)
		}
		m.masters[MasterID(p)] = append([]byte(nil), p...)
	}
	return m, nil
}

// MasterID names a master key without revealing it: the first 8 bytes of an
// HMAC-SHA-256 of a fixed label under the key (a key check value), recorded
// with every key version so the right master key opens old data.
func MasterID(master []byte) string {
	mac := hmac.New(sha256.New, master)
	mac.Write([]byte("safetypilot master key id"))
	return hex.EncodeToString(mac.Sum(nil)[:8])
}

// ErrUnknownMaster is returned for a key version whose master key is not configured.
var ErrUnknownMaster = errors.New("seal: the master key of this key version is not configured (PILOT_SECRET_KEY / PILOT_SECRET_KEY_PREVIOUS)")

// Has implements KeyProvider.
func (m *MasterKeys) Has(id string) bool { _, ok := m.masters[id]; return ok }

// CurrentMaster implements KeyProvider.
func (m *MasterKeys) CurrentMaster() string { return m.current }

// derive is HKDF-Extract-and-Expand with the profile's hash; the info names
// the purpose and the version, so every (purpose, version, profile) has its
// own independent key.
func (m *MasterKeys) derive(ref KeyRef, size int) ([]byte, error) {
	master, ok := m.masters[ref.MasterID]
	if !ok {
		return nil, ErrUnknownMaster
	}
	info := "safetypilot/" + string(ref.Profile) + "/" + ref.Purpose + "/v" + strconv.Itoa(ref.Version)
	return hkdf.Key(ref.Profile.Hash(), master, []byte("safetypilot-kdf-1"), info, size)
}

// AEAD implements KeyProvider; ciphers are built once per key.
func (m *MasterKeys) AEAD(ref KeyRef) (cipher.AEAD, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if a, ok := m.aeads[ref]; ok {
		return a, nil
	}
	key, err := m.derive(ref, ref.Profile.KeySize())
	if err != nil {
		return nil, err
	}
	a, err := ref.Profile.NewAEAD(key)
	if err != nil {
		return nil, err
	}
	m.aeads[ref] = a
	return a, nil
}

// MAC implements KeyProvider: HMAC with the profile's hash (HMAC-SM3 under guomi).
func (m *MasterKeys) MAC(ref KeyRef, msg []byte) ([]byte, error) {
	m.mu.Lock()
	key, ok := m.macKeys[ref]
	if !ok {
		var err error
		if key, err = m.derive(ref, 32); err != nil {
			m.mu.Unlock()
			return nil, err
		}
		m.macKeys[ref] = key
	}
	m.mu.Unlock()
	mac := hmac.New(ref.Profile.Hash(), key)
	mac.Write(msg)
	return mac.Sum(nil), nil
}
