#!/usr/bin/env bash
# A walk through the API with curl: a family registered, called forward,
# scanned in, cleared, staged, manifested, boarded, held by the load guard,
# flown out on an override and arrived,
# each step by the role that does it. Run it against "airbridge demo", which
# writes its users' tokens to airbridge-demo.db.tokens (or set B and TOKENS).
set -euo pipefail
B=${B:-http://127.0.0.1:8080}
# shellcheck source=/dev/null
. "${TOKENS:-airbridge-demo.db.tokens}"
run=${RUN:-tour-$(date +%s)}   # makes ids and idempotency keys unique per run
n=0
post() { # post TOKEN PATH JSON: one command, with its own idempotency key
  n=$((n + 1))
  echo "POST $2" >&2
  curl -sS --fail-with-body -X POST "$B$2" -H "Authorization: Bearer $1" \
    -H "Idempotency-Key: $run-$n" -H 'Content-Type: application/json' -d "$3"
  echo
}
get() { # get TOKEN PATH
  echo "GET $2" >&2
  curl -sS --fail-with-body "$B$2" -H "Authorization: Bearer $1"
  echo
}

# Germany's coordinator registers a family of Afghan local staff and calls it forward.
post "$COORD" /api/groups '{"id":"G-'$run'","name":"Rahimi family","nation":"DEU","persons":[
  {"id":"P-'$run'-1","surname":"Rahimi","given_names":"Farid","birth_date":"1984-03-02","sex":"M","nationality":"AFG","category":"local_staff","documents":[{"type":"passport","number":"'$run'A1"}]},
  {"id":"P-'$run'-2","surname":"Rahimi","given_names":"Laila","birth_date":"1987-11-20","sex":"F","nationality":"AFG","category":"local_staff","documents":[{"type":"passport","number":"'$run'A2"}]},
  {"id":"P-'$run'-3","surname":"Rahimi","given_names":"Omid","birth_date":"2015-06-09","sex":"M","nationality":"AFG","category":"local_staff"}]}'
post "$COORD" /api/groups/G-$run/call '{"gate":"north-gate","window_start":"2021-08-24T10:00:00Z","window_end":"2021-08-24T12:00:00Z"}'
# A US gate agent scans them in; the joint screening cell clears them; the holding area stages them.
post "$GATE" /api/scans '{"document":"'$run'A1","site":"north-gate"}'
post "$GATE" /api/scans '{"document":"'$run'A2","site":"north-gate"}'
post "$GATE" /api/scans '{"person_id":"P-'$run'-3","site":"north-gate"}'  # the child has no passport
for i in 1 2 3; do post "$SCREEN" /api/persons/P-$run-$i/screening '{"decision":"cleared"}'; done
for i in 1 2 3; do post "$GATE" /api/scans '{"person_id":"P-'$run'-'$i'","site":"pax-terminal"}'; done
# The planner puts them on a US C-17; the US manifest officer sees what the optimizer would
# add from everyone staged, and their boarding pass.
post "$PLANNER" /api/flights '{"id":"F-'$run'","callsign":"RCH100","operator":"USA","aircraft":"C-17","slot":"2021-08-24T14:00:00Z","destination":"Ramstein"}'
post "$PLANNER" /api/flights/F-$run/manifest '{"group_id":"G-'$run'"}'
post "$MANIFEST" /api/manifests/propose '{"flights":["F-'$run'"]}'
get "$MANIFEST" /api/persons/P-$run-1/boarding-pass
# Boarding closes with 3 of 102 seats filled while cleared people wait: the load guard raises an
# alert and refuses the departure until the manifest officer overrides it with a reason.
post "$MANIFEST" /api/flights/F-$run/boarding '{}'
post "$MANIFEST" /api/flights/F-$run/board '{"group_id":"G-'$run'"}'
post "$MANIFEST" /api/flights/F-$run/close '{}'
get "$COMMANDER" /api/alerts
post "$MANIFEST" /api/flights/F-$run/depart '{}' || echo "(refused by the load guard, as it should be)" >&2
post "$MANIFEST" /api/flights/F-$run/depart '{"override":"medical evacuation, cannot wait"}'
post "$MANIFEST" /api/flights/F-$run/arrive '{}'

get "$COORD" /api/persons/P-$run-1/history     # Germany's coordinator sees the names
get "$GATE" /api/persons/P-$run-1              # a US gate agent: withheld, with the reason
get "$MANIFEST" /api/persons/P-$run-1          # the US manifest officer: on a US flight, so shown
get "$COMMANDER" /api/pipeline                 # everyone sees the counts
get "$AUDITOR" "/api/audit?outcome=denied&limit=5"
