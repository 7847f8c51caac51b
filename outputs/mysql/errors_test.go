package mysql

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/zclconf/go-cty/cty"

	"github.com/auditship/auditship/outputs"
)

// TestErrorClassification drives real server errors through Write.
func TestErrorClassification(t *testing.T) {
	srv := needServer(t)
	const secret = "wr0ng-s3cret-pw"
	tests := []struct {
		name      string
		edit      func(*Config, string)
		permanent bool
		mentions  string
	}{
		{"wrong password", func(c *Config, _ string) { c.Password = secret }, true, "access denied"},
		{"unknown database", func(c *Config, db string) { c.Database = db + "_missing" }, true, "unknown database"},
		{"missing table", func(c *Config, _ string) { c.CreateTables = false }, true, "missing table"},
		{"connection refused", func(c *Config, _ string) { c.Port = 1 }, false, "127.0.0.1:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := srv.database(t)
			c := srv.config(db)
			c.CreateTables = true
			tt.edit(c, db)
			o := newTestOutput(t, c)
			err := o.Write(context.Background(), spooled(envelope(1, "workflow", "")))
			if err == nil || outputs.IsPermanent(err) != tt.permanent || !strings.Contains(err.Error(), tt.mentions) {
				t.Fatalf("permanent %v, want %v: %v", outputs.IsPermanent(err), tt.permanent, err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error quotes the password: %v", err)
			}
			if perr := o.Probe(context.Background()); (perr == nil) == (tt.name != "missing table") {
				t.Errorf("Probe: %v", perr)
			}
		})
	}
}

func TestClassifyCodes(t *testing.T) {
	o := &Output{where: "h:3306/db", password: "pw-secret"}
	tests := []struct {
		code      uint16
		permanent bool
	}{
		{1044, true}, {1045, true}, {1142, true}, {1143, true}, {1049, true}, {1146, true}, {1054, true},
		{1053, false}, {1213, false}, {1205, false}, {1290, false}, {1836, false}, {1040, false},
	}
	for _, tt := range tests {
		err := o.classify("write", &mysql.MySQLError{Number: tt.code, Message: "about pw-secret"})
		if outputs.IsPermanent(err) != tt.permanent {
			t.Errorf("%d: permanent %v, want %v", tt.code, outputs.IsPermanent(err), tt.permanent)
		}
		var me *mysql.MySQLError
		if !errors.As(err, &me) || strings.Contains(err.Error(), "pw-secret") {
			t.Errorf("%d: %v", tt.code, err)
		}
	}
	if err := o.classify("connect", mysql.ErrNoTLS); !outputs.IsPermanent(err) {
		t.Errorf("a server without TLS is not permanent: %v", err)
	}
	if err := o.classify("write", mysql.ErrInvalidConn); outputs.IsPermanent(err) {
		t.Errorf("bad connection is permanent: %v", err)
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	c := newConfig()
	c.Database = "a"
	o, err := newOutput(outputs.Settings{}, c)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := o.Close(context.Background()); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestTLSWithoutServerTLS: tls = "true" against a server that does not
// offer TLS holds the output (permanent), it does not fall back to clear.
func TestTLSWithoutServerTLS(t *testing.T) {
	srv := needServer(t)
	var name, have string
	if err := srv.admin.QueryRow("SHOW VARIABLES LIKE 'have_ssl'").Scan(&name, &have); err != nil {
		t.Fatal(err)
	}
	if have == "YES" {
		t.Skip("the test server offers TLS")
	}
	c := srv.config(srv.database(t))
	c.TLS = cty.StringVal("true")
	err := newTestOutput(t, c).Write(context.Background(), spooled(envelope(1, "workflow", "")))
	if !outputs.IsPermanent(err) || !strings.Contains(err.Error(), "TLS") {
		t.Errorf("permanent %v: %v", outputs.IsPermanent(err), err)
	}
}
