package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserWithdrawal: a planner of the USA opens the nato-2021 plan,
// records a sortie and a road move through the page's form, sees them in
// the movements and the slippage as of another day; a security move below a
// base's floor is refused with the reason on the page. At 1024 px and 1920 px.
func TestBrowserWithdrawal(t *testing.T) {
	w := newBrowserWorld(t)
	w.exec(adoptNATO(t, "W1"))

	b := w.tab("withdrawal")
	b.login("planner.usa")
	b.do("open the plans", chromedp.Navigate(w.url+"/ui/withdrawals"), chromedp.WaitVisible(chromedp.CSS("#plans")))
	if got := b.text("#plans tbody"); !strings.Contains(got, "W1 nato-2021") || !strings.Contains(got, "36") {
		t.Errorf("plans: %q", got)
	}
	b.do("open W1", chromedp.Click(chromedp.CSS(`#plans a[href="/ui/withdrawals/W1"]`)), chromedp.WaitVisible(chromedp.CSS("#record")))
	nations, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#mv-nation option"), o => o.value)`))
	if err != nil || strings.Join(nations, ",") != "USA" {
		t.Errorf("a planner of the USA may record for %q (%v), want USA only", nations, err)
	}
	b.shot("plan-1024")

	record := func(what string, fields map[string]string, mode string) {
		t.Helper()
		steps := []chromedp.Action[chromedp.Void]{chromedp.SetValue(chromedp.CSS("#mv-mode"), mode),
			chromedp.Evaluate[chromedp.Void](`document.getElementById("mv-mode").dispatchEvent(new Event("change"))`)}
		for id, v := range fields {
			steps = append(steps, chromedp.SetValue(chromedp.CSS("#"+id), v))
		}
		steps = append(steps, chromedp.Click(chromedp.CSS(`#record button[type="submit"]`)))
		b.do(what, steps...)
	}
	record("record a sortie", map[string]string{"mv-date": "2021-04-24", "mv-from": "HKIA", "mv-aircraft": "C-17", "mv-sorties": "1", "mv-personnel": "50"}, "sortie")
	b.waitText("#movements tbody", "50 (0)", 10*time.Second)
	if got := b.text("#movements tbody tr"); !strings.Contains(got, "out of theatre") || !strings.Contains(got, "sortie C-17 ×1") || !strings.Contains(got, "planner.usa") {
		t.Errorf("the sortie recorded: %q", got)
	}
	// A road move: the sortie's fields are off, the destination on.
	record("record a road move", map[string]string{"mv-date": "2021-04-25", "mv-from": "BAF", "mv-to": "HKIA", "mv-personnel": "40"}, "road")
	b.waitText("#movements tbody", "BAF", 10*time.Second)
	// Security below Bagram's floor of 400 while others remain: refused,
	// the reason said, nothing recorded.
	record("record security leaving Bagram", map[string]string{"mv-date": "2021-04-26", "mv-from": "BAF", "mv-to": "HKIA", "mv-personnel": "250", "mv-security": "250"}, "road")
	b.waitText("#record [data-feedback]", "below its floor of 400", 10*time.Second)
	if rows := b.text("#movements tbody"); strings.Count(rows, "planner.usa") != 2 {
		t.Errorf("after a refusal the movements are %q", rows)
	}

	// As of the day the plan has the USA out, with only these recorded, it
	// is behind: the plan flies it out in its last days, and at that pace
	// it would be out within its deadline of 10 September.
	b.do("as of 31 August", chromedp.SetValue(chromedp.CSS("#as-of"), "2021-08-31"), chromedp.Click(chromedp.CSS(`#as-of-form button`)))
	b.waitText("#nations caption", "as of 2021-08-31", 10*time.Second)
	if row := b.text(`#nations tr[data-nation="USA"]`); !strings.Contains(row, "behind") || !strings.Contains(row, "2450 / 0") {
		t.Errorf("USA as of 31 August: %q", row)
	}
	if behind := b.text("#behind"); behind == "0" {
		t.Errorf("%s nations behind as of 31 August", behind)
	}
	b.do("a wall screen", chromedp.EmulateViewport(1920, 1080))
	b.shot("plan-1920")
}
