package users_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"safetypilot/modules/users"
)

func box(t *testing.T, b byte) *users.SecretBox {
	t.Helper()
	sb, err := users.NewSecretBox(bytes.Repeat([]byte{b}, users.SecretKeySize))
	if err != nil {
		t.Fatal(err)
	}
	return sb
}

// TestSecretBox: a sealed secret is versioned ciphertext that opens only with
// the same key, for the same user, untouched; plaintext is never accepted.
func TestSecretBox(t *testing.T) {
	t.Parallel()
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	a := box(t, 1)
	sealed, err := a.Seal(7, secret)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sealed, "v1:") || strings.Contains(sealed, secret) || len(sealed) > 255 {
		t.Fatalf("sealed form %q", sealed)
	}
	again, _ := a.Seal(7, secret)
	if again == sealed {
		t.Fatal("two seals of one secret are equal (nonce reused)")
	}
	if got, err := a.Open(7, sealed); err != nil || got != secret {
		t.Fatalf("Open = %q, %v", got, err)
	}
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(sealed, "v1:"))
	raw[len(raw)-1] ^= 1
	tampered := "v1:" + base64.StdEncoding.EncodeToString(raw)
	for name, open := range map[string]func() (string, error){
		"another user's row": func() (string, error) { return a.Open(8, sealed) },
		"another key":        func() (string, error) { return box(t, 2).Open(7, sealed) },
		"tampered":           func() (string, error) { return a.Open(7, tampered) },
		"plaintext":          func() (string, error) { return a.Open(7, secret) },
		"truncated":          func() (string, error) { return a.Open(7, "v1:AAAA") },
		"not base64":         func() (string, error) { return a.Open(7, "v1:***") },
	} {
		if got, err := open(); err == nil || got != "" {
			t.Errorf("%s: Open = %q, %v; want an error", name, got, err)
		}
	}
}

// TestParseSecretKey: base64 of exactly 32 bytes.
func TestParseSecretKey(t *testing.T) {
	t.Parallel()
	good := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32))
	if k, err := users.ParseSecretKey(" " + good + "\n"); err != nil || len(k) != 32 {
		t.Fatalf("good key: %v", err)
	}
	for _, bad := range []string{"", "not base64!", base64.StdEncoding.EncodeToString(make([]byte, 16))} {
		if _, err := users.ParseSecretKey(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestKeyFile: the first call makes a 0600 key file, later calls read it.
func TestKeyFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "data", "secret.key")
	k1, err := users.LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", st.Mode().Perm())
	}
	k2, err := users.LoadOrCreateKeyFile(path)
	if err != nil || !bytes.Equal(k1, k2) || len(k1) != 32 {
		t.Fatalf("second load: %v (equal %v)", err, bytes.Equal(k1, k2))
	}
	if err := os.WriteFile(path, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := users.LoadOrCreateKeyFile(path); err == nil {
		t.Fatal("a damaged key file was accepted")
	}
}
