#!/usr/bin/python3
"""SimPy 3 reference model of an evacuation airport pipeline.

Cross-checks the Go simulator.  Usage:

    /usr/bin/python3 reference.py SCENARIO.json --seed N [--days D]

Prints one line of JSON to stdout.  Semantics (times in minutes, day = 1440):

* Arrivals: in hour h of day d groups arrive as a Poisson process of rate
  per_day[d] * profile[h mod 24] / sum(profile) / mean_group_size per hour.
  Size from the group_size weights (sizes 1, 2, 3 ...), nation from the
  shares; all members arrive at the same instant.
* Gates: a group picks the gate with the fewest persons waiting or in
  service (ties: first listed); its members join that gate's FIFO queue one
  by one, in group order, and are served by one of `lanes` servers (exp or
  fixed service time per person).  Gate wait = arrival -> start of service.
* Holding: after service the person enters holding; if it is full the person
  waits FIFO for room, keeping its lane and still counted at the gate.
* A group is ready when all its members are in holding; ready groups queue
  FIFO by ready time (ties: arrival order).
* Flights: generator g, day d, n = per_day[d]: departures at
  d*1440 + (k+0.5)*1440/n.  A flight scans the ready FIFO of its nation from
  the front, boards each group that fits whole in the remaining seats, skips
  those that do not, stops when full or at the end, and leaves at once.
* Run for days*1440 minutes; events at exactly the end are not run.
  left_behind = persons arrived - evacuated.
* One random.Random(seed); all draws are made by the arrival process, in
  this order per group: inter-arrival gap, size, nation, service time of
  each member in group order.
"""
import argparse
import json
import math
import random
import sys
import time

import simpy

DAY = 1440.0


class ScenarioError(Exception):
    pass


def _obj(value, where, required):
    """Check value is an object with exactly the keys in required."""
    if not isinstance(value, dict):
        raise ScenarioError("%s: want an object" % where)
    for key in value:
        if key not in required:
            raise ScenarioError("%s: unknown key %r" % (where, key))
    for key in required:
        if key not in value:
            raise ScenarioError("%s: missing key %r" % (where, key))
    return value


def _num(value, where, integer=False, minimum=0.0, positive=False):
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if not ok or isinstance(value, bool) or not math.isfinite(value):
        raise ScenarioError("%s: want %s" % (where, "an integer" if integer else "a number"))
    if value < minimum or (positive and value <= 0):
        raise ScenarioError("%s: %r out of range" % (where, value))
    return value


def _list(value, where, item, length=None):
    if not isinstance(value, list) or not value:
        raise ScenarioError("%s: want a non-empty list" % where)
    if length is not None and len(value) != length:
        raise ScenarioError("%s: want %d values, got %d" % (where, length, len(value)))
    return [item(v, "%s[%d]" % (where, i)) for i, v in enumerate(value)]


def _weights(value, where, length=None):
    w = _list(value, where, _num, length)
    if sum(w) <= 0:
        raise ScenarioError("%s: weights sum to zero" % where)
    return w


def load_scenario(path):
    try:
        with open(path) as f:
            s = json.load(f)
    except OSError as e:
        raise ScenarioError("cannot read %s: %s" % (path, e.strerror))
    except ValueError as e:
        raise ScenarioError("%s: bad JSON: %s" % (path, e))
    _obj(s, "scenario", ("name", "days", "nations", "arrivals", "gates", "holding", "flights"))
    if not isinstance(s["name"], str):
        raise ScenarioError("name: want a string")
    _num(s["days"], "days", integer=True, minimum=1)
    codes = []
    for i, n in enumerate(_list(s["nations"], "nations", lambda v, w: v)):
        _obj(n, "nations[%d]" % i, ("code", "share"))
        if not isinstance(n["code"], str) or not n["code"] or n["code"] in codes:
            raise ScenarioError("nations[%d].code: want a new non-empty string" % i)
        codes.append(n["code"])
        _num(n["share"], "nations[%d].share" % i)
    _weights([n["share"] for n in s["nations"]], "nations[].share")
    a = _obj(s["arrivals"], "arrivals", ("per_day", "profile", "group_size"))
    _list(a["per_day"], "arrivals.per_day", _num)
    _weights(a["profile"], "arrivals.profile", 24)
    _weights(a["group_size"], "arrivals.group_size")
    for i, g in enumerate(_list(s["gates"], "gates", lambda v, w: v)):
        _obj(g, "gates[%d]" % i, ("id", "lanes", "service"))
        if not isinstance(g["id"], str):
            raise ScenarioError("gates[%d].id: want a string" % i)
        _num(g["lanes"], "gates[%d].lanes" % i, integer=True, minimum=1)
        sv = _obj(g["service"], "gates[%d].service" % i, ("dist", "mean_min"))
        if sv["dist"] not in ("exp", "fixed"):
            raise ScenarioError("gates[%d].service.dist: want \"exp\" or \"fixed\"" % i)
        _num(sv["mean_min"], "gates[%d].service.mean_min" % i, positive=sv["dist"] == "exp")
    _obj(s["holding"], "holding", ("capacity",))
    _num(s["holding"]["capacity"], "holding.capacity", integer=True, minimum=1)
    if not isinstance(s["flights"], list):
        raise ScenarioError("flights: want a list (may be empty)")
    for i, fg in enumerate(s["flights"]):
        where = "flights[%d]" % i
        _obj(fg, where, ("nation", "aircraft", "seats", "per_day"))
        if fg["nation"] not in codes:
            raise ScenarioError("%s.nation: %r is not in nations" % (where, fg["nation"]))
        if not isinstance(fg["aircraft"], str):
            raise ScenarioError("%s.aircraft: want a string" % where)
        _num(fg["seats"], where + ".seats", integer=True, minimum=1)
        _list(fg["per_day"], where + ".per_day",
              lambda v, w: _num(v, w, integer=True, minimum=0))
    return s


def day_value(per_day, d):
    """per_day[d], the last value repeating past the end."""
    return per_day[min(d, len(per_day) - 1)]


def pick(rng, weights, total):
    """Index drawn with probability weights[i]/total (one rng.random())."""
    u = rng.random() * total
    for i, w in enumerate(weights):
        u -= w
        if u < 0 and w > 0:
            return i
    return max(i for i, w in enumerate(weights) if w > 0)  # rounding at the top


class Group:
    def __init__(self, seq, t, nation, size):
        self.seq, self.t, self.nation, self.size = seq, t, nation, size
        self.in_holding = 0
        self.ready_at = None


class Model:
    def __init__(self, s, seed, days):
        self.s, self.days = s, days
        self.rng = random.Random(seed)
        self.env = simpy.Environment()
        self.lanes = [simpy.Resource(self.env, capacity=g["lanes"]) for g in s["gates"]]
        self.at_gate = [0] * len(s["gates"])  # persons waiting or in service
        self.holding = simpy.Container(self.env, capacity=s["holding"]["capacity"])
        self.ready = {n["code"]: [] for n in s["nations"]}  # per-nation ready FIFOs
        self.arrived = 0
        self.evacuated = 0
        self.flights = 0
        self.per_day = [0] * days
        self.wait_sum = 0.0
        self.started = 0

    def run(self):
        self.env.process(self.arrivals())
        self.env.process(self.departures())
        t0 = time.perf_counter()
        self.env.run(until=self.days * DAY)
        return time.perf_counter() - t0

    def arrivals(self):
        a, rng, env = self.s["arrivals"], self.rng, self.env
        sizes = a["group_size"]
        wsum = float(sum(sizes))
        mean_size = sum((i + 1) * w for i, w in enumerate(sizes)) / wsum
        psum = float(sum(a["profile"]))
        shares = [n["share"] for n in self.s["nations"]]
        ssum = float(sum(shares))
        seq = 0
        for hour in range(self.days * 24):
            per_hour = day_value(a["per_day"], hour // 24) * a["profile"][hour % 24] / psum
            rate = per_hour / mean_size / 60.0  # groups per minute
            if rate <= 0:
                continue
            t, end = hour * 60.0, (hour + 1) * 60.0
            while True:
                t += rng.expovariate(rate)
                if t >= end:
                    break  # memoryless: restart the next hour at its start
                yield env.timeout(t - env.now)
                size = pick(rng, sizes, wsum) + 1
                nation = self.s["nations"][pick(rng, shares, ssum)]["code"]
                group = Group(seq, env.now, nation, size)
                seq += 1
                self.arrived += size
                gi = min(range(len(self.at_gate)), key=lambda i: (self.at_gate[i], i))
                self.at_gate[gi] += size
                service = self.s["gates"][gi]["service"]
                for _ in range(size):
                    st = (rng.expovariate(1.0 / service["mean_min"])
                          if service["dist"] == "exp" else float(service["mean_min"]))
                    env.process(self.person(group, gi, st))

    def person(self, group, gi, service_time):
        env = self.env
        with self.lanes[gi].request() as req:
            yield req
            self.wait_sum += env.now - group.t
            self.started += 1
            yield env.timeout(service_time)
            yield self.holding.put(1)  # keeps the lane while holding is full
        self.at_gate[gi] -= 1
        group.in_holding += 1
        if group.in_holding == group.size:
            group.ready_at = env.now
            fifo = self.ready[group.nation]
            i = len(fifo)  # keep (ready_at, arrival order) order on ties
            while i > 0 and fifo[i - 1].ready_at == env.now and fifo[i - 1].seq > group.seq:
                i -= 1
            fifo.insert(i, group)

    def departures(self):
        env = self.env
        sched = []
        for g, fg in enumerate(self.s["flights"]):
            for d in range(self.days):
                n = day_value(fg["per_day"], d)
                for k in range(n):
                    sched.append((d * DAY + (k + 0.5) * DAY / n, g))
        sched.sort()  # same instant: generator order
        for t, g in sched:
            if t >= self.days * DAY:
                break
            yield env.timeout(t - env.now)
            self.board(self.s["flights"][g])

    def board(self, fg):
        fifo = self.ready[fg["nation"]]
        free = fg["seats"]
        stay = []
        for i, group in enumerate(fifo):
            if free == 0:
                stay.extend(fifo[i:])
                break
            if group.size <= free:
                free -= group.size
            else:
                stay.append(group)
        fifo[:] = stay
        boarded = fg["seats"] - free
        self.flights += 1
        if boarded:
            self.holding.get(boarded)
            self.evacuated += boarded
            self.per_day[int(self.env.now // DAY)] += boarded


def erlang_c_wq(lam, mean, c):
    """Mean wait in queue of M/M/c, lam per minute, mean service in minutes."""
    a = lam * mean
    if a >= c:
        return math.inf
    top = a ** c / math.factorial(c) * c / (c - a)
    p_wait = top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c / mean - lam)


def mmc_check(s, days, model):
    """If the scenario is an M/M/c queue, print Erlang C vs the model to stderr."""
    a, gates = s["arrivals"], s["gates"]
    per_day = [day_value(a["per_day"], d) for d in range(days)]
    if (len(gates) != 1 or gates[0]["service"]["dist"] != "exp"
            or any(w > 0 for w in a["group_size"][1:]) or len(set(a["profile"])) != 1
            or len(set(per_day)) != 1):
        return
    lam, mean, c = per_day[0] / DAY, gates[0]["service"]["mean_min"], gates[0]["lanes"]
    wq = erlang_c_wq(lam, mean, c)
    got = model.wait_sum / model.started if model.started else 0.0
    print("M/M/c: lambda=%.6g/min c=%d mean=%g rho=%.4f Erlang C Wq=%.4f min, "
          "model %.4f min (%+.2f%%)" % (lam, c, mean, lam * mean / c, wq, got,
                                        100.0 * (got - wq) / wq if wq else 0.0),
          file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description="SimPy reference model of the evacuation pipeline")
    ap.add_argument("scenario")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--days", type=int, help="override the scenario's days")
    args = ap.parse_args()
    try:
        s = load_scenario(args.scenario)
    except ScenarioError as e:
        print("reference.py: bad scenario: %s" % e, file=sys.stderr)
        return 2
    days = s["days"] if args.days is None else args.days
    if days < 1:
        print("reference.py: --days must be at least 1", file=sys.stderr)
        return 2
    model = Model(s, args.seed, days)
    seconds = model.run()
    print(json.dumps({
        "evacuated": model.evacuated,
        "flights": model.flights,
        "per_day": model.per_day,
        "mean_gate_wait_min": model.wait_sum / model.started if model.started else 0.0,
        "persons_arrived": model.arrived,
        "left_behind": model.arrived - model.evacuated,
        "seconds": round(seconds, 4),
    }))
    mmc_check(s, days, model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
