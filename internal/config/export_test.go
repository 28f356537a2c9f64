package config

import (
	"flag"
	"sort"
)

// Option describes one setting, for documentation.
type Option struct {
	Flag, Env, Default, Usage string
}

// Options lists every setting with its default, sorted by flag name. The
// README's configuration table is checked against it.
func Options() []Option {
	c := Default()
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	c.register(fs)
	var os []Option
	fs.VisitAll(func(f *flag.Flag) {
		os = append(os, Option{Flag: f.Name, Env: EnvName(f.Name), Default: f.DefValue, Usage: f.Usage})
	})
	sort.Slice(os, func(i, j int) bool { return os[i].Flag < os[j].Flag })
	return os
}
