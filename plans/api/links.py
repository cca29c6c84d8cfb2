"""OpenAPI links of the plans API: from a plan (or a page of them) to what can be done with it next."""

from core.api.schema import LinkTable, add_links

ETAG = "$response.header.ETag"


def _plan(plan_id: str, *, etag: bool) -> dict[str, tuple[str, dict[str, str]]]:
    """What a response naming a plan leads to; the writes need the plan's ETag as If-Match."""
    links = {
        "GetPlan": ("plans_retrieve", {"path.id": plan_id}),
        "SubmitPlan": ("plans_submit", {"path.id": plan_id}),
        "ListVersions": ("plans_versions_list", {"path.id": plan_id}),
        "ListComments": ("plans_comments_list", {"path.id": plan_id}),
        "AddComment": ("plans_comments_create", {"path.id": plan_id}),
        "ReviewPlan": ("plans_review", {"path.id": plan_id}),
    }
    if etag:
        links["ChangePlan"] = ("plans_partial_update", {"path.id": plan_id, "header.If-Match": ETAG})
        links["ReplacePlan"] = ("plans_update", {"path.id": plan_id, "header.If-Match": ETAG})
    return links


PLAN_ID = "$response.body#/id"
PATH_ID = "$request.path.id"

LINKS: LinkTable = {
    "plans_create": {"201": _plan(PLAN_ID, etag=True)},
    "plans_retrieve": {"200": _plan(PLAN_ID, etag=True)},
    "plans_update": {"200": _plan(PLAN_ID, etag=True)},
    "plans_partial_update": {"200": _plan(PLAN_ID, etag=True)},
    "plans_list": {"200": _plan("$response.body#/results/0/id", etag=False)},
    "plans_submit": {
        "201": {
            **_plan("$response.body#/plan", etag=True),
            "GetVersion": (
                "plans_versions_retrieve",
                {"path.id": "$response.body#/plan", "path.number": "$response.body#/version"},
            ),
        }
    },
    "plans_versions_list": {
        "200": {
            "GetVersion": (
                "plans_versions_retrieve",
                {"path.id": PATH_ID, "path.number": "$response.body#/results/0/number"},
            )
        }
    },
    "plans_review": {"200": _plan("$response.body#/plan", etag=False)},
    "plans_comments_create": {"201": {"ListComments": ("plans_comments_list", {"path.id": PATH_ID})}},
    "cycles_list": {"200": {"GetCycle": ("cycles_retrieve", {"path.year": "$response.body#/results/0/year"})}},
}


def plan_links(result, generator, request, public):
    """drf-spectacular postprocessing hook."""
    return add_links(result, LINKS)
