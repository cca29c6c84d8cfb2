#!/usr/bin/env bash
# Backup and restore drill: populate a database (seed_demo plus submissions with several versions
# and a built report), back it up with scripts/backup.sh, restore it into a fresh database and an
# empty media directory with scripts/restore.sh, then check every version's hash chain, the row
# count of every table and every media file's checksum.
set -euo pipefail
cd "$(dirname "$0")/../.."

base=${DATABASE_URL%/*}
source_db=${DRILL_DB_NAME:-${DATABASE_URL##*/}_drill}
target_db=${source_db}_restored
workdir=$(mktemp -d)
cleanup() {
  dropdb -h 127.0.0.1 -U postgres --if-exists "$source_db" || true
  dropdb -h 127.0.0.1 -U postgres --if-exists "$target_db" || true
  rm -rf "$workdir"
}
trap cleanup EXIT

export DEBUG=false SECRET_KEY="drill-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export ALLOWED_HOSTS=localhost EMAIL_URL=dummymail:// CELERY_TASK_ALWAYS_EAGER=true LOG_LEVEL=WARNING
export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false
unset CACHE_URL REDIS_URL MEDIA_STORAGE

for db in "$source_db" "$target_db"; do
  dropdb -h 127.0.0.1 -U postgres --if-exists "$db"
  createdb -h 127.0.0.1 -U postgres "$db"
done

echo "-- populate $source_db"
export DATABASE_URL="$base/$source_db" VAR_DIR="$workdir/source"
.venv/bin/python manage.py migrate --no-input -v0
# seed_demo refuses to run without DEBUG (it creates accounts with a published password).
DEBUG=true .venv/bin/python manage.py seed_demo >/dev/null
.venv/bin/python manage.py shell -c "
from datetime import timedelta
from django.utils import timezone
from members.actors import Actor
from members.enums import Role
from members.models import Member, User
from members.services import delegate_add
from plans import services
from plans.management.commands.seed_demo import demo_content
from plans.models import Cycle, Plan
from reports.services import report_request

cycle = Cycle.objects.get(year=timezone.now().year)
staff = Actor.for_user(User.objects.get(email='reviewer@example.org'))
# Germany's returned demo plan and six more members: submitted, returned and resubmitted,
# so that chains of three versions are restored and checked.
plans = [Plan.objects.get(cycle=cycle, member__code='DE')]
for index, code in enumerate(['BE', 'DK', 'CZ', 'RO', 'IT', 'ES']):
    member = Member.objects.get(code=code)
    user = delegate_add(actor=Actor.system(), email=f'head@{code.lower()}.example.org', member=member, role=Role.SUBMITTER).delegate.user
    plan = services.plan_create(cycle=cycle, member=member, actor=Actor.for_user(user), content=demo_content(code, index + 1)).plan
    services.plan_submit(plan=plan, actor=Actor.for_user(user))
    services.plan_start_review(plan=plan, actor=staff)
    services.plan_return(plan=plan, actor=staff, comment='Add the partnerships.', reasons=['missing_partnerships'])
    plans.append(plan)
for round_ in range(2):
    for plan in plans:
        plan.refresh_from_db()
        submitter = Actor.for_user(User.objects.get(delegate__member=plan.member, delegate__role=Role.SUBMITTER))
        content = demo_content(plan.member.code, 2 + round_)
        services.plan_update(plan=plan, actor=submitter, content=content)
        services.plan_submit(plan=plan, actor=submitter)
        if round_ == 0:
            services.plan_start_review(plan=plan, actor=staff)
            services.plan_return(plan=plan, actor=staff, comment='Figures again, please.', reasons=['inconsistent_figures'])
report = report_request(cycle=cycle, actor=staff)
report.refresh_from_db()
assert report.status == 'done', report.error
"
.venv/bin/python manage.py verify_versions

echo "-- back up"
scripts/backup.sh "$workdir/backup"

echo "-- restore into $target_db"
export DATABASE_URL="$base/$target_db" VAR_DIR="$workdir/target"
scripts/restore.sh "$workdir/backup" --exact-counts

echo "-- media files"
files() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
[[ -n $(files "$workdir/source/media") ]] || { echo "the drill made no media files"; exit 1; }
diff <(files "$workdir/source/media") <(files "$workdir/target/media")
echo "$(files "$workdir/target/media" | wc -l) media files restored with their checksums"

# The restored service answers: a version read back through the model, its chain already checked.
versions=$(.venv/bin/python manage.py shell -c "from plans.models import PlanVersion; print(PlanVersion.objects.count())" | tail -1)
[[ $versions -ge 20 ]] || { echo "expected at least 20 versions in the drill, found $versions"; exit 1; }
echo "drill passed: $versions versions restored"
