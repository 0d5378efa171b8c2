#!/usr/bin/env bash
# A walk through the API with curl: a family registered, called forward,
# scanned in, cleared, staged, manifested, boarded, flown out and arrived.
# Run it against "airbridge demo" (or set B to another server).
set -euo pipefail
B=${B:-http://127.0.0.1:8080}
run=${RUN:-tour-$(date +%s)}   # makes ids and idempotency keys unique per run
n=0
post() { # post PATH JSON: one command, with its own idempotency key
  n=$((n + 1))
  echo "POST $1" >&2
  curl -sS --fail-with-body -X POST "$B$1" -H "Idempotency-Key: $run-$n" -H 'Content-Type: application/json' -d "$2"
  echo
}

post /api/groups '{"id":"G-'$run'","name":"Rahimi family","nation":"DEU","persons":[
  {"id":"P-'$run'-1","surname":"Rahimi","given_names":"Farid","birth_date":"1984-03-02","sex":"M","nationality":"AFG","category":"local_staff","documents":[{"type":"passport","number":"'$run'A1"}]},
  {"id":"P-'$run'-2","surname":"Rahimi","given_names":"Laila","birth_date":"1987-11-20","sex":"F","nationality":"AFG","category":"local_staff","documents":[{"type":"passport","number":"'$run'A2"}]},
  {"id":"P-'$run'-3","surname":"Rahimi","given_names":"Omid","birth_date":"2015-06-09","sex":"M","nationality":"AFG","category":"local_staff"}]}'
post /api/groups/G-$run/call '{"gate":"north-gate","window_start":"2021-08-24T10:00:00Z","window_end":"2021-08-24T12:00:00Z"}'
post /api/scans '{"document":"'$run'A1","site":"north-gate"}'   # the gate scans the passport
post /api/scans '{"document":"'$run'A2","site":"north-gate"}'
post /api/scans '{"person_id":"P-'$run'-3","site":"north-gate"}'  # the child has no passport
for i in 1 2 3; do post /api/persons/P-$run-$i/screening '{"decision":"cleared"}'; done
for i in 1 2 3; do post /api/scans '{"person_id":"P-'$run'-'$i'","site":"pax-terminal"}'; done
post /api/flights '{"id":"F-'$run'","callsign":"GAF100","operator":"DEU","aircraft":"A400M","slot":"2021-08-24T14:00:00Z","destination":"Ramstein"}'
post /api/flights/F-$run/manifest '{"group_id":"G-'$run'"}'
post /api/flights/F-$run/boarding '{}'
post /api/flights/F-$run/board '{"group_id":"G-'$run'"}'
post /api/flights/F-$run/depart '{}'
post /api/flights/F-$run/arrive '{}'

echo "GET /api/persons/P-$run-1/history" >&2
curl -sS --fail-with-body "$B/api/persons/P-$run-1/history"; echo
echo "GET /api/pipeline" >&2
curl -sS --fail-with-body "$B/api/pipeline"; echo
