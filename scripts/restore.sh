#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database, then check it:
# checksums, every migration applied, every version's hash chain (verify_versions), and the row
# count of every table against the backup's (exactly, with --exact-counts; otherwise differences
# are printed).
#
#   DATABASE_URL=postgres://user:pw@host:5432/plans_restored scripts/restore.sh /backups/NAME [--exact-counts]
#
# Media files (local storage) are unpacked into MEDIA_ROOT (under VAR_DIR), which must be empty.
set -euo pipefail
cd "$(dirname "$0")/.."

backup=${1:?usage: scripts/restore.sh BACKUP_DIRECTORY [--exact-counts]}
exact=${2:-}
: "${DATABASE_URL:?DATABASE_URL must name the empty PostgreSQL database to restore into}"
PYTHON=${PYTHON:-$( [[ -x .venv/bin/python ]] && echo .venv/bin/python || echo python )}
manage() { "$PYTHON" manage.py "$@"; }
fail() { echo "restore.sh: $*" >&2; exit 1; }

echo "== checksums"
(cd "$backup" && grep -E '^[0-9a-f]{64}  ' MANIFEST | sha256sum --check --strict) || fail "the backup is damaged"

echo "== database"
tables=$(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
[[ $tables == 0 ]] || fail "the database is not empty ($tables tables): restore into a new one"
pg_restore --no-owner --no-privileges --exit-on-error --dbname "$DATABASE_URL" "$backup/db.dump"

if [[ -f $backup/media.tar.gz ]]; then
  echo "== media"
  media_root=$(manage shell -c "from django.conf import settings; print(settings.MEDIA_ROOT)" | tail -1)
  if [[ -d $media_root ]] && [[ -n $(ls -A "$media_root") ]]; then
    fail "MEDIA_ROOT $media_root is not empty"
  fi
  mkdir -p "$media_root"
  tar -C "$media_root" -xzf "$backup/media.tar.gz"
fi

echo "== migrations"
manage migrate --check >/dev/null || fail "the restored database lacks migrations of this code: run migrate"

echo "== versions' hash chains"
manage verify_versions

echo "== row counts"
manage table_counts >"${TMPDIR:-/tmp}/restore-counts.$$"
if diff -u "$backup/counts.txt" "${TMPDIR:-/tmp}/restore-counts.$$"; then
  echo "every table has the backup's row count ($(wc -l <"$backup/counts.txt") tables)"
  rm -f "${TMPDIR:-/tmp}/restore-counts.$$"
else
  rm -f "${TMPDIR:-/tmp}/restore-counts.$$"
  [[ $exact == --exact-counts ]] && fail "row counts differ from the backup's"
  echo "row counts differ (expected for a backup taken under traffic: counts.txt is read after the dump)"
fi
echo "restore checked"
