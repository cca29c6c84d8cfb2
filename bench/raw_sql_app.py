"""The baseline of bench/api_benchmark.py: a bare WSGI app, one psycopg query a request, JSON built by PostgreSQL.

No Django, no auth, no middleware: the fastest the database can hand out the same documents.
Routes: /detail/<plan id>, /list/<member code>, /year/<year>.
"""

import os

import psycopg

LINE = """json_build_object('category', l.category, 'item', l.item, 'unit', l.unit,
  'baseline_capacity', l.baseline_capacity::text, 'target_capacity', l.target_capacity::text,
  'target_year', l.target_year, 'stockpile_current', l.stockpile_current::text,
  'stockpile_target', l.stockpile_target::text, 'planned_investment', l.planned_investment::text,
  'funding', l.funding, 'priority', l.priority, 'bottleneck', l.bottleneck, 'notes', l.notes)"""
PARTNERSHIP = """json_build_object('kind', s.kind, 'partner_name', s.partner_name, 'description', s.description,
  'value', s.value::text, 'status', s.status,
  'partner_members', COALESCE((SELECT json_agg(pm.code ORDER BY pm.code) FROM plans_partnership_partner_members t
     JOIN members_member pm ON pm.id = t.member_id WHERE t.partnership_id = s.id), '[]'))"""
SUMMARY = """'id', p.id, 'cycle', c.year, 'member', m.code, 'member_name', m.name, 'status', p.status,
  'revision', p.revision, 'defence_expenditure', p.defence_expenditure::text,
  'equipment_expenditure', p.equipment_expenditure::text, 'personnel_expenditure', p.personnel_expenditure::text,
  'infrastructure_expenditure', p.infrastructure_expenditure::text, 'other_expenditure', p.other_expenditure::text,
  'gdp', p.gdp::text, 'currency', p.currency, 'military_personnel', p.military_personnel, 'summary', p.summary,
  'nil_return', p.nil_return, 'nil_return_reason', p.nil_return_reason,
  'spending_pct_gdp', round(p.defence_expenditure / NULLIF(p.gdp, 0) * 100, 2)::text,
  'deadline', COALESCE((SELECT e.deadline FROM plans_deadlineextension e WHERE e.cycle_id = c.id
     AND e.member_id = m.id), c.deadline), 'created_at', p.created_at, 'updated_at', p.updated_at"""
CONTENT = f"""'lines', COALESCE((SELECT json_agg({LINE} ORDER BY l.position, l.id) FROM plans_capabilityline l
     WHERE l.plan_id = p.id), '[]'),
  'partnerships', COALESCE((SELECT json_agg({PARTNERSHIP} ORDER BY s.position, s.id) FROM plans_partnership s
     WHERE s.plan_id = p.id), '[]')"""
FROM = "FROM plans_plan p JOIN plans_cycle c ON c.id = p.cycle_id JOIN members_member m ON m.id = p.member_id"

QUERIES = {
    "detail": f"SELECT json_build_object({SUMMARY}, {CONTENT})::text {FROM} WHERE p.id = %s",
    "list": f"""SELECT json_build_object('count', count(*),
          'results', COALESCE(json_agg(x.doc ORDER BY x.year DESC), '[]'))::text
        FROM (SELECT c.year, json_build_object({SUMMARY}) AS doc {FROM} WHERE m.code = %s) x""",
    "year": f"""SELECT json_build_object('count', count(*),
          'results', COALESCE(json_agg(x.doc ORDER BY x.code), '[]'))::text
        FROM (SELECT m.code, json_build_object({SUMMARY}, {CONTENT}) AS doc {FROM} WHERE c.year = %s) x""",
}

_connection = None


def _cursor():
    global _connection
    if _connection is None or _connection.closed:
        url = os.environ["BASELINE_DATABASE_URL"]
        _connection = psycopg.connect(url, autocommit=True, prepare_threshold=0)
    return _connection.cursor()


def application(environ, start_response):
    parts = environ.get("PATH_INFO", "").strip("/").split("/")
    if len(parts) != 2 or parts[0] not in QUERIES:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    kind, argument = parts
    with _cursor() as cursor:
        cursor.execute(QUERIES[kind], (int(argument) if kind != "list" else argument,))
        row = cursor.fetchone()
    if row is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    body = row[0].encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
