package mysql

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"github.com/zclconf/go-cty/cty"

	"github.com/auditship/auditship/internal/component"
)

// tlsSettings is the `tls` attribute checked: a mode, or files.
type tlsSettings struct {
	mode                      string // "false" | "true" | "skip-verify" | "files"
	caFile, certFile, keyFile string
}

var tlsFileKeys = []string{"ca_file", "cert_file", "key_file"}

// parseTLS reads `tls = "false" | "true" | "skip-verify"` or
// `tls = { ca_file = …, cert_file = …, key_file = … }`. Absent is "false".
func parseTLS(v cty.Value) (tlsSettings, error) {
	switch {
	case v.IsNull():
		return tlsSettings{mode: "false"}, nil
	case v.Type() == cty.String && v.IsKnown():
		s := v.AsString()
		if s != "false" && s != "true" && s != "skip-verify" {
			return tlsSettings{}, component.Errorf("tls", `must be "false", "true", "skip-verify" or { ca_file, cert_file, key_file }, not %q`, s)
		}
		return tlsSettings{mode: s}, nil
	case v.Type() == cty.Bool && v.IsKnown():
		return tlsSettings{mode: fmt.Sprint(v.True())}, nil
	case (v.Type().IsObjectType() || v.Type().IsMapType()) && v.IsKnown():
		return tlsFiles(v)
	}
	return tlsSettings{}, component.Errorf("tls", `must be "false", "true", "skip-verify" or { ca_file, cert_file, key_file }`)
}

func tlsFiles(v cty.Value) (tlsSettings, error) {
	t := tlsSettings{mode: "files"}
	dst := map[string]*string{"ca_file": &t.caFile, "cert_file": &t.certFile, "key_file": &t.keyFile}
	for it := v.ElementIterator(); it.Next(); {
		k, val := it.Element()
		p, ok := dst[k.AsString()]
		if !ok {
			return t, component.Errorf("tls", "unknown key %q; the keys are ca_file, cert_file and key_file", k.AsString())
		}
		if val.IsNull() || !val.IsKnown() || val.Type() != cty.String {
			return t, component.Errorf("tls", "%s must be a string", k.AsString())
		}
		*p = val.AsString()
	}
	return t, t.check()
}

func (t tlsSettings) check() error {
	var errs []error
	if (t.certFile == "") != (t.keyFile == "") {
		errs = append(errs, component.Errorf("tls", "cert_file and key_file must be set together"))
	}
	for i, f := range []string{t.caFile, t.certFile, t.keyFile} {
		if _, err := os.Stat(f); f != "" && err != nil {
			errs = append(errs, component.Errorf("tls", "%s: %v", tlsFileKeys[i], err))
		}
	}
	return errors.Join(errs...)
}

// config builds the client TLS config for serverName; nil means no TLS.
func (t tlsSettings) config(serverName string) (*tls.Config, error) {
	switch t.mode {
	case "false", "":
		return nil, nil
	case "skip-verify":
		return &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}, nil
	}
	c := &tls.Config{ServerName: serverName, MinVersion: tls.VersionTLS12}
	if t.caFile != "" {
		pem, err := os.ReadFile(t.caFile)
		if err != nil {
			return nil, fmt.Errorf("tls ca_file: %w", err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls ca_file %s: no PEM certificate in it", t.caFile)
		}
	}
	if t.certFile != "" {
		cert, err := tls.LoadX509KeyPair(t.certFile, t.keyFile)
		if err != nil {
			return nil, fmt.Errorf("tls cert_file/key_file: %w", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}
