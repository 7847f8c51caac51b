package agent

import (
	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/inputs"
	filein "github.com/auditship/auditship/inputs/file"
	"github.com/auditship/auditship/inputs/stdin"
	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/outputs/azureblob"
	fileout "github.com/auditship/auditship/outputs/file"
	"github.com/auditship/auditship/outputs/mysql"
	"github.com/auditship/auditship/outputs/s3"
	"github.com/auditship/auditship/outputs/stdout"
	"github.com/auditship/auditship/processors"
	"github.com/auditship/auditship/processors/categories"
	"github.com/auditship/auditship/processors/filter"
	"github.com/auditship/auditship/processors/set"
)

// Components lists every plugin this build knows: the one place to add one.
func Components() config.Registry {
	return config.Registry{
		Inputs:     index([]inputs.Factory{stdin.NewFactory(), filein.NewFactory()}),
		Processors: index([]processors.Factory{categories.NewFactory(), filter.NewFactory(), set.NewFactory()}),
		Outputs:    index([]outputs.Factory{stdout.NewFactory(), fileout.NewFactory(), s3.NewFactory(), azureblob.NewFactory(), mysql.NewFactory()}),
	}
}

func index[F interface{ Type() string }](fs []F) map[string]F {
	m := make(map[string]F, len(fs))
	for _, f := range fs {
		m[f.Type()] = f
	}
	return m
}
