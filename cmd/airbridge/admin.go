package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"airbridge/auth"
	"airbridge/server"
	"airbridge/sqlite"
	"airbridge/vault"
)

// subcommand runs one of a command's subcommands, or explains them.
func (env *environment) subcommand(name, help string, args []string, subs map[string]func([]string) error) error {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-help" || args[0] == "-h" || args[0] == "help" {
		w := env.stderr
		if len(args) > 0 {
			w = env.stdout
		}
		fmt.Fprint(w, help)
		if len(args) == 0 {
			return exitError(2)
		}
		return nil
	}
	run, ok := subs[args[0]]
	if !ok {
		fmt.Fprintf(env.stderr, "airbridge %s: unknown subcommand %q\n\n%s", name, args[0], help)
		return exitError(2)
	}
	return run(args[1:])
}

// actor names who runs an administrative command in the audit log.
func (env *environment) actor() string {
	if u := env.getenv("USER"); u != "" {
		return "cli:" + u
	}
	return "cli"
}

// openAdmin opens the database at path for administration; the server must
// not be running on it. Only "users add" creates a new database: any other
// command on a missing file is a mistyped path.
func (env *environment) openAdmin(cmd, path string) (*sqlite.Admin, error) {
	if path == "" {
		fmt.Fprintf(env.stderr, "airbridge %s: --db is required\n", cmd)
		return nil, exitError(2)
	}
	if _, err := os.Stat(path); err != nil && cmd != "users add" {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	a, err := sqlite.OpenAdmin(env.ctx, path)
	if err != nil {
		return nil, fmt.Errorf("%w (a server holding the database must be stopped for this)", err)
	}
	return a, nil
}

func (env *environment) dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", env.getenv("AIRBRIDGE_DB"), "database file (env AIRBRIDGE_DB)")
}

// target is where an administrative command acts: a database no server holds
// (--db), or a running server (--server, with a commander's --token).
type target struct {
	db, server, token *string
}

func (env *environment) targetFlags(fs *flag.FlagSet) target {
	return target{
		db:     env.dbFlag(fs),
		server: fs.String("server", "", "a running airbridge instead of --db, such as https://10.0.0.5:8443"),
		token:  fs.String("token", env.getenv("AIRBRIDGE_TOKEN"), "with --server: your API token (env AIRBRIDGE_TOKEN)"),
	}
}

// remote reports whether the command goes to a server, and checks that
// exactly one target is given.
func (env *environment) remote(cmd string, t target) (bool, error) {
	switch {
	case *t.server != "" && *t.db != "" && *t.db != env.getenv("AIRBRIDGE_DB"):
		fmt.Fprintf(env.stderr, "airbridge %s: give --server or --db, not both\n", cmd)
		return false, exitError(2)
	case *t.server != "" && *t.token == "":
		fmt.Fprintf(env.stderr, "airbridge %s: --server needs --token (or AIRBRIDGE_TOKEN)\n", cmd)
		return false, exitError(2)
	}
	return *t.server != "", nil
}

// call sends one JSON request to a running server with a bearer token and
// decodes the answer into out (if not nil). Extra headers come in pairs.
func (env *environment) call(base, token, method, path string, body, out any, headers ...string) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(env.ctx, method, strings.TrimRight(base, "/")+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e struct{ Message string }
		if json.Unmarshal(msg, &e) == nil && e.Message != "" {
			return fmt.Errorf("the server refused (%s): %s", resp.Status, e.Message)
		}
		return fmt.Errorf("the server refused: %s", resp.Status)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(msg, out)
}

const usersHelp = `Usage: airbridge users <add|list|disable> --db FILE [flags]

  add      add a user with a role, bound to a nation or the coalition
  list     list the users
  disable  disable a user for good: sessions end, tokens stop working

Roles: gate_agent, screener, coordinator, manifest_officer, planner, commander, auditor.
`

func (env *environment) users(args []string) error {
	return env.subcommand("users", usersHelp, args, map[string]func([]string) error{
		"add": func(args []string) error {
			fs := env.flags("users add", "users add (--db FILE [--token] | --server URL --token T) --name NAME --role ROLE [--nation XXX|coalition] [--password-stdin]")
			path := env.dbFlag(fs)
			server := fs.String("server", "", "a running airbridge instead of --db (commanders are added with --db only)")
			bearer := fs.String("as", env.getenv("AIRBRIDGE_TOKEN"), "with --server: your API token (env AIRBRIDGE_TOKEN)")
			name := fs.String("name", "", "user name: 1-64 of a-z 0-9 . _ -")
			role := fs.String("role", "", "role")
			nation := fs.String("nation", "coalition", "three-letter nation code, or coalition")
			stdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin (default: a random one, printed)")
			token := fs.Bool("token", false, "with --db: also issue an API token, printed once")
			if err := env.parse(fs, args); err != nil {
				return err
			}
			r, err := auth.ParseRole(*role)
			if err != nil {
				return err
			}
			password := ""
			if *stdin {
				line, err := bufio.NewReader(io.LimitReader(env.stdin, 4096)).ReadString('\n')
				if err != nil && !errors.Is(err, io.EOF) {
					return err
				}
				password = strings.TrimRight(line, "\r\n")
				if password == "" {
					return errors.New("--password-stdin: stdin holds no password")
				}
			}
			if *server != "" {
				if *token {
					fmt.Fprintln(env.stderr, "airbridge users add: --token issues a token with --db only; through a server, use tokens issue --server")
					return exitError(2)
				}
				if *bearer == "" {
					fmt.Fprintln(env.stderr, "airbridge users add: --server needs --as TOKEN (or AIRBRIDGE_TOKEN)")
					return exitError(2)
				}
				var out struct{ Password string }
				in := map[string]string{"name": *name, "role": string(r), "nation": nationFlag(*nation), "password": password}
				if err := env.call(*server, *bearer, http.MethodPost, "/api/users", in, &out); err != nil {
					return err
				}
				fmt.Fprintf(env.stdout, "user %s added on %s: %s of %s\n", *name, *server, r, nationName(nationFlag(*nation)))
				if out.Password != "" {
					fmt.Fprintf(env.stdout, "password: %s\n", out.Password)
				}
				return nil
			}
			a, err := env.openAdmin("users add", *path)
			if err != nil {
				return err
			}
			defer a.Close()
			pw, tok, err := newUser(env.ctx, a, *name, r, nationFlag(*nation), password, *token, env.actor())
			if err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "user %s added: %s of %s\n", *name, r, nationName(nationFlag(*nation)))
			if !*stdin {
				fmt.Fprintf(env.stdout, "password: %s\n", pw)
			}
			if tok != "" {
				fmt.Fprintf(env.stdout, "API token (shown once): %s\n", tok)
			}
			return nil
		},
		"list": func(args []string) error {
			fs := env.flags("users list", "users list (--db FILE | --server URL --token T) [--json]")
			t := env.targetFlags(fs)
			asJSON := fs.Bool("json", false, "print JSON")
			if err := env.parse(fs, args); err != nil {
				return err
			}
			remote, err := env.remote("users list", t)
			if err != nil {
				return err
			}
			var users []auth.User
			if remote {
				err = env.call(*t.server, *t.token, http.MethodGet, "/api/users", nil, &users)
			} else {
				var a *sqlite.Admin
				if a, err = env.openAdmin("users list", *t.db); err != nil {
					return err
				}
				defer a.Close()
				users, err = a.Users(env.ctx)
			}
			if err != nil {
				return err
			}
			if *asJSON {
				return json.NewEncoder(env.stdout).Encode(users)
			}
			tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tROLE\tNATION\tCREATED\tDISABLED")
			for _, u := range users {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Name, u.Role, nationName(u.Nation), u.Created, u.Disabled)
			}
			return tw.Flush()
		},
		"disable": func(args []string) error {
			fs := env.flags("users disable", "users disable (--db FILE | --server URL --token T) --name NAME")
			t := env.targetFlags(fs)
			name := fs.String("name", "", "user name")
			if err := env.parse(fs, args); err != nil {
				return err
			}
			remote, err := env.remote("users disable", t)
			if err != nil {
				return err
			}
			if remote {
				err = env.call(*t.server, *t.token, http.MethodPost, "/api/users/"+url.PathEscape(*name)+"/disable", nil, nil)
			} else {
				var a *sqlite.Admin
				if a, err = env.openAdmin("users disable", *t.db); err != nil {
					return err
				}
				defer a.Close()
				err = a.DisableUser(env.ctx, *name, env.actor())
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "user %s disabled\n", *name)
			return nil
		},
	})
}

const tokensHelp = `Usage: airbridge tokens <issue|revoke|list> --db FILE [flags]

  issue   issue an API token to a user; it is printed once and stored hashed
  revoke  revoke a token at once
  list    list tokens (never their secrets)
`

func (env *environment) tokens(args []string) error {
	return env.subcommand("tokens", tokensHelp, args, map[string]func([]string) error{
		"issue": func(args []string) error {
			fs := env.flags("tokens issue", "tokens issue (--db FILE | --server URL --token T) --user NAME [--label TEXT] [--ttl DURATION]")
			t := env.targetFlags(fs)
			user := fs.String("user", "", "the user the token acts as")
			label := fs.String("label", "", "what the token is for, such as a device")
			ttl := fs.Duration("ttl", 0, "how long the token lives, such as 720h (default: until revoked)")
			if err := env.parse(fs, args); err != nil {
				return err
			}
			if *ttl < 0 || len(*label) > 200 {
				return errors.New("--ttl must not be negative and --label at most 200 bytes")
			}
			remote, err := env.remote("tokens issue", t)
			if err != nil {
				return err
			}
			var tok string
			if remote {
				if *ttl%time.Hour != 0 {
					return errors.New("--ttl: a server takes whole hours")
				}
				var out struct{ Token string }
				in := map[string]any{"user": *user, "label": *label, "ttl_hours": int(*ttl / time.Hour)}
				err = env.call(*t.server, *t.token, http.MethodPost, "/api/tokens", in, &out)
				tok = out.Token
			} else {
				var a *sqlite.Admin
				if a, err = env.openAdmin("tokens issue", *t.db); err != nil {
					return err
				}
				defer a.Close()
				tok, err = issueToken(env.ctx, a, *user, *label, *ttl, env.actor())
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "API token for %s (shown once): %s\n", *user, tok)
			return nil
		},
		"revoke": func(args []string) error {
			fs := env.flags("tokens revoke", "tokens revoke (--db FILE | --server URL --token T) --id ID")
			t := env.targetFlags(fs)
			id := fs.String("id", "", "the token's id: the part between abt_ and the second _")
			if err := env.parse(fs, args); err != nil {
				return err
			}
			remote, err := env.remote("tokens revoke", t)
			if err != nil {
				return err
			}
			if remote {
				err = env.call(*t.server, *t.token, http.MethodDelete, "/api/tokens/"+url.PathEscape(*id), nil, nil)
			} else {
				var a *sqlite.Admin
				if a, err = env.openAdmin("tokens revoke", *t.db); err != nil {
					return err
				}
				defer a.Close()
				err = a.RevokeToken(env.ctx, *id, env.actor())
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "token %s revoked\n", *id)
			return nil
		},
		"list": func(args []string) error {
			fs := env.flags("tokens list", "tokens list (--db FILE | --server URL --token T) [--user NAME]")
			t := env.targetFlags(fs)
			user := fs.String("user", "", "only this user's tokens")
			if err := env.parse(fs, args); err != nil {
				return err
			}
			remote, err := env.remote("tokens list", t)
			if err != nil {
				return err
			}
			var tokens []auth.Token
			if remote {
				err = env.call(*t.server, *t.token, http.MethodGet, "/api/tokens?user="+url.QueryEscape(*user), nil, &tokens)
			} else {
				var a *sqlite.Admin
				if a, err = env.openAdmin("tokens list", *t.db); err != nil {
					return err
				}
				defer a.Close()
				tokens, err = a.Tokens(env.ctx, *user)
			}
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tUSER\tLABEL\tCREATED\tEXPIRES\tREVOKED")
			for _, t := range tokens {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.User, t.Label, t.Created, t.Expires, t.Revoked)
			}
			return tw.Flush()
		},
	})
}

const keysHelp = `Usage: airbridge keys <init|rotate|list|destroy> [flags]

  init     write a new master key to a key file
  rotate   rewrap a database's data keys under a new master key
  list     list the nations' data keys (never the keys)
  destroy  crypto-shred one nation's personal data; two commanders confirm
`

func (env *environment) keys(args []string) error {
	return env.subcommand("keys", keysHelp, args, map[string]func([]string) error{
		"init": func(args []string) error {
			fs := env.flags("keys init", "keys init --key-file FILE")
			file := fs.String("key-file", "", "where to write the new master key (never overwritten)")
			if err := env.parse(fs, args); err != nil {
				return err
			}
			if *file == "" {
				fmt.Fprintln(env.stderr, "airbridge keys init: --key-file is required")
				return exitError(2)
			}
			k, err := vault.GenerateMasterKey()
			if err != nil {
				return err
			}
			if err := vault.WriteMasterKey(*file, k); err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "master key %s written to %s (mode 600); keep a copy offline: without it the personal data cannot be read\n", k.ID(), *file)
			return nil
		},
		"rotate": func(args []string) error {
			fs := env.flags("keys rotate", "keys rotate --db FILE --key-file OLD --new-key-file NEW")
			path := env.dbFlag(fs)
			oldFile := fs.String("key-file", env.getenv("AIRBRIDGE_KEY_FILE"), "the current master key file")
			newFile := fs.String("new-key-file", "", "where to write the new master key")
			if err := env.parse(fs, args); err != nil {
				return err
			}
			if *newFile == "" {
				fmt.Fprintln(env.stderr, "airbridge keys rotate: --new-key-file is required")
				return exitError(2)
			}
			old, err := env.masterKey(*oldFile)
			if err != nil {
				return err
			}
			a, err := env.openAdmin("keys rotate", *path)
			if err != nil {
				return err
			}
			defer a.Close()
			next, err := vault.GenerateMasterKey()
			if err != nil {
				return err
			}
			if err := vault.WriteMasterKey(*newFile, next); err != nil {
				return err
			}
			if err := a.RotateMasterKey(env.ctx, old, next, env.actor()); err != nil {
				os.Remove(*newFile)
				return err
			}
			fmt.Fprintf(env.stdout, "data keys rewrapped: master key %s replaced by %s in %s; serve with --key-file %s from now on\n", old.ID(), next.ID(), *newFile, *newFile)
			return nil
		},
		"list": func(args []string) error {
			fs := env.flags("keys list", "keys list --db FILE")
			path := env.dbFlag(fs)
			if err := env.parse(fs, args); err != nil {
				return err
			}
			a, err := env.openAdmin("keys list", *path)
			if err != nil {
				return err
			}
			defer a.Close()
			keys, err := a.DataKeys(env.ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "KEY\tCREATED\tDESTROYED\tBY")
			for _, k := range keys {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", vault.KeyName(k.Nation, k.Version), k.Created, k.Destroyed, k.DestroyedBy)
			}
			return tw.Flush()
		},
		"destroy": env.keysDestroy,
	})
}

// keysDestroy crypto-shreds a nation's personal data, through a running
// server (--server) or in a database no server holds (--db).
func (env *environment) keysDestroy(args []string) error {
	fs := env.flags("keys destroy", "keys destroy --nation XXX (--server URL | --db FILE) [--token T] [--confirm-token T]")
	nation := fs.String("nation", "", "the nation whose personal data is destroyed")
	srv := fs.String("server", "", "a running airbridge, such as https://10.0.0.5:8443")
	path := env.dbFlag(fs)
	token := fs.String("token", env.getenv("AIRBRIDGE_TOKEN"), "the first commander's API token (env AIRBRIDGE_TOKEN)")
	confirm := fs.String("confirm-token", env.getenv("AIRBRIDGE_CONFIRM_TOKEN"), "the second commander's API token (env AIRBRIDGE_CONFIRM_TOKEN)")
	if err := env.parse(fs, args); err != nil {
		return err
	}
	n := strings.ToUpper(*nation)
	if err := auth.ValidNation(n); err != nil || n == "" {
		fmt.Fprintf(env.stderr, "airbridge keys destroy: --nation %q is not a three-letter nation code\n", *nation)
		return exitError(2)
	}
	if *token == "" || *confirm == "" {
		fmt.Fprintln(env.stderr, "airbridge keys destroy: two commanders' API tokens are required (--token and --confirm-token, or AIRBRIDGE_TOKEN and AIRBRIDGE_CONFIRM_TOKEN)")
		return exitError(2)
	}
	if *srv != "" && *path == env.getenv("AIRBRIDGE_DB") {
		*path = "" // the environment's database is not a choice made here
	}
	if (*srv == "") == (*path == "") {
		fmt.Fprintln(env.stderr, "airbridge keys destroy: give either --server URL or --db FILE")
		return exitError(2)
	}
	if *srv != "" {
		err := env.call(*srv, *token, http.MethodPost, "/api/keys/destroy", map[string]string{"nation": n}, nil,
			server.ConfirmHeader, "Bearer "+*confirm)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "%s's data key destroyed on %s: its people's personal data can no longer be read\n", n, *srv)
		return nil
	}
	a, err := env.openAdmin("keys destroy", *path)
	if err != nil {
		return err
	}
	defer a.Close()
	var users [2]auth.User
	for i, t := range []string{*token, *confirm} {
		id, hash, err := auth.ParseToken(t)
		if err != nil {
			return fmt.Errorf("token %d: %w", i+1, err)
		}
		if users[i], err = a.TokenUser(env.ctx, id, hash); err != nil {
			return fmt.Errorf("token %d: %w", i+1, err)
		}
	}
	if err := auth.ConfirmDestroy(users[0], users[1], n); err != nil {
		return err
	}
	if err := a.DestroyNationKey(env.ctx, n, users[0].Name+"+"+users[1].Name); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s's data key destroyed in %s: its people's personal data can no longer be read\n", n, *path)
	return nil
}
