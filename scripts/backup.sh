#!/usr/bin/env bash
# Back up the service into a new directory: the PostgreSQL database (pg_dump, custom format),
# the media files when they are on local disk (MEDIA_STORAGE=local), and a manifest (row counts
# of every table, checksums). Restore with scripts/restore.sh; docs/operations.md explains both.
#
#   DATABASE_URL=postgres://user:pw@host:5432/plans scripts/backup.sh /backups/plans-$(date -u +%Y%m%dT%H%MZ)
#
# Run it where manage.py runs (same variables: DATABASE_URL, VAR_DIR, MEDIA_STORAGE...), e.g.
# `docker compose exec web scripts/backup.sh /var/lib/plans/backups/NAME`.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:?usage: scripts/backup.sh DIRECTORY (created; must not exist yet)}
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database to back up}"
[[ $DATABASE_URL == postgres://* || $DATABASE_URL == postgresql://* ]] \
  || { echo "backup.sh: DATABASE_URL is not a postgres:// URL" >&2; exit 2; }
[[ ! -e $out ]] || { echo "backup.sh: $out already exists" >&2; exit 2; }
PYTHON=${PYTHON:-$( [[ -x .venv/bin/python ]] && echo .venv/bin/python || echo python )}
manage() { "$PYTHON" manage.py "$@"; }

mkdir -p "$out"
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# One consistent snapshot of the database, whatever runs meanwhile. Custom format: compressed,
# and pg_restore can restore it in parallel or table by table.
pg_dump --format=custom --no-owner --no-privileges --file "$out/db.dump" "$DATABASE_URL"

# Row counts, for the restore to compare. Taken just after the dump: on a quiet service (or in
# the drill) they are the dump's; under traffic the newest tables may differ by a few rows.
manage table_counts >"$out/counts.txt"

storage=$(manage shell -c "from django.conf import settings; print(settings.STORAGES['default']['BACKEND'])" | tail -1)
media_root=$(manage shell -c "from django.conf import settings; print(settings.MEDIA_ROOT)" | tail -1)
if [[ $storage == django.core.files.storage.FileSystemStorage ]]; then
  if [[ -d $media_root ]]; then
    tar -C "$media_root" -czf "$out/media.tar.gz" .
  else
    tar -czf "$out/media.tar.gz" --files-from /dev/null
  fi
  media="media.tar.gz (from $media_root)"
else
  # An object-storage bucket is backed up by the bucket itself (versioning, replication);
  # see docs/operations.md.
  media="in the object-storage bucket (not in this backup)"
fi

{
  echo "started: $started"
  echo "finished: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "media: $media"
  (cd "$out" && sha256sum db.dump counts.txt $( [[ -f media.tar.gz ]] && echo media.tar.gz ))
} >"$out/MANIFEST"
echo "backup written to $out"
cat "$out/MANIFEST"
