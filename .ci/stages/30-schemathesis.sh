#!/usr/bin/env bash
# API fuzzing: schemathesis against the live schema of a server on a fresh database.
# Fails on any 5xx or any response that does not match the schema.
set -euo pipefail
cd "$(dirname "$0")/../.."

PORT=${FUZZ_PORT:-8123}
DB_NAME=${FUZZ_DB_NAME:-plans_ci_fuzz}
base=${DATABASE_URL%/*}
export DATABASE_URL="$base/$DB_NAME"
export DEBUG=false SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false
export SECRET_KEY="fuzz-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export ALLOWED_HOSTS=127.0.0.1,localhost EMAIL_URL=dummymail:// CELERY_TASK_ALWAYS_EAGER=true AXES_ENABLED=false
# The fuzzer sends far more requests than a national system; throttling is tested elsewhere.
export API_THROTTLE_KEY_RATE=100000/min API_THROTTLE_USER_RATE=100000/min
workdir=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$workdir"
}
trap cleanup EXIT

dropdb -h 127.0.0.1 -U postgres --if-exists "$DB_NAME"
createdb -h 127.0.0.1 -U postgres "$DB_NAME"
.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py open_cycle 2026 --deadline 2026-06-30T23:59:59+02:00 --opens 2025-01-01T00:00:00+00:00 >/dev/null
.venv/bin/python manage.py add_delegate fuzz@ee.example.org --member EE --role submitter >/dev/null
# Cycles without a plan yet, so that creating one (POST plans/) can succeed a few times and the
# stateful phase can follow the new plan through its links; the plan that path ids are bound to;
# and a staff session (with its CSRF token) for the staff-only operations.
csrf=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
setup=$(.venv/bin/python manage.py shell -c "
from decimal import Decimal
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from members.actors import Actor
from members.models import Member, User
from plans import services
from plans.models import Cycle
for year in range(2027, 2037):
    call_command('open_cycle', str(year), deadline=f'{year}-06-30T23:59:59+02:00', opens='2025-01-01T00:00:00+00:00', stdout=open('/dev/null', 'w'))
content = {
    'defence_expenditure': Decimal('1000000.00'), 'gdp': Decimal('40000000.00'), 'currency': 'EUR',
    'lines': [{'category': 'ammunition', 'item': '155 mm shells', 'unit': 'rounds',
               'baseline_capacity': Decimal('1000'), 'target_capacity': Decimal('5000'), 'target_year': 2030}],
    'partnerships': [{'kind': 'ally', 'partner_name': 'Latvia', 'partner_members': ['LV'], 'status': 'signed'}],
}
actor = Actor.for_user(User.objects.get(email='fuzz@ee.example.org'))
cycle, member = Cycle.objects.get(year=2026), Member.objects.get(code='EE')
plan = services.plan_create(cycle=cycle, member=member, actor=actor, content=content).plan
staff = User.objects.create_superuser(email='fuzz-staff@example.org', password=None)
# Staff must pass the second step of sign-in: a confirmed authenticator, verified in this session.
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
device = TOTPDevice.objects.create(user=staff, name='fuzz', confirmed=True)
session = SessionStore()
session[SESSION_KEY], session[HASH_SESSION_KEY] = str(staff.pk), staff.get_session_auth_hash()
session[DEVICE_ID_SESSION_KEY] = device.persistent_id
# The backend that signs people in by password, as the admin's sign-in would record it.
session[BACKEND_SESSION_KEY] = next(
    path for path in settings.AUTHENTICATION_BACKENDS if isinstance(load_backend(path), ModelBackend)
)
session.create()
print(plan.pk, session.session_key)
" | tail -1)
read -r plan_id session_key <<<"$setup"
[[ $plan_id =~ ^[0-9]+$ && -n $session_key ]] || { echo "could not set up the data to fuzz: $setup"; exit 1; }
key=$(.venv/bin/python manage.py issue_api_key EE --name fuzz --scopes read,write,submit 2>/dev/null | tail -1)

# No request-line limit: gunicorn's own (4094 bytes by default, a deployment setting) answers an
# HTML 414 before the application runs; the fuzzer is here for the application's answers.
.venv/bin/gunicorn config.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 --log-level warning \
  --limit-request-line 0 \
  >"$workdir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/api/schema/" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$workdir/server.log"; exit 1; }
  sleep 0.2
done

# Most generated plan ids would be unknown (404); bind the path id to a real plan half of the
# time so that PUT, PATCH, submit, review and comments reach their logic too.
write_config() {  # plan ids, scenarios of the stateful phase
  cat >"$workdir/schemathesis.toml" <<TOML
[dictionaries.plans]
values = [$1]

[dictionaries.open_cycles]
values = [2027, 2028, 2029, 2030, 2031, 2032, 2033, 2034, 2035, 2036]

# Chains of calls are where the stateful phase finds what single calls do not: more of them.
[phases.stateful.generation]
max-examples = $2

[parameters]
"path.id" = { dictionary = "plans", probability = 0.5 }
"body.cycle" = { dictionary = "open_cycles", probability = 0.5 }

# positive_data_acceptance expects a schema-valid request to succeed. A write can be valid in
# shape and still break a rule that no schema states, and then the right answer is a 400 naming
# the field: parts above the total or a partner that is no ally (plan rules, across fields), a
# year with no cycle, a version number the plan does not have, an incomplete plan submitted, a
# return without a comment, a webhook registered for another member than the key's own (400 naming
# the member) or to an address the SSRF guard refuses (400 naming the url), a document whose bytes
# are none of the accepted kinds, a spreadsheet that is no filled template (400 naming the file).
# An Idempotency-Key the fuzzer already used with another body is 422.
# A PUT or PATCH with a well-formed ETag of another revision is stale: 412. These statuses are
# expected of these operations only; every other check stays as is.
[[operations]]
include-operation-id = ["plans_create", "plans_submit"]
checks.positive_data_acceptance.expected-statuses = ["2xx", 400, 401, 403, 404, 409, 422, 429]

[[operations]]
include-operation-id = ["plans_comments_create", "plans_review", "report_create", "webhooks_create", "plans_attachments_create"]
checks.positive_data_acceptance.expected-statuses = ["2xx", 400, 401, 403, 404, 409, 429]

# negative_data_rejection takes any of its statuses as "rejected"; 412 is one more here: a stale
# If-Match is answered before the body is read, as RFC 9110 (13.2.1) orders preconditions, so a
# malformed body sent with a stale ETag is rejected with 412. missing_required_header expects
# 400-ish statuses; a missing If-Match is what 428 Precondition Required (RFC 6585, 3) is for.
[[operations]]
include-operation-id = ["plans_update", "plans_partial_update", "plans_import"]
checks.positive_data_acceptance.expected-statuses = ["2xx", 400, 401, 403, 404, 409, 412, 429]
checks.negative_data_rejection.expected-statuses = [400, 401, 403, 404, 405, 406, 409, 412, 413, 415, 422, 428, 429]
checks.missing_required_header.expected-statuses = [400, 401, 403, 406, 415, 422, 428]
TOML
}

fuzz() {  # title, then schemathesis options
  echo "=== $1"
  shift
  # A pass is stopped after FUZZ_PASS_TIMEOUT seconds (a hung server must not hold CI).
  # One worker: hypothesis describes filters by parsing lambda sources, which under CPython 3.11
  # can fail with "AST constructor recursion depth mismatch" when several threads do it at once.
  timeout "${FUZZ_PASS_TIMEOUT:-480}" .venv/bin/st --config-file "$workdir/schemathesis.toml" run "http://127.0.0.1:$PORT/api/schema/" \
    --checks all \
    --phases examples,coverage,fuzzing,stateful \
    --workers 1 \
    --seed "${FUZZ_SEED:-1}" \
    --generation-database none \
    --request-timeout 20 \
    --no-color "$@"
}

status=0
write_config "$plan_id" "${FUZZ_STATEFUL_EXAMPLES:-150}"
fuzz "a member's national system (API key: read, write, submit)" \
  --header "Authorization: Bearer $key" --max-examples "${FUZZ_MAX_EXAMPLES:-60}" || status=$?

# Staff review plans and build reports: the operations an API key is refused, now as a signed-in
# superuser (session cookie and CSRF token), on the plans the first pass left in every state.
staff_headers=(--header "Cookie: sessionid=$session_key; csrftoken=$csrf" --header "X-CSRFToken: $csrf")
# A pass whose every answer is 401 would pass too: make sure the session signs staff in.
signed_in=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: sessionid=$session_key" "http://127.0.0.1:$PORT/api/v1/cycles/2026/compliance/")
[[ $signed_in == 200 ]] || { echo "the staff session is not signed in (compliance answered $signed_in)"; exit 1; }
plan_ids=$(psql -h 127.0.0.1 -U postgres -d "$DB_NAME" -tAc "SELECT string_agg(id::text, ',') FROM plans_plan")
# Fewer stateful scenarios: each report it requests is built at once (tasks run in process).
write_config "$plan_ids" "${FUZZ_STAFF_STATEFUL_EXAMPLES:-30}"
# ignored_auth is left out of this pass only: it replaces the credentials it knows of (the bearer
# scheme) and expects 401/403, but the session travels in the Cookie header given here, so the
# request is still signed in and 200/202 is the right answer (seen: `POST reports/` with a bogus
# `Authorization` and the session cookie, 202). The first pass runs ignored_auth on every
# operation, these included, and each answers 401 without valid credentials.
fuzz "staff (session)" \
  --exclude-checks ignored_auth \
  "${staff_headers[@]}" \
  --include-operation-id plans_review --include-operation-id cycle_compliance \
  --include-operation-id report_create --include-operation-id report_detail \
  --include-operation-id report_xlsx --include-operation-id report_pdf --include-operation-id report_csv \
  --max-examples "${FUZZ_STAFF_MAX_EXAMPLES:-20}" || status=$?

if [[ $status -ne 0 ]]; then
  echo "--- server errors"
  # JSON log lines: "level": "error" (gunicorn's own lines say [ERROR]).
  grep -iE -A40 '"level": "error"|\[ERROR\]' "$workdir/server.log" | tail -200 || true
fi
exit "$status"
