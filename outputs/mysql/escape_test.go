package mysql

import (
	"context"
	"strconv"
	"strings"
	"testing"
)

// TestAppendQuotedRoundTrip stores tricky strings as literals of
// appendQuoted in the output's own sessions and reads them back the same.
func TestAppendQuotedRoundTrip(t *testing.T) {
	srv := needServer(t)
	o := newTestOutput(t, srv.config(srv.database(t)))
	ctx := context.Background()
	if _, err := o.db.ExecContext(ctx, "CREATE TABLE `q` (`id` INT PRIMARY KEY, "+
		"`v` LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	tricky := []string{
		"", "'", "''", `"`, `\`, `\\`, `\'`, `'\`, "\x00", "a\x00b", "\x1a", "\n\r\t", "?", "%_",
		`{"k":"a\"b\\c\u0000"}`, "😀", "𠜎𠜱𠝹", "中文 😀 'quoted' \\ \x00 \x1a end",
		strings.Repeat(`'\"`+"\x00", 1000),
	}
	stmt := []byte("INSERT INTO `q` (`id`, `v`) VALUES ")
	for i, s := range tricky {
		if i > 0 {
			stmt = append(stmt, ", "...)
		}
		stmt = appendQuoted(append(strconv.AppendInt(append(stmt, '('), int64(i), 10), ", "...), s)
		stmt = append(stmt, ')')
	}
	if _, err := o.db.ExecContext(ctx, string(stmt)); err != nil {
		t.Fatal(err)
	}
	for i, want := range tricky {
		var got []byte
		if err := o.db.QueryRowContext(ctx, "SELECT `v` FROM `q` WHERE `id` = ?", i).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%d: stored %q, read back %q", i, want, got)
		}
	}
}
