package stdin

import (
	"testing"

	"github.com/auditship/auditship/internal/plugintest"
)

func TestExample(t *testing.T) {
	plugintest.DecodeExample(t, Example, "input", "stdin", NewFactory().NewConfig())
}
