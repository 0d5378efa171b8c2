package main

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"airbridge/invite"
)

// inviteCmd checks an invitation as a gate without a network does: from the
// operation's public key alone (GET /api/invitations/key). Offline it cannot
// know whether the invitation was used or revoked.
func (env *environment) inviteCmd(args []string) error {
	const synopsis = "invite verify --key BASE64 --gate GATE [--at RFC3339] [--early 30m] [--late 1h] [--invitation TEXT]"
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintf(env.stderr, "Usage: airbridge %s\n", synopsis)
		return exitError(2)
	}
	fs := env.flags("invite verify", synopsis+"\n\nThe invitation is --invitation, or else read from stdin. Prints the verdict as JSON; exits 0 only on admit.")
	text := fs.String("invitation", "", "the invitation's text form (default: read from stdin)")
	keyText := fs.String("key", env.getenv("AIRBRIDGE_INVITATION_KEY"), "the operation's Ed25519 public key, base64 (env AIRBRIDGE_INVITATION_KEY)")
	gate := fs.String("gate", "", "the gate the invitation is shown at")
	at := fs.String("at", "", "the time of the check (RFC 3339); default now")
	early := fs.Duration("early", 30*time.Minute, "admit this long before the window opens (the policy's early_minutes)")
	late := fs.Duration("late", time.Hour, "admit this long after the window closes (the policy's late_minutes)")
	if err := env.parse(fs, args[1:]); err != nil {
		return err
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(*keyText))
	if err != nil || len(key) != ed25519.PublicKeySize {
		return fmt.Errorf("--key: give the operation's Ed25519 public key in base64, as GET /api/invitations/key answers it")
	}
	if *gate == "" {
		return fmt.Errorf("--gate: name the gate the invitation is shown at")
	}
	now := time.Now().UTC()
	if *at != "" {
		if now, err = time.Parse(time.RFC3339, *at); err != nil {
			return fmt.Errorf("--at %q: not an RFC 3339 time such as 2021-08-24T10:00:00Z", *at)
		}
	}
	if *early < 0 || *late < 0 {
		return fmt.Errorf("--early and --late must not be negative")
	}
	if *text == "" {
		b, err := io.ReadAll(io.LimitReader(env.stdin, 64<<10))
		if err != nil {
			return fmt.Errorf("read the invitation: %w", err)
		}
		*text = string(b)
	}
	inv, result, reason := invite.Check(strings.TrimSpace(*text), ed25519.PublicKey(key), *gate, now, *early, *late)
	out := map[string]any{"result": result, "reason": reason}
	if result != invite.Forged {
		out["invitation_id"] = invite.ID(strings.TrimSpace(*text))
		out["group_id"], out["persons"], out["gate"] = inv.Group, len(inv.Persons), inv.Gate
		out["window_start"], out["window_end"] = inv.Start, inv.End
	}
	b, _ := json.Marshal(out)
	fmt.Fprintf(env.stdout, "%s\n", b)
	if result != invite.Admit {
		return exitError(1)
	}
	return nil
}
