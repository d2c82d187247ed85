package seal

import (
	"bytes"
	"crypto/hmac"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm4"

	"safetypilot/modules/db"
)

// Known answers from the standards, so the library is the algorithm it claims.
func TestKnownAnswers(t *testing.T) {
	// GB/T 32905-2016 appendix A, example 1: SM3("abc").
	h := Guomi.Hash()()
	h.Write([]byte("abc"))
	if got := hex.EncodeToString(h.Sum(nil)); got != "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0" {
		t.Errorf("SM3(abc) = %s", got)
	}
	// GB/T 32907-2016 appendix A, example 1: one SM4 block.
	key, _ := hex.DecodeString("0123456789abcdeffedcba9876543210")
	want, _ := hex.DecodeString("681edf34d206965e86b3e94f536e4246")
	a, err := Guomi.NewAEAD(key)
	if err != nil {
		t.Fatal(err)
	}
	if a.NonceSize() != 12 || a.Overhead() != 16 {
		t.Errorf("SM4-GCM nonce %d, tag %d", a.NonceSize(), a.Overhead())
	}
	block, _ := sm4.NewCipher(key)
	out := make([]byte, 16)
	block.Encrypt(out, key)
	if !bytes.Equal(out, want) {
		t.Errorf("SM4 = %x, want %x", out, want)
	}
	// HMAC-SM3 is usable with crypto/hmac (RFC 2104 over SM3).
	m := hmac.New(Guomi.Hash(), []byte("k"))
	m.Write([]byte("m"))
	if len(m.Sum(nil)) != 32 {
		t.Error("HMAC-SM3 length")
	}
}

func newTestVault(t *testing.T, versions ...KeyVersion) (*Vault, *MasterKeys) {
	t.Helper()
	mk, err := NewMasterKeys(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	for i := range versions {
		versions[i].MasterID = mk.CurrentMaster()
	}
	v, err := NewVault(mk, versions)
	if err != nil {
		t.Fatal(err)
	}
	return v, mk
}

func TestSealOpen(t *testing.T) {
	for _, p := range []Profile{Guomi, International} {
		t.Run(string(p), func(t *testing.T) {
			v, _ := newTestVault(t, KeyVersion{Version: 1, Profile: p, IndexVersion: 1})
			f := db.Field{Table: "cases", Column: "applicant_phone", Row: "SQ1"}
			s, err := v.Seal("13800138000", f)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(s, "13800138000") || !IsSealed(s) {
				t.Fatalf("sealed value %q", s)
			}
			if n, got, ok := VersionOf(s); !ok || n != 1 || got != p {
				t.Errorf("VersionOf = %d %s %v", n, got, ok)
			}
			if plain, err := v.Open(s, f); err != nil || plain != "13800138000" {
				t.Fatalf("Open = %q, %v", plain, err)
			}
			// Two seals of one value differ (random nonce).
			if s2, _ := v.Seal("13800138000", f); s2 == s {
				t.Error("same ciphertext twice")
			}
			// Moved to another row, another column, or altered: no.
			for name, g := range map[string]db.Field{
				"row":    {Table: "cases", Column: "applicant_phone", Row: "SQ2"},
				"column": {Table: "cases", Column: "applicant_contact", Row: "SQ1"},
				"table":  {Table: "entities", Column: "applicant_phone", Row: "SQ1"},
			} {
				if _, err := v.Open(s, g); !errors.Is(err, ErrCannotOpen) {
					t.Errorf("opened when moved (%s): %v", name, err)
				}
			}
			b := []byte(s)
			b[len(b)-3] ^= 1
			if _, err := v.Open(string(b), f); err == nil {
				t.Error("opened an altered value")
			}
			// The header is bound too: relabelled as another version, it fails.
			if _, err := v.Open(strings.Replace(s, ":1:", ":2:", 1), f); err == nil {
				t.Error("opened a relabelled value")
			}
			if got, _ := v.Open("plain from before", f); got != "plain from before" {
				t.Error("plaintext from before sealing must read as it is")
			}
			if s, _ := v.Seal("", f); s != "" {
				t.Error("empty must stay empty")
			}
		})
	}
}

func TestVersionsAndIndexes(t *testing.T) {
	v, _ := newTestVault(t, KeyVersion{Version: 1, Profile: International, IndexVersion: 1})
	f := db.Field{Table: "t", Column: "c", Row: "1"}
	old, _ := v.Seal("王平安", f)
	oldIndex := v.Index(KindPhone, "138 0013 8000")
	if oldIndex != v.Index(KindPhone, "+86-13800138000") || oldIndex == v.Index(KindPhone, "13800138001") {
		t.Error("phone normalization")
	}
	// Rotate within the profile: the index key stays, the data key changes.
	cur := v.Current()
	if err := v.SetVersions([]KeyVersion{cur, {Version: 2, Profile: International, MasterID: cur.MasterID, IndexVersion: 1}}); err != nil {
		t.Fatal(err)
	}
	if v.Index(KindPhone, "13800138000") != oldIndex || len(v.Indexes(KindPhone, "13800138000")) != 1 {
		t.Error("a rotation within a profile must keep the blind index")
	}
	// Move to guomi: new index key; both looked up until re-indexed.
	if err := v.SetVersions([]KeyVersion{cur, {Version: 2, Profile: International, MasterID: cur.MasterID, IndexVersion: 1},
		{Version: 3, Profile: Guomi, MasterID: cur.MasterID, IndexVersion: 3}}); err != nil {
		t.Fatal(err)
	}
	ix := v.Indexes(KindPhone, "13800138000")
	if len(ix) != 2 || ix[0] == oldIndex || ix[1] != oldIndex {
		t.Errorf("indexes during migration = %v", ix)
	}
	if p, err := v.Open(old, f); err != nil || p != "王平安" {
		t.Errorf("old version no longer opens: %q %v", p, err)
	}
	nw, _ := v.Seal("王平安", f)
	if n, p, _ := VersionOf(nw); n != 3 || p != Guomi {
		t.Errorf("new values sealed with %d %s", n, p)
	}
}

func TestMasterKeyChange(t *testing.T) {
	oldKey, newKey := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	mOld, _ := NewMasterKeys(oldKey)
	v1 := KeyVersion{Version: 1, Profile: Guomi, MasterID: MasterID(oldKey), IndexVersion: 1}
	vOld, _ := NewVault(mOld, []KeyVersion{v1})
	f := db.Field{Table: "t", Column: "c", Row: "1"}
	s, _ := vOld.Seal("secret", f)
	// The new master alone cannot open version 1, and refuses to start on it.
	mNew, _ := NewMasterKeys(newKey)
	if _, err := NewVault(mNew, []KeyVersion{v1}); !errors.Is(err, ErrUnknownMaster) {
		t.Errorf("vault with the wrong master: %v", err)
	}
	// With the previous key configured, version 1 opens and version 2 uses the new key.
	mBoth, _ := NewMasterKeys(newKey, oldKey)
	v, err := NewVault(mBoth, []KeyVersion{v1, {Version: 2, Profile: Guomi, MasterID: MasterID(newKey), IndexVersion: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := v.Open(s, f); err != nil || p != "secret" {
		t.Errorf("open under previous master: %q %v", p, err)
	}
}

func BenchmarkSealOpen(b *testing.B) {
	for _, p := range []Profile{Guomi, International} {
		b.Run(string(p), func(b *testing.B) {
			mk, _ := NewMasterKeys(bytes.Repeat([]byte{7}, 32))
			v, _ := NewVault(mk, []KeyVersion{{Version: 1, Profile: p, MasterID: mk.CurrentMaster(), IndexVersion: 1}})
			f := db.Field{Table: "cases", Column: "applicant_phone", Row: "SQ1"}
			for b.Loop() {
				s, _ := v.Seal("13800138000", f)
				if _, err := v.Open(s, f); err != nil {
					b.Fatal(err)
				}
				v.Index(KindPhone, "13800138000")
			}
		})
	}
}
