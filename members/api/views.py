"""The 32 allies, for anyone signed in."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from core.api.base import PAGE_PARAMETERS, error_responses, paginate, paginated
from members.models import Member

from .base import ApiView
from .serializers import MemberSerializer

MEMBER_FIELDS = ("code", "iso3", "name", "name_fr", "accession_year")


class MemberListView(ApiView):
    @extend_schema(
        operation_id="members_list",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(MemberSerializer, "PaginatedMemberList"), **error_responses(400, 404)},
        tags=["members"],
    )
    def get(self, request):
        paginator, page = paginate(self, Member.objects.order_by("name").values(*MEMBER_FIELDS), request)
        return paginator.get_paginated_response(page)


class MemberDetailView(ApiView):
    @extend_schema(
        operation_id="members_retrieve",
        responses={200: MemberSerializer, **error_responses(404)},
        tags=["members"],
    )
    def get(self, request, code: str):
        code = code.upper()
        # Only two ASCII letters can be a code; anything else (a NUL byte, which PostgreSQL
        # refuses in a query) is simply not found.
        if not (len(code) == 2 and code.isascii() and code.isalpha()):
            raise Http404
        member = Member.objects.filter(code=code).values(*MEMBER_FIELDS).first()
        if member is None:
            raise Http404
        return Response(member)
