package mysql

import (
	"fmt"
	"strings"

	"go.uber.org/zap"
)

// driverLogger routes go-sql-driver's own messages ("closing bad idle
// connection: EOF" after a server restart) into the agent's log, as JSON
// lines like every other, instead of the driver's default plain stderr.
// They are informational: the sender logs and counts the write errors.
type driverLogger struct {
	log      *zap.Logger
	password string
}

func (d driverLogger) Print(v ...any) {
	msg := strings.TrimSpace(fmt.Sprint(v...))
	if d.password != "" {
		msg = strings.ReplaceAll(msg, d.password, "****")
	}
	d.log.Info("mysql driver: " + msg)
}
