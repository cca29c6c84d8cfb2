# The production image: the app under gunicorn; the same image runs the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VAR_DIR=/var/lib/plans

WORKDIR /app
# pg_dump and pg_restore for scripts/backup.sh and scripts/restore.sh (Debian's 15, as the database).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 1000 --home-dir /app plans \
    && mkdir -p /var/lib/plans \
    && chown plans /var/lib/plans

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files are collected at build time; the key below only lets settings load for that step.
RUN SECRET_KEY=collectstatic-only DEBUG=false python manage.py collectstatic --no-input -v0 \
    && chown -R plans /var/lib/plans

USER plans
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
