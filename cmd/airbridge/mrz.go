package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"airbridge/mrz"
)

// mrzCmd reads machine-readable zones on stdin, one document per
// blank-line-separated block, and prints one JSON object per document. A
// block that is not an MRZ is reported on stderr and the exit status is 1;
// the others are still printed.
func (env *environment) mrzCmd(args []string) error {
	fs := env.flags("mrz", "mrz < FILE\n\nReads MRZ lines on stdin (one document per blank-line-separated block) and prints one JSON object per\ndocument: type, issuing_state, surname, given_names, document_number, nationality, birth_date, sex,\nexpiry_date, optional, valid (all checks pass) and checks (each check digit by name).")
	if err := env.parse(fs, args); err != nil {
		return err
	}
	text, err := io.ReadAll(io.LimitReader(env.stdin, 16<<20))
	if err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	docs, err := mrz.ParseAll(string(text))
	enc := json.NewEncoder(env.stdout)
	for _, d := range docs {
		if err := enc.Encode(d); err != nil {
			return err
		}
	}
	if err != nil {
		fmt.Fprintf(env.stderr, "airbridge mrz: %v\n", err)
		return exitError(1)
	}
	if len(docs) == 0 {
		return errors.New("no MRZ on stdin")
	}
	return nil
}
