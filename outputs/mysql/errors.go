package mysql

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/auditship/auditship/outputs"
)

// permanentCodes are the server errors retrying cannot fix, with what an
// operator needs to know. Everything else (network, 1040 too many
// connections, 1053 shutdown, 1205 lock wait, 1213 deadlock, 1290/1836
// read-only) is retried.
var permanentCodes = map[uint16]string{
	1044: "access denied to the database (check the grants)",
	1045: "access denied (check user and password)",
	1142: "access denied to a table (check the grants: INSERT, SELECT, UPDATE; CREATE with create_tables)",
	1143: "access denied to a column (check the grants)",
	1227: "access denied (the user lacks a privilege)",
	1698: "access denied (check user and password)",
	1049: "unknown database (create it or fix database)",
	1146: "missing table (run `auditship ddl` or set create_tables = true)",
	1054: "unknown column (the table does not match the config, or predates this version: see `auditship ddl` and the upgrade note)",
}

// valueCodes are errors about one row's values: that event is rejected,
// the rest of the batch is stored.
var valueCodes = map[uint16]bool{
	1048: true, // column cannot be null
	1264: true, // out of range
	1265: true, // data truncated
	1292: true, // incorrect datetime value
	1300: true, // invalid character string
	1366: true, // incorrect string/integer value
	1367: true, // illegal value
	1406: true, // data too long
	3819: true, // check constraint (MySQL)
	4025: true, // check constraint (MariaDB)
}

// erDupEntry is a duplicate key (1062).
const erDupEntry = 1062

func code(err error) uint16 {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number
	}
	return 0
}

func isValueError(err error) bool { return valueCodes[code(err)] }

// isLockWait: ER_LOCK_WAIT_TIMEOUT or ER_LOCK_DEADLOCK.
func isLockWait(err error) bool { c := code(err); return c == 1205 || c == 1213 }

// classify wraps err once, with op and the database, marking it permanent
// when retrying cannot help; the password never appears in its text.
func (o *Output) classify(op string, err error) error {
	if err == nil {
		return nil
	}
	err = scrub(err, o.password)
	if msg, ok := permanentCodes[code(err)]; ok {
		return outputs.Permanent(fmt.Errorf("mysql %s: %s: %s: %w", o.where, op, msg, err))
	}
	if isTLSRefusal(err) {
		return outputs.Permanent(fmt.Errorf("mysql %s: %s: TLS refused (check tls): %w", o.where, op, err))
	}
	if errors.Is(err, mysql.ErrNoTLS) {
		return outputs.Permanent(fmt.Errorf("mysql %s: %s: the server does not offer TLS (check tls): %w", o.where, op, err))
	}
	return fmt.Errorf("mysql %s: %s: %w", o.where, op, err)
}

func isTLSRefusal(err error) bool {
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var cv *tls.CertificateVerificationError
	return errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &cv)
}

// scrubbed hides a password that a driver error might quote.
type scrubbed struct {
	err      error
	password string
}

func (s scrubbed) Error() string {
	return strings.ReplaceAll(s.err.Error(), s.password, "***")
}
func (s scrubbed) Unwrap() error { return s.err }

// scrub wraps err so its text never holds password (when it is one worth
// hiding: a one-character password would blank out the message).
func scrub(err error, password string) error {
	if err == nil || len(password) < 3 || !strings.Contains(err.Error(), password) {
		return err
	}
	return scrubbed{err, password}
}
