package main

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"

	"airbridge"
	"airbridge/server"
)

func (env *environment) callforward(args []string) error {
	if len(args) == 0 || args[0] != "export" {
		fmt.Fprint(env.stderr, "Usage: airbridge callforward export --nation XXX [--db FILE] [--key-file FILE]\n")
		return exitError(2)
	}
	fs := env.flags("callforward export", "callforward export --nation XXX [--db FILE] [--key-file FILE]")
	nation := fs.String("nation", "", "the nation whose called groups to export (three letters)")
	path := fs.String("db", envOr(env.getenv, "AIRBRIDGE_DB", "airbridge.db"), "database file (env AIRBRIDGE_DB); not one a server holds")
	keyFile := fs.String("key-file", env.getenv("AIRBRIDGE_KEY_FILE"), "master key file (env AIRBRIDGE_KEY_FILE; or AIRBRIDGE_MASTER_KEY)")
	if err := env.parse(fs, args[1:]); err != nil {
		return err
	}
	if !regexp.MustCompile(`^[A-Z]{3}$`).MatchString(*nation) {
		return fmt.Errorf("--nation %q: give the nation's three-letter code, such as DEU", *nation)
	}
	db, err := env.openExisting(*path, *keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	var groups []string
	err = db.View(env.ctx, func(s *airbridge.State) error {
		if s.Policy == nil || !s.Policy.HasNation(*nation) {
			return fmt.Errorf("--nation %s is not a nation of this operation", *nation)
		}
		for id, g := range s.Groups {
			if g.Nation == *nation && len(g.Members) > 0 && s.Persons[g.Members[0]].Stage == airbridge.Called {
				groups = append(groups, id)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	type row struct {
		record []string
		start  time.Time
	}
	var rows []row
	for _, id := range groups {
		inv, text, err := server.GroupInvitation(env.ctx, db, id)
		if airbridge.ErrorCode(err) == airbridge.ECONFLICT {
			fmt.Fprintf(env.stderr, "airbridge: group %s left out: %s\n", id, airbridge.ErrorMessage(err))
			continue
		}
		if err != nil {
			return err
		}
		rows = append(rows, row{start: inv.Start, record: []string{inv.Group, inv.Gate, inv.Start.Format(time.RFC3339),
			inv.End.Format(time.RFC3339), strconv.Itoa(len(inv.Persons)), text}})
	}
	slices.SortFunc(rows, func(a, b row) int {
		return cmp.Or(a.start.Compare(b.start), cmp.Compare(a.record[1], b.record[1]), cmp.Compare(a.record[0], b.record[0]))
	})
	w := csv.NewWriter(env.stdout)
	w.Write([]string{"group", "gate", "window_start", "window_end", "persons", "invitation"})
	for _, r := range rows {
		w.Write(r.record)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return errors.Join(errors.New("write the CSV"), err)
	}
	fmt.Fprintf(env.stderr, "airbridge: %d invitations of %s\n", len(rows), *nation)
	return nil
}
