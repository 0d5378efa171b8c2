// airbridge pages: plain JavaScript over the JSON API, no build step.
// Every change goes through the API with the session's CSRF token and a
// fresh Idempotency-Key; live parts refetch when the event stream moves.
"use strict";

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

// api sends one request and returns {ok, status, body}.
async function api(method, path, body) {
  const headers = { "X-CSRF-Token": csrf(), "Idempotency-Key": newKey() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  return { ok: res.ok, status: res.status, body: data };
}

function say(el, text, ok) {
  if (!el) return;
  el.textContent = text;
  el.classList.toggle("ok", ok === true);
  el.classList.toggle("bad", ok === false);
}

function message(r) {
  return (r.body && r.body.message) || ("the server answered " + r.status);
}

// Login.
const login = document.getElementById("login");
if (login) {
  login.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const fb = login.querySelector("[data-feedback]");
    say(fb, "Logging in…");
    const r = await api("POST", "/api/login", { user: login.user.value, password: login.password.value });
    if (!r.ok) { say(fb, message(r), false); login.password.select(); return; }
    location.assign(login.dataset.next || "/ui/");
  });
}

const logout = document.getElementById("logout");
if (logout) {
  logout.addEventListener("click", async () => {
    await api("POST", "/api/logout");
    location.assign("/ui/login");
  });
}

// Forms that call the API: data-api="METHOD /path"; named fields become
// the JSON body (number inputs as numbers), the pressed button's name and
// value too.
document.addEventListener("submit", async (ev) => {
  const form = ev.target;
  if (!form.dataset || !form.dataset.api) return;
  ev.preventDefault();
  const [method, path] = form.dataset.api.split(" ");
  const body = {};
  for (const el of form.elements) {
    if (!el.name || el.type === "submit" || el.disabled || el.value === "") continue;
    body[el.name] = el.type === "number" ? Number(el.value) : el.value;
  }
  const button = ev.submitter;
  if (button && button.name) body[button.name] = button.value;
  let fb = form.querySelector("[data-feedback]");
  if (!fb) {
    fb = document.createElement("span");
    fb.className = "feedback";
    fb.setAttribute("role", "status");
    form.append(" ", fb);
  }
  for (const b of form.querySelectorAll("button")) b.disabled = true;
  const r = await api(method, path, body);
  for (const b of form.querySelectorAll("button")) b.disabled = false;
  if (!r.ok) { say(fb, message(r), false); return; }
  say(fb, "Done.", true);
  if (form.hasAttribute("data-reload")) setTimeout(() => location.reload(), 300);
});

// Live parts: refetch data-live when the ledger moves (at most every
// 250 ms), and every 30 s for what the clock changes.
const eventTypes = ["ledger", "operation_configured", "site_added", "site_updated", "group_registered",
  "person_registered", "person_regrouped", "person_called", "person_call_cancelled", "person_at_gate",
  "person_screened", "person_staged", "person_manifested", "person_offloaded", "person_boarded", "person_no_show",
  "person_departed", "person_arrived", "flight_scheduled", "flight_boarding", "flight_closed", "flight_departed",
  "flight_arrived", "flight_cancelled", "manifest_published", "standby_set", "load_alert_raised", "load_alert_cleared"];
for (const live of document.querySelectorAll("[data-live]")) {
  let pending = null;
  const refresh = async () => {
    pending = null;
    live.setAttribute("aria-busy", "true");
    try {
      const res = await fetch(live.dataset.live, { credentials: "same-origin" });
      if (res.ok) live.innerHTML = await res.text();
    } finally {
      live.setAttribute("aria-busy", "false");
    }
  };
  const soon = () => { if (!pending) pending = setTimeout(refresh, 250); };
  const stream = new EventSource("/api/events/stream");
  for (const t of eventTypes) stream.addEventListener(t, soon);
  stream.onopen = () => document.body.setAttribute("data-stream", "open");
  stream.onerror = () => document.body.setAttribute("data-stream", "retrying");
  setInterval(refresh, 30000);
}

// Gate desk: a complete MRZ goes as soon as it is in; Ctrl+Enter sends what
// is typed (a document number, say).
const gate = document.getElementById("gate-scan");
if (gate) {
  const mrz = gate.querySelector("#mrz");
  const fb = document.getElementById("gate-feedback");
  const card = document.getElementById("gate-person");
  const complete = (text) => {
    const lines = text.split(/\r?\n|\r/).map((l) => l.trim()).filter((l) => l);
    const n = lines.length, len = n ? lines[0].length : 0;
    return (n === 2 && (len === 44 || len === 36) && lines[1].length === len) || (n === 3 && len === 30 && lines.every((l) => l.length === 30));
  };
  let sending = false; // a scanner's trailing Enter must not send the scan again
  const send = async () => {
    const text = mrz.value.trim();
    if (!text || sending) return;
    sending = true;
    mrz.value = "";
    const body = { site: gate.site.value };
    if (/[\r\n]/.test(text) || text.includes("<")) body.mrz = text; else body.document = text;
    say(fb, "Checking…");
    const r = await api("POST", "/api/scans", body);
    if (!r.ok) {
      say(fb, "✗ " + message(r), false);
      card.textContent = "";
    } else {
      const p = r.body.person || {};
      say(fb, "✓ " + (p.id || "") + " recorded: " + String(p.stage || "").replace("_", " ") + (r.body.called_forward ? " (called forward)" : ""), true);
      const res = await fetch("/ui/persons/" + encodeURIComponent(p.id) + "/card", { credentials: "same-origin" });
      card.innerHTML = res.ok ? await res.text() : "";
    }
    sending = false;
    mrz.focus();
  };
  gate.addEventListener("submit", (ev) => { ev.preventDefault(); send(); });
  mrz.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); send(); }
  });
  mrz.addEventListener("input", () => { if (complete(mrz.value)) send(); });
}

// Manifest desk: propose, review, publish.
const propose = document.getElementById("propose");
if (propose) {
  const publish = document.getElementById("publish");
  const fb = document.getElementById("propose-feedback");
  const out = document.getElementById("proposal");
  let proposal = null;
  propose.addEventListener("click", async () => {
    say(fb, "Proposing…");
    publish.disabled = true;
    const r = await api("POST", "/api/manifests/propose", {});
    if (!r.ok) { say(fb, message(r), false); return; }
    proposal = r.body;
    const flights = proposal.flights || [];
    out.textContent = "";
    const table = document.createElement("table");
    table.id = "proposal-table";
    table.innerHTML = "<caption></caption><thead><tr><th scope='col'>Flight</th><th scope='col'>Load</th><th scope='col'>Seats</th><th scope='col'>Groups added</th><th scope='col'>Standby</th></tr></thead><tbody></tbody>";
    table.querySelector("caption").textContent = flights.length + " flights; objective " + proposal.objective + ", gap " + (100 * (proposal.gap || 0)).toFixed(2) + "%";
    const tbody = table.querySelector("tbody");
    for (const f of flights) {
      const tr = document.createElement("tr");
      for (const v of [f.flight_id, f.load, f.seats, (f.added || []).join(", ") || "—", (f.standby || []).join(", ") || "—"]) {
        const td = document.createElement("td");
        td.textContent = v;
        tr.append(td);
      }
      tbody.append(tr);
    }
    out.append(table);
    say(fb, "Review the proposal, then publish it.", true);
    publish.disabled = flights.length === 0;
  });
  publish.addEventListener("click", async () => {
    if (!proposal) return;
    const body = { flights: (proposal.flights || []).map((f) => ({ flight_id: f.flight_id, groups: f.groups || [], standby: f.standby || [] })) };
    publish.disabled = true;
    const r = await api("POST", "/api/manifests/publish", body);
    if (!r.ok) { say(fb, message(r), false); publish.disabled = false; return; }
    say(fb, "Published.", true);
    setTimeout(() => location.reload(), 500);
  });
}

// The movement form: a sortie flies out of theatre on an aircraft; a road or
// air move goes to a site.
const mode = document.getElementById("mv-mode");
if (mode) {
  const fit = () => {
    const sortie = mode.value === "sortie";
    for (const id of ["mv-aircraft", "mv-sorties"]) document.getElementById(id).disabled = !sortie;
    document.getElementById("mv-to").disabled = sortie;
  };
  mode.addEventListener("change", fit);
  fit();
}
