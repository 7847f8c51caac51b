package mysql

import (
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// TestDriverLoggerGoesToTheAgentLog: the driver's messages become agent
// log entries, with the password masked.
func TestDriverLoggerGoesToTheAgentLog(t *testing.T) {
	core, logs := observer.New(zapcore.InfoLevel)
	driverLogger{log: zap.New(core), password: "s3cret"}.Print("closing bad idle connection: ", "EOF s3cret\n")
	all := logs.All()
	if len(all) != 1 || all[0].Message != "mysql driver: closing bad idle connection: EOF ****" {
		t.Fatalf("entries = %+v", all)
	}
}
