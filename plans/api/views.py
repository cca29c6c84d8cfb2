"""The plans API: plans, submission, versions, review, comments, cycles.

Views check the request's shape and the caller's reach, call plans.services, and answer with
dicts from reads.py. Another member's plan is answered 404 (plans_visible_to), never 403.
"""

import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from core.api.base import PAGE_PARAMETERS, error_responses, paginate, paginated
from core.api.errors import PreconditionFailed, PreconditionRequired
from core.api.idempotency import PARAMETER as IDEMPOTENCY_PARAMETER
from core.api.idempotency import idempotent
from core.permissions import ADD_COMMENT, APPROVE_PLAN, CHANGE_PLAN, REVIEW_PLAN, SUBMIT_PLAN, VIEW_PLAN
from members.api.base import ApiView
from plans import services
from plans.comparison import compare
from plans.content import canonical_json, content_of, diff, plan_content, stored_rows
from plans.enums import PlanStatus
from plans.errors import IllegalTransition
from plans.imports import ImportRefused, content_from_json, read_uploaded_file
from plans.models import Cycle, Plan, PlanVersion, Recommendation, Review
from plans.selectors import SEARCH_LENGTH, comments_visible_to, plans_search

from . import reads
from .filters import PlanFilter
from .serializers import (
    CatalogueItemSerializer,
    CommentInputSerializer,
    CommentSerializer,
    CycleSerializer,
    ImportPreviewSerializer,
    PlanContentSerializer,
    PlanCreateSerializer,
    PlanImportSerializer,
    PlanListItemSerializer,
    PlanSerializer,
    ReceiptSerializer,
    ReviewInputSerializer,
    ReviewResultSerializer,
    ReviewSerializer,
    VersionDetailSerializer,
    VersionSerializer,
)

MAX_REVISION = 2_147_483_647
ETAG_HEADER = OpenApiParameter(
    "ETag", str, OpenApiParameter.HEADER, response=[200, 201], description="The plan's current ETag."
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    {"type": "string", "minLength": 1, "pattern": "\\S"},
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag of the plan as last read (`*` for any). Missing: 428; stale: 412.",
)
# Request examples: shown in the docs, and sent as they are by the fuzzer's examples phase.
CONTENT_EXAMPLE = {
    "defence_expenditure": "1000000.00",
    "equipment_expenditure": "250000.00",
    "gdp": "40000000.00",
    "currency": "EUR",
    "summary": "Ammunition first: a second 155 mm line by 2030.",
    "lines": [
        {
            "category": "ammunition",
            "item": "155 mm shells",
            "unit": "rounds",
            "baseline_capacity": "1000.00",
            "target_capacity": "5000.00",
            "target_year": 2030,
        }
    ],
    "partnerships": [{"kind": "ally", "partner_name": "Joint buy with Latvia", "partner_members": ["LV"]}],
}
CREATE_EXAMPLE = OpenApiExample("A draft with its content", value={"cycle": 2026, **CONTENT_EXAMPLE}, request_only=True)
PUT_EXAMPLE = OpenApiExample("The whole content", value=CONTENT_EXAMPLE, request_only=True)
PATCH_EXAMPLE = OpenApiExample("One figure", value={"gdp": "41000000.00"}, request_only=True)
REVIEW_EXAMPLE = OpenApiExample(
    "A return",
    value={"decision": "return", "comment": "Give the partnership's value.", "reasons": ["incomplete"]},
    request_only=True,
)
COMMENT_EXAMPLE = OpenApiExample("A comment", value={"body": "The 2030 target counts the new line."}, request_only=True)

PLAN_FILTERS = [
    OpenApiParameter("cycle", int, description="The cycle's year."),
    OpenApiParameter("member", {"type": "string", "minLength": 1}, description="A member's code, such as EE."),
    OpenApiParameter("status", str, enum=PlanStatus.values),
    OpenApiParameter(
        "ordering",
        str,
        description="cycle, member, status or updated_at; `-` first for descending.",
        enum=[f"{sign}{name}" for name in ("cycle", "member", "status", "updated_at") for sign in ("", "-")],
    ),
    OpenApiParameter("expand", str, enum=["content"], description="`content` adds lines and partnerships."),
    OpenApiParameter(
        "q",
        {"type": "string", "minLength": 1, "maxLength": SEARCH_LENGTH},
        description=(
            "Words found in the plan's summary, lines, partnerships or comments (internal comments for staff only)."
        ),
    ),
    *PAGE_PARAMETERS,
]


class PlanMixin:
    def get_plan(self, pk: int, permission: str = VIEW_PLAN) -> Plan:
        """The plan, if the caller may read it or do `permission` to it; 404 otherwise (another member's too)."""
        plan = reads.plan_for(self.actor, pk, permission)
        if plan is None:
            raise Http404
        return plan

    @staticmethod
    def reload(pk: int) -> Plan:
        # After a write the caller may lack `read` (a write-only key): reload without that filter.
        return reads.plans_for_write(pk)

    def plan_response(self, plan: Plan, *, status_code: int = 200, plan_warnings=None) -> Response:
        response = Response(reads.plan_detail(plan, plan_warnings=plan_warnings), status=status_code)
        response["ETag"] = plan.etag
        return response


def _expected_revision(request, plan: Plan) -> int | None:
    """The revision the caller read, from If-Match; None for `*`."""
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        raise PreconditionRequired()
    for tag in (part.strip() for part in header.split(",")):
        if tag == "*":
            return None
        tag = tag.removeprefix("W/")
        prefix = f'"{plan.pk}-'
        if tag.startswith(prefix) and tag.endswith('"'):
            number = tag[len(prefix) : -1]
            if number.isascii() and number.isdigit() and int(number) <= MAX_REVISION:
                return int(number)
    raise PreconditionFailed()


def _year(value: str) -> int | None:
    """The year of `?cycle=` as PlanFilter reads it, or None when its field refuses the value."""
    try:
        return PlanFilter.base_filters["cycle"].field.clean(value)
    except DjangoValidationError:
        return None


def _cycle(year: int) -> Cycle:
    cycle = Cycle.objects.filter(year=year).first()
    if cycle is None:
        raise exceptions.ValidationError({"cycle": [_("There is no cycle for %(year)s.") % {"year": year}]})
    return cycle


class PlanListView(PlanMixin, ApiView):
    @extend_schema(
        operation_id="plans_list",
        parameters=PLAN_FILTERS,
        responses={200: paginated(PlanListItemSerializer, "PaginatedPlanList"), **error_responses(400, 404)},
        tags=["plans"],
    )
    def get(self, request):
        # django-filter reads an empty value as "no filter"; a client that wrote `status=` most
        # likely meant something, so it hears that the value is missing.
        blank = {
            parameter.name: [_("Give a value or leave the parameter out.")]
            for parameter in PLAN_FILTERS
            if request.query_params.get(parameter.name) == ""
        }
        if blank:
            raise exceptions.ValidationError(blank)
        expand = request.query_params.get("expand", "")
        if expand not in ("", "content"):  # "" only when left out: given empty, it was refused above
            raise exceptions.ValidationError({"expand": [_("Use `content` or leave it out.")]})
        shaped = {"q", "ordering", *PlanFilter.base_filters} & request.query_params.keys()
        if not shaped or shaped == {"cycle"}:
            # The usual list, or a cycle's plans (a year's dump): SQL built once (reads.plan_list).
            # The year is read by the filter's own field; a value it refuses goes the filter's way,
            # which names the parameter.
            year = _year(request.query_params["cycle"]) if shaped else None
            if not shaped or year is not None:
                paginator, page = paginate(self, reads.plan_list(self.actor, year=year), request)
                return paginator.get_paginated_response(reads.plan_page(page, with_content=expand == "content"))
        queryset = reads.plans_for(self.actor)
        text = request.query_params.get("q")
        if text is not None:
            if len(text) > SEARCH_LENGTH:
                raise exceptions.ValidationError(
                    {"q": [_("Search with at most %(count)d characters.") % {"count": SEARCH_LENGTH}]}
                )
            queryset = plans_search(queryset, text=text, actor=self.actor)
        if PlanFilter.base_filters.keys() & request.query_params.keys():  # a filter set costs ~1 ms to build
            plans = PlanFilter(request.query_params, queryset=queryset)
            if not plans.is_valid():
                raise exceptions.ValidationError(plans.errors)
            queryset = plans.qs
        ordering = list(queryset.query.order_by)  # set only by an `ordering` parameter
        queryset = queryset.order_by(*(ordering or reads.DEFAULT_ORDER), "id")
        paginator, page = paginate(self, queryset, request)
        return paginator.get_paginated_response(reads.plan_page(page, with_content=expand == "content"))

    @extend_schema(
        operation_id="plans_create",
        request=PlanCreateSerializer,
        examples=[CREATE_EXAMPLE],
        parameters=[IDEMPOTENCY_PARAMETER, ETAG_HEADER],
        responses={
            201: PlanSerializer,
            **error_responses(400, 403, 409, 413, 415, 422),
        },
        tags=["plans"],
    )
    def post(self, request):
        return idempotent(request, lambda: self._create(request))

    def _create(self, request) -> Response:
        member = self.actor.member
        if member is None:
            raise exceptions.PermissionDenied(_("Only a member's delegation or API key creates its plan."))
        serializer = PlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        cycle = _cycle(data.pop("cycle"))
        copy_previous = data.pop("copy_previous")
        content = None if copy_previous and not data else data
        result = services.plan_create(
            cycle=cycle, member=member, actor=self.actor, content=content, copy_previous=copy_previous
        )
        plan = self.reload(result.plan.pk)
        response = self.plan_response(plan, status_code=status.HTTP_201_CREATED, plan_warnings=result.warnings)
        response["Location"] = request.build_absolute_uri(f"{plan.pk}/")
        return response


class PlanDetailView(PlanMixin, ApiView):
    @extend_schema(
        operation_id="plans_retrieve",
        parameters=[ETAG_HEADER],
        responses={200: PlanSerializer, **error_responses(404)},
        tags=["plans"],
    )
    def get(self, request, pk: int):
        return self.plan_response(self.get_plan(pk))

    @extend_schema(
        operation_id="plans_update",
        request=PlanContentSerializer,
        examples=[PUT_EXAMPLE],
        parameters=[IF_MATCH, ETAG_HEADER],
        responses={200: PlanSerializer, **error_responses(400, 403, 404, 409, 412, 413, 415, 428)},
        tags=["plans"],
        description="Replace the content: keys left out take their defaults; lists replace the whole list.",
    )
    def put(self, request, pk: int):
        return self._write(request, pk, partial=False)

    @extend_schema(
        operation_id="plans_partial_update",
        request=PlanContentSerializer,
        examples=[PATCH_EXAMPLE],
        parameters=[IF_MATCH, ETAG_HEADER],
        responses={200: PlanSerializer, **error_responses(400, 403, 404, 409, 412, 413, 415, 428)},
        tags=["plans"],
        description="Change the keys given; `lines` or `partnerships`, when given, replace the whole list.",
    )
    def patch(self, request, pk: int):
        return self._write(request, pk, partial=True)

    def _write(self, request, pk: int, *, partial: bool) -> Response:
        plan = self.get_plan(pk, CHANGE_PLAN)
        if not self.actor.can(CHANGE_PLAN, plan):
            raise exceptions.PermissionDenied(_("You may not write this member's plan."))
        revision = _expected_revision(request, plan)
        serializer = PlanContentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        content = dict(serializer.validated_data)
        stored = stored_rows(plan)  # read here once: the service need not read them again
        if partial:
            content = {**content_of(plan, *stored), **content}
        result = services.plan_update(
            plan=plan, actor=self.actor, content=content, expected_revision=revision, stored=stored
        )
        return self.plan_response(self.reload(result.plan.pk), plan_warnings=result.warnings)


class PlanImportView(PlanMixin, ApiView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="plans_import",
        request={"multipart/form-data": PlanImportSerializer},
        parameters=[
            IF_MATCH,
            ETAG_HEADER,
            OpenApiParameter(
                "preview",
                bool,
                description="`true`: answer the changes the file would make, and write nothing.",
            ),
        ],
        responses={
            200: PolymorphicProxySerializer(
                component_name="PlanImportResult",
                serializers=[PlanSerializer, ImportPreviewSerializer],
                resource_type_field_name=None,
            ),
            **error_responses(400, 403, 404, 409, 412, 413, 415, 428),
        },
        tags=["plans"],
        description=(
            "Upload the plan's filled spreadsheet template (or a CSV of lines). With `preview=true` the answer "
            "lists the changes and nothing is written; otherwise the changes are saved at once, all or nothing, "
            "and the plan is answered as PATCH answers it. Errors (400) name their cells under `file`, "
            "such as `Lines!F12: Enter a number.`"
        ),
    )
    def post(self, request, pk: int):
        plan = self.get_plan(pk, CHANGE_PLAN)
        if not self.actor.can(CHANGE_PLAN, plan):
            raise exceptions.PermissionDenied(_("You may not write this member's plan."))
        preview = request.query_params.get("preview", "false")
        if preview not in ("true", "false"):
            raise exceptions.ValidationError({"preview": [_("Use true or false.")]})
        revision = _expected_revision(request, plan)
        if revision is not None and revision != plan.revision:
            raise PreconditionFailed()
        serializer = PlanImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not plan.is_editable:
            raise IllegalTransition(status=plan.get_status_display().lower(), action=_("changed"))
        try:
            result = read_uploaded_file(serializer.validated_data["file"], plan=plan)
        except ImportRefused as exc:
            raise exceptions.ValidationError({"file": exc.errors}) from None
        if preview == "true":
            current = plan_content(plan)
            response = Response(
                {"changes": diff(current, result.content), "comparison": compare(current, result.content)}
            )
            response["ETag"] = plan.etag
            return response
        saved = services.plan_update(
            plan=plan,
            actor=self.actor,
            content=content_from_json(canonical_json(result.content)),
            expected_revision=revision,
        )
        return self.plan_response(self.reload(saved.plan.pk), plan_warnings=saved.warnings)


class PlanSubmitView(PlanMixin, ApiView):
    @extend_schema(
        operation_id="plans_submit",
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER, ETAG_HEADER],
        responses={201: ReceiptSerializer, **error_responses(400, 403, 404, 409, 413, 415, 422)},
        tags=["plans"],
        description="Validate the whole plan and snapshot it as the next version; answers the receipt.",
    )
    def post(self, request, pk: int):
        plan = self.get_plan(pk, SUBMIT_PLAN)
        return idempotent(request, lambda: self._submit(plan))

    def _submit(self, plan: Plan) -> Response:
        receipt = services.plan_submit(plan=plan, actor=self.actor)
        version = receipt.version
        body = {
            "plan": plan.pk,
            "status": receipt.plan.status,
            "version": version.number,
            "sha256": version.sha256,
            "previous_sha256": version.previous_sha256,
            "submitted_at": version.submitted_at,
            "deadline": version.deadline,
            "is_late": version.is_late,
            "warnings": [finding.as_dict() for finding in receipt.warnings],
        }
        response = Response(body, status=status.HTTP_201_CREATED)
        response["ETag"] = receipt.plan.etag
        return response


class VersionListView(PlanMixin, ApiView):
    @extend_schema(
        operation_id="plans_versions_list",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(VersionSerializer, "PaginatedVersionList"), **error_responses(400, 404)},
        tags=["versions"],
    )
    def get(self, request, pk: int):
        plan = self.get_plan(pk)
        paginator, page = paginate(self, reads.versions_of(plan), request)
        return paginator.get_paginated_response([reads.version_summary(version) for version in page])


class VersionDetailView(PlanMixin, ApiView):
    @extend_schema(
        operation_id="plans_versions_retrieve",
        responses={200: VersionDetailSerializer, **error_responses(404)},
        tags=["versions"],
    )
    def get(self, request, pk: int, number: int):
        plan = self.get_plan(pk)
        version = PlanVersion.objects.filter(plan=plan, number=number).select_related(
            "submitted_by", "submitted_by_key"
        )
        version = version.first()
        if version is None:
            raise Http404
        content = json.loads(version.content)["content"]
        previous = PlanVersion.objects.filter(plan=plan, number=number - 1).values_list("content", flat=True).first()
        previous_content = json.loads(previous)["content"] if previous else {}
        data = reads.version_summary(version)
        data["content"] = content
        data["changes"] = diff(previous_content, content) if previous else []
        data["comparison"] = compare(previous_content, content) if previous else []
        data["attachments"] = reads.version_attachments(version)
        return Response(data)


class PlanReviewView(PlanMixin, ApiView):
    @extend_schema(
        operation_id="plans_review",
        request=ReviewInputSerializer,
        examples=[REVIEW_EXAMPLE],
        responses={200: ReviewResultSerializer, **error_responses(400, 403, 404, 409, 413, 415)},
        tags=["review"],
        description="Staff only. `start_review`, `accept` (of a submitted plan: takes it into review first) or "
        "`return` (needs a comment, may name reasons); in a two-level cycle these are recommendations, which an "
        "approver (another person) `confirm`s or `send_back`s (needs a comment).",
    )
    def post(self, request, pk: int):
        plan = self.get_plan(pk)
        if not (self.actor.can(REVIEW_PLAN, plan) or self.actor.can(APPROVE_PLAN, plan)):
            raise exceptions.PermissionDenied(_("Only reviewers and approvers decide on plans."))
        serializer = ReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = services.plan_decide(
            plan=plan,
            actor=self.actor,
            decision=serializer.validated_data["decision"],
            comment=serializer.validated_data.get("comment", ""),
            reasons=serializer.validated_data.get("reasons", []),
        )
        review = outcome if isinstance(outcome, Review) else None
        # A confirmed recommendation is shown beside the decision it became.
        recommendation = outcome if isinstance(outcome, Recommendation) else getattr(review, "recommendation", None)
        body = {
            "plan": plan.pk,
            "status": Plan.objects.filter(pk=plan.pk).values_list("status", flat=True).first(),
            "review": reads.review_row(review) if review else None,
            "recommendation": reads.recommendation_row(recommendation) if recommendation else None,
        }
        return Response(body)


class ReviewListView(PlanMixin, ApiView):
    @extend_schema(
        operation_id="plans_reviews_list",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(ReviewSerializer, "PaginatedReviewList"), **error_responses(400, 404)},
        tags=["review"],
        description="The plan's final decisions, oldest first: version, decision, comment, reasons, who and when. "
        "Recommendations of two-level cycles are not listed until an approver confirms them.",
    )
    def get(self, request, pk: int):
        plan = self.get_plan(pk)
        paginator, page = paginate(self, reads.reviews_of(plan), request)
        return paginator.get_paginated_response([reads.review_row(review) for review in page])


class CommentListView(PlanMixin, ApiView):
    @extend_schema(
        operation_id="plans_comments_list",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(CommentSerializer, "PaginatedCommentList"), **error_responses(400, 404)},
        tags=["comments"],
    )
    def get(self, request, pk: int):
        plan = self.get_plan(pk)
        paginator, page = paginate(self, comments_visible_to(plan=plan, actor=self.actor), request)
        return paginator.get_paginated_response([reads.comment_row(comment) for comment in page])

    @extend_schema(
        operation_id="plans_comments_create",
        request=CommentInputSerializer,
        examples=[COMMENT_EXAMPLE],
        responses={201: CommentSerializer, **error_responses(400, 403, 404, 413, 415)},
        tags=["comments"],
        description="Internal comments (staff only) are never shown to the delegation.",
    )
    def post(self, request, pk: int):
        plan = self.get_plan(pk, ADD_COMMENT)
        if not self.actor.can(ADD_COMMENT, plan):
            raise exceptions.PermissionDenied(_("You may not comment on this plan."))
        serializer = CommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        number = serializer.validated_data.get("version")
        version = None
        if number is not None:
            version = PlanVersion.objects.filter(plan=plan, number=number).first()
            if version is None:
                raise exceptions.ValidationError({"version": [_("The plan has no version %(n)s.") % {"n": number}]})
        comment = services.comment_add(
            plan=plan,
            actor=self.actor,
            body=serializer.validated_data["body"],
            internal=serializer.validated_data["internal"],
            version=version,
        )
        return Response(reads.comment_row(comment), status=status.HTTP_201_CREATED)


class CatalogueView(ApiView):
    @extend_schema(
        operation_id="catalogue_list",
        responses={200: CatalogueItemSerializer(many=True)},
        tags=["catalogue"],
        description="The capability catalogue that lines pick their item from (`item_code`), retired items included.",
    )
    def get(self, request):
        return Response(reads.catalogue_rows())


class CycleListView(ApiView):
    @extend_schema(
        operation_id="cycles_list",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(CycleSerializer, "PaginatedCycleList"), **error_responses(400, 404)},
        tags=["cycles"],
    )
    def get(self, request):
        paginator, page = paginate(self, reads.cycles_for(self.actor), request)
        now = timezone.now()
        return paginator.get_paginated_response([reads.cycle_row(cycle, now) for cycle in page])


class CycleDetailView(ApiView):
    @extend_schema(
        operation_id="cycles_retrieve",
        responses={200: CycleSerializer, **error_responses(404)},
        tags=["cycles"],
    )
    def get(self, request, year: int):
        cycle = reads.cycles_for(self.actor).filter(year=year).first()
        if cycle is None:
            raise Http404
        return Response(reads.cycle_row(cycle, timezone.now()))
