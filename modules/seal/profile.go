// Package seal is the product's cryptography for data at rest: the
// cryptographic profile (guomi: SM4-GCM and SM3; international: AES-256-GCM
// and SHA-256), keys derived per purpose and per version from one master key,
// personal fields sealed with associated data that binds them to their table,
// column and row, and keyed blind indexes for equality search.
//
// A module seals a field with db.DB.Fields (an interface this package's Vault
// implements) and lists its sealed columns in a []seal.Column, so that key
// rotation, the profile migration and retention reach them (see README,
// "Personal data at rest").
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"fmt"
	"hash"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
)

// Profile names a set of algorithms; every sealed value and every key
// version records the profile it was made with.
type Profile string

// The two profiles. Guomi is the default of a new database: GB/T 39786-2021
// assesses a Chinese government system against the national algorithms.
const (
	Guomi         Profile = "guomi"
	International Profile = "international"
)

// ParseProfile checks a configured profile name.
func ParseProfile(s string) (Profile, error) {
	switch p := Profile(s); p {
	case Guomi, International:
		return p, nil
	}
	return "", fmt.Errorf("unknown cryptographic profile %q (want guomi or international)", s)
}

// Hash is the profile's hash function: SM3 (GB/T 32905-2016) or SHA-256.
func (p Profile) Hash() func() hash.Hash {
	if p == Guomi {
		return sm3.New
	}
	return sha256.New
}

// HashName is the name stored with the audit chain's anchors.
func (p Profile) HashName() string {
	if p == Guomi {
		return HashSM3
	}
	return HashSHA256
}

// The hash names recorded in the database.
const (
	HashSHA256 = "sha256"
	HashSM3    = "sm3"
)

// HashByName returns the hash function recorded as name.
func HashByName(name string) (func() hash.Hash, error) {
	switch name {
	case HashSHA256:
		return sha256.New, nil
	case HashSM3:
		return sm3.New, nil
	}
	return nil, fmt.Errorf("seal: unknown hash %q", name)
}

// KeySize is the profile's data key length: 16 bytes for SM4, 32 for AES-256.
func (p Profile) KeySize() int {
	if p == Guomi {
		return 16
	}
	return 32
}

// CipherName says what the profile encrypts with, for people.
func (p Profile) CipherName() string {
	if p == Guomi {
		return "SM4-GCM"
	}
	return "AES-256-GCM"
}

// tag is the profile's mark inside a sealed value.
func (p Profile) tag() string {
	if p == Guomi {
		return "gm"
	}
	return "in"
}

func profileOfTag(t string) (Profile, bool) {
	switch t {
	case "gm":
		return Guomi, true
	case "in":
		return International, true
	}
	return "", false
}

// NewAEAD builds the profile's authenticated cipher on key: SM4 (GB/T
// 32907-2016) or AES in Galois/Counter Mode, 12-byte nonce, 16-byte tag.
func (p Profile) NewAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != p.KeySize() {
		return nil, fmt.Errorf("seal: %s key is %d bytes, want %d", p, len(key), p.KeySize())
	}
	var block cipher.Block
	var err error
	if p == Guomi {
		block, err = sm4.NewCipher(key)
	} else {
		block, err = aes.NewCipher(key)
	}
	if err != nil {
		return nil, fmt.Errorf("seal: %s cipher: %w", p, err)
	}
	return cipher.NewGCM(block)
}
