package invite

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"
)

// What a gate makes of an invitation from its text and the public key alone.
// A gate online also learns whether it was used or revoked.
const (
	Admit     = "admit"
	WrongGate = "wrong_gate"
	Early     = "early"
	Late      = "late"
	Forged    = "forged"
)

// Check is the offline check of text shown at gate at now: Forged unless it
// verifies under key; WrongGate if it is for another gate; Early before
// early ahead of its window, Late after late past it; else Admit. It
// returns the invitation (zero when forged), the result and its reason in
// words.
func Check(text string, key ed25519.PublicKey, gate string, now time.Time, early, late time.Duration) (Invitation, string, string) {
	inv, err := Verify(text, key)
	switch {
	case errors.Is(err, ErrForged):
		return Invitation{}, Forged, "the signature does not verify: altered, or not signed with this key"
	case err != nil:
		return Invitation{}, Forged, "not an invitation: " + err.Error()
	case inv.Gate != gate:
		return inv, WrongGate, fmt.Sprintf("the invitation is for gate %s", inv.Gate)
	case now.Before(inv.Start.Add(-early)):
		return inv, Early, fmt.Sprintf("the window opens at %s", inv.Start.Format(time.RFC3339))
	case now.After(inv.End.Add(late)):
		return inv, Late, fmt.Sprintf("the window closed at %s", inv.End.Format(time.RFC3339))
	}
	return inv, Admit, fmt.Sprintf("admit %d persons of group %s", len(inv.Persons), inv.Group)
}
