package config

// Counts returns the enabled pipelines, and the enabled inputs and outputs
// within them, after inheritance: what `validate` reports.
func (c *Config) Counts() (pipelines, inputs, outputs int) {
	for _, p := range c.Pipelines {
		if !p.Enabled {
			continue
		}
		pipelines++
		for _, in := range p.Inputs {
			if in.Enabled {
				inputs++
			}
		}
		for _, o := range p.Outputs {
			if o.Enabled {
				outputs++
			}
		}
	}
	return pipelines, inputs, outputs
}
