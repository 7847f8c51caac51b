package azureblob

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/auditship/auditship/outputs"
)

// selfSigned returns a PEM certificate and its PKCS#8 private key.
func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "auditship-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk})
}

func TestCertCredential(t *testing.T) {
	certPEM, keyPEM := selfSigned(t)
	dir := t.TempDir()
	write := func(name string, data ...[]byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, bytes.Join(data, nil), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, path, password string
		wantErr              string
	}{
		{"cert and key", write("ok.pem", certPEM, keyPEM), "", ""},
		{"key first", write("rev.pem", keyPEM, certPEM), "", ""},
		{"no key", write("nokey.pem", certPEM), "", "found no private key"},
		{"garbage", write("junk.pem", []byte("junk")), "", "client certificate"},
		{"missing", filepath.Join(dir, "missing.pem"), "", "no such file"},
		{"password on a PEM file", write("pw.pem", certPEM, keyPEM), "pw", "client certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			entra(c)
			c.TenantID, c.ClientID = "00000000-0000-0000-0000-000000000000", "client"
			c.ClientCertificatePath, c.ClientCertificatePassword = tt.path, tt.password
			if err := c.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			cc := newCertCredential(c)
			cred, err := cc.load()
			if tt.wantErr == "" {
				if err != nil || cred == nil {
					t.Fatalf("load = %v, %v", cred, err)
				}
				if again, _ := cc.load(); again != cred {
					t.Error("the credential is not kept")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("load error %v, want %q", err, tt.wantErr)
			}
			if !outputs.IsPermanent(classify("put c/b", err)) {
				t.Error("an unusable certificate is not permanent")
			}
		})
	}
}

// A client built for certificate auth reads the file only when a token is
// needed, and then fails permanently if it cannot.
func TestCertCredentialIsLazy(t *testing.T) {
	c := base()
	entra(c)
	c.TenantID, c.ClientID, c.ClientCertificatePath = "t", "c", filepath.Join(t.TempDir(), "later.pem")
	cred, err := tokenCredential(c, authCertificate)
	if err != nil {
		t.Fatal(err)
	}
	_, err = cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://storage.azure.com/.default"}})
	if !outputs.IsPermanent(classify("put c/b", err)) {
		t.Errorf("GetToken with no file: %v, want a permanent error", err)
	}
}
