package mysql

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/auditship/auditship/internal/component"
	"github.com/auditship/auditship/internal/units"
)

// Config is the body of an `output "mysql" "NAME"` block.
type Config struct {
	Host     string    `hcl:"host,optional"`
	Port     int       `hcl:"port,optional"`
	Database string    `hcl:"database"`
	User     string    `hcl:"user,optional"`
	Password string    `hcl:"password,optional"`
	TLS      cty.Value `hcl:"tls,optional"` // "false" | "true" | "skip-verify" | { ca_file, cert_file, key_file }

	MaxOpenConns   int    `hcl:"max_open_conns,optional"`
	MaxIdleConns   int    `hcl:"max_idle_conns,optional"`
	ConnectTimeout string `hcl:"connect_timeout,optional"`
	WriteTimeout   string `hcl:"write_timeout,optional"`
	ReadTimeout    string `hcl:"read_timeout,optional"`

	CreateTables bool    `hcl:"create_tables,optional"`
	Tables       []Table `hcl:"table,block"`
}

// Table is one `table "NAME"` block: the events matching When (all events
// when When is empty) are stored in it, with Columns filled from their
// fields.
type Table struct {
	Name    string         `hcl:"name,label"`
	When    string         `hcl:"when,optional"`
	Columns hcl.Expression `hcl:"columns,optional"` // { column = "field.path" }, read by columnPairs
}

func newConfig() *Config {
	return &Config{
		Host: "127.0.0.1", Port: 3306,
		MaxOpenConns: 4, MaxIdleConns: 4,
		ConnectTimeout: "10s", WriteTimeout: "60s", ReadTimeout: "60s",
	}
}

// Validate reports every problem with the attributes. Messages never quote
// the password.
func (c *Config) Validate() error {
	_, err := c.parse()
	return err
}

// settings is a Config checked and converted.
type settings struct {
	connect, write, read time.Duration
	tls                  tlsSettings
	tables               []*table
}

func (c *Config) parse() (*settings, error) {
	s := &settings{}
	var errs []error
	s.connect, errs = duration(errs, "connect_timeout", c.ConnectTimeout)
	s.write, errs = duration(errs, "write_timeout", c.WriteTimeout)
	s.read, errs = duration(errs, "read_timeout", c.ReadTimeout)
	var err error
	s.tls, err = parseTLS(c.TLS)
	s.tables, errs = c.compileTables(append(errs, err, c.checkServer(), c.checkPool()))
	return s, byAttr(errors.Join(errs...))
}

// byAttr joins the messages about one attribute into one error: the loader
// reports one message per position (two bad columns of one table share
// the position of its columns attribute).
func byAttr(err error) error {
	var out []error
	at := map[string]*component.AttrError{}
	for _, ae := range component.AttrErrors(err) {
		if prev, ok := at[ae.Attr]; ok {
			prev.Msg += "; " + ae.Msg
			continue
		}
		cp := *ae
		at[ae.Attr] = &cp
		out = append(out, &cp)
	}
	return errors.Join(out...)
}

func duration(errs []error, attr, v string) (time.Duration, []error) {
	d, err := units.Duration(v)
	if err == nil && d <= 0 {
		err = errors.New("must be positive")
	}
	if err != nil {
		return 0, append(errs, component.Errorf(attr, "%v", err))
	}
	return d, errs
}

func (c *Config) checkServer() error {
	var errs []error
	if strings.TrimSpace(c.Host) == "" || strings.ContainsAny(c.Host, "/@ ") {
		errs = append(errs, component.Errorf("host", "must be a host name or IP address"))
	}
	if c.Port < 1 || c.Port > 65535 {
		errs = append(errs, component.Errorf("port", "must be between 1 and 65535"))
	}
	if err := checkIdent(c.Database); err != nil {
		errs = append(errs, component.Errorf("database", "%v", err))
	}
	if len(c.User) > 80 {
		errs = append(errs, component.Errorf("user", "is longer than 80 characters"))
	}
	return errors.Join(errs...)
}

func (c *Config) checkPool() error {
	var errs []error
	if c.MaxOpenConns < 1 {
		errs = append(errs, component.Errorf("max_open_conns", "must be at least 1"))
	}
	if c.MaxIdleConns < 0 {
		errs = append(errs, component.Errorf("max_idle_conns", "must not be negative"))
	}
	return errors.Join(errs...)
}

// checkIdent accepts the unquoted identifiers MySQL and MariaDB both take:
// letters, digits, '_' and '$', not all digits, at most 64 characters.
func checkIdent(s string) error {
	if s == "" || len(s) > 64 {
		return fmt.Errorf("%q is not a name: 1 to 64 characters", s)
	}
	digits := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$'
		if !ok {
			return fmt.Errorf("%q is not a name: use letters, digits, '_' and '$'", s)
		}
		digits = digits && c >= '0' && c <= '9'
	}
	if digits {
		return fmt.Errorf("%q is not a name: it must not be all digits", s)
	}
	return nil
}
