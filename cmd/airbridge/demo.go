package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"airbridge"
	"airbridge/auth"
	"airbridge/scenario"
	"airbridge/server"
	"airbridge/sqlite"
	"airbridge/vault"
	"airbridge/withdraw"
)

const demoMeta = "demo"

func (env *environment) demo(args []string) error {
	start := time.Now()
	fs := env.flags("demo", "demo [--addr HOST:PORT] [--db FILE] [--seed N] [--persons N] [--log-level LEVEL]")
	addr := fs.String("addr", envOr(env.getenv, "AIRBRIDGE_ADDR", "127.0.0.1:8080"), "address to listen on (env AIRBRIDGE_ADDR)")
	path := fs.String("db", "airbridge-demo.db", "demo database file, recreated on each run with its master key in FILE.key")
	seed := fs.Int64("seed", 1, "seed of the synthetic scenario")
	persons := fs.Int("persons", 10_000, "number of people in the scenario (100..200000)")
	level := env.logLevel(fs)
	if err := env.parse(fs, args); err != nil {
		return err
	}
	if *persons < 100 || *persons > 200_000 {
		fmt.Fprintf(env.stderr, "airbridge demo: --persons %d is outside 100..200000\n", *persons)
		return exitError(2)
	}
	db, err := seedDemo(env.ctx, *path, *seed, *persons, time.Now())
	if err != nil {
		return err
	}
	defer db.Close()
	stats, err := db.Stats(env.ctx)
	if err != nil {
		return err
	}
	users, err := demoUsers(env.ctx, db)
	if err != nil {
		return err
	}
	if err := writeDemoTokens(demoTokensFile(*path), users); err != nil {
		return err
	}
	return serveOn(env.ctx, db, *addr, env.logger(*level), server.DefaultOptions, nil, func(url string) {
		fmt.Fprintf(env.stdout, "airbridge %s demo: kabul-2021 (seed %d), %d persons, %d flights, %d events in %s, ready in %s\n",
			version, *seed, stats.Persons, stats.Flights, stats.Events, *path, time.Since(start).Round(time.Millisecond))
		fmt.Fprintf(env.stdout, "serving on %s; personal data sealed under the master key in %s\n", url, demoKeyFile(*path))
		fmt.Fprintf(env.stdout, "%-17s %-9s %-58s %s\n", "role", "nation", "API token", "login (user / password)")
		for _, u := range users {
			fmt.Fprintf(env.stdout, "%-17s %-9s %-58s %s / %s\n", u.role, nationName(u.nation), u.token, u.name, u.password)
		}
		fmt.Fprintf(env.stdout, "tokens also in %s; try: . %s; curl -H \"Authorization: Bearer $GATE\" %s/api/pipeline\n",
			demoTokensFile(*path), demoTokensFile(*path), url)
	})
}

func nationName(n string) string {
	if n == auth.Coalition {
		return "coalition"
	}
	return n
}

// demoUser is one of the demo's users, with its secrets shown once.
type demoUser struct {
	role                          auth.Role
	nation, name, password, token string
	variable                      string // its token's name in the tokens file
}

// demoRoles are the demo's users: every role once (a second commander, for
// the two-person rule), bound to the nations whose people the scenario has.
var demoRoles = []demoUser{
	{role: auth.GateAgent, nation: "USA", name: "gate.usa", variable: "GATE"},
	{role: auth.Screener, nation: auth.Coalition, name: "screen.joint", variable: "SCREEN"},
	{role: auth.Coordinator, nation: "DEU", name: "coord.deu", variable: "COORD"},
	{role: auth.ManifestOfficer, nation: "USA", name: "manifest.usa", variable: "MANIFEST"},
	{role: auth.Planner, nation: auth.Coalition, name: "planner", variable: "PLANNER"},
	{role: auth.Commander, nation: auth.Coalition, name: "commander.a", variable: "COMMANDER"},
	{role: auth.Commander, nation: auth.Coalition, name: "commander.b", variable: "COMMANDER2"},
	{role: auth.Auditor, nation: auth.Coalition, name: "auditor", variable: "AUDITOR"},
}

func demoTokensFile(path string) string { return path + ".tokens" }

// writeDemoTokens writes the demo users' tokens as shell assignments, for
// docs/tour.sh and the curl walk in the README.
func writeDemoTokens(path string, users []demoUser) error {
	var b strings.Builder
	b.WriteString("# airbridge demo tokens: source this file in a shell\n")
	for _, u := range users {
		fmt.Fprintf(&b, "%s=%s  # %s, %s of %s\n", u.variable, u.token, u.name, u.role, nationName(u.nation))
	}
	os.Remove(path)
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

func demoUsers(ctx context.Context, db *sqlite.DB) ([]demoUser, error) {
	users := slices.Clone(demoRoles)
	errs := make([]error, len(users))
	var wg sync.WaitGroup
	for i := range users {
		// Their passwords are hashed side by side: argon2 takes a core
		// each, and the demo should be ready soon.
		wg.Go(func() {
			u := &users[i]
			var err error
			if u.password, u.token, err = newUser(ctx, db, u.name, u.role, u.nation, "", true, "demo"); err != nil {
				errs[i] = fmt.Errorf("demo user %s: %w", u.name, err)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return users, nil
}

func demoKeyFile(path string) string { return path + ".key" }

// seedDemo recreates the demo database at path and seeds it with the
// kabul-2021 scenario brought to now. It refuses to replace a file that is
// not an airbridge demo database.
func seedDemo(ctx context.Context, path string, seed int64, persons int, now time.Time) (*sqlite.DB, error) {
	switch kind, err := sqlite.ReadMeta(ctx, path, demoMeta); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("refusing to replace %s: %w", path, err)
	case kind == "":
		return nil, fmt.Errorf("refusing to replace %s: it is an airbridge database, but not a demo one", path)
	case sqlite.InUse(path):
		return nil, fmt.Errorf("refusing to replace %s: another airbridge process is serving it", path)
	default:
		for _, p := range []string{path, path + "-wal", path + "-shm", demoKeyFile(path), demoTokensFile(path)} {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("replace demo database: %w", err)
			}
		}
	}
	subs, err := scenario.Kabul2021(seed, now, persons)
	if err != nil {
		return nil, err
	}
	// A demo's people are synthetic, but the demo shows the real thing: its
	// file is sealed like any other, under a key kept beside it.
	key, err := vault.GenerateMasterKey()
	if err != nil {
		return nil, err
	}
	os.Remove(demoKeyFile(path)) // a key left by a demo whose database is gone
	if err := vault.WriteMasterKey(demoKeyFile(path), key); err != nil {
		return nil, err
	}
	db, err := sqlite.Open(ctx, path, key)
	if err != nil {
		return nil, err
	}
	if err := db.SetMeta(ctx, demoMeta, "kabul-2021"); err != nil {
		db.Close()
		return nil, err
	}
	withdrawal, err := demoWithdrawal(now)
	if err != nil {
		db.Close()
		return nil, err
	}
	if _, err := db.ExecuteAll(ctx, append(subs, withdrawal...)); err != nil {
		db.Close()
		return nil, fmt.Errorf("seed demo: %w", err)
	}
	return db, nil
}

// demoWithdrawalDays is how far the demo's withdrawal has gone by its plan.
const demoWithdrawalDays = 21

// demoWithdrawal adopts the nato-2021 withdrawal plan and records its first
// three weeks as they were planned: the Withdrawal page shows where it
// stands, and as of any later day who would be behind.
func demoWithdrawal(now time.Time) ([]airbridge.Submission, error) {
	sc, err := withdraw.Builtin("nato-2021")
	if err != nil {
		return nil, err
	}
	plan, err := withdraw.Plan(sc)
	if err != nil {
		return nil, err
	}
	adopted := plan.Adoptable(sc, "nato-2021")
	cmds := []airbridge.Command{airbridge.AdoptWithdrawalPlan{Plan: adopted}}
	for _, m := range withdraw.Followed(adopted, demoWithdrawalDays-1) {
		cmds = append(cmds, m)
	}
	subs := make([]airbridge.Submission, len(cmds))
	for i, c := range cmds {
		key := fmt.Sprintf("seed-withdrawal-%04d", i)
		subs[i] = airbridge.Submission{Command: c, Envelope: airbridge.Envelope{Key: key, Actor: "scenario", Time: now}, Fingerprint: key}
	}
	return subs, nil
}
