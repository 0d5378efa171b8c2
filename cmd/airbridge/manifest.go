package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"airbridge/manifest"
)

const manifestHelp = `Usage: airbridge manifest <solve|lp> --in FILE [flags]

  solve  assign the instance's groups to its flights; prints
         {"objective", "bound", "assignment": {GROUP: FLIGHT}}
  lp     write the same model in CPLEX LP format, for glpsol or cbc

The instance format is documented in the manifest package and the README.
`

func (env *environment) manifest(args []string) error {
	return env.subcommand("manifest", manifestHelp, args, map[string]func([]string) error{
		"solve": func(args []string) error {
			fs := env.flags("manifest solve", "manifest solve --in FILE [--out FILE]")
			in := fs.String("in", "", "the instance (JSON); - for stdin")
			out := fs.String("out", "", "where to write the solution (default: stdout)")
			if err := env.parse(fs, args); err != nil {
				return err
			}
			inst, err := env.readInstance("manifest solve", *in)
			if err != nil {
				return err
			}
			return env.writeOut(*out, func(w io.Writer) error {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(manifest.Solve(inst))
			})
		},
		"lp": func(args []string) error {
			fs := env.flags("manifest lp", "manifest lp --in FILE [--out FILE]")
			in := fs.String("in", "", "the instance (JSON); - for stdin")
			out := fs.String("out", "", "where to write the model (default: stdout)")
			if err := env.parse(fs, args); err != nil {
				return err
			}
			inst, err := env.readInstance("manifest lp", *in)
			if err != nil {
				return err
			}
			return env.writeOut(*out, func(w io.Writer) error { return manifest.WriteLP(w, inst) })
		},
	})
}

// readInstance reads and validates an instance from path, or stdin for "-".
func (env *environment) readInstance(cmd, path string) (*manifest.Instance, error) {
	if path == "" {
		fmt.Fprintf(env.stderr, "airbridge %s: --in is required\n", cmd)
		return nil, exitError(2)
	}
	r := env.stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	inst, err := manifest.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := inst.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return inst, nil
}

// writeOut writes with write to the file at path, or to stdout if path is
// empty; a file is replaced only once it is whole.
func (env *environment) writeOut(path string, write func(io.Writer) error) error {
	if path == "" {
		w := bufio.NewWriter(env.stdout)
		if err := write(w); err != nil {
			return err
		}
		return w.Flush()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".airbridge-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	if err := write(w); err != nil {
		tmp.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
