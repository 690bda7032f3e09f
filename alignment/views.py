"""``/api/v1/alignment/`` and ``/api/v1/alignment/matrix/``: thin views over compare.py."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from common.api.formats import FORMATS
from common.api.links import with_release
from common.api.params import CheckedQueryMixin, check_query_params
from common.api.viewsets import ConditionalMixin
from common.tabular import csv_text

from . import compare
from .serializers import (
    ComparisonQuerySerializer,
    ComparisonSerializer,
    MatrixQuerySerializer,
    MatrixSerializer,
)

PARAMETERS = {"actors", "tree", "country", "date_after", "date_before", "format", "release"}
LISTS = {"actors", "country"}


class Links:
    """API links of the rows a comparison shows: one reverse() per kind, not per row."""

    def __init__(self, request):
        self.request = request
        self.templates = {}

    def __call__(self, view_name, key):
        if view_name not in self.templates:
            marker = "918273645546372819"
            kwarg = "slug" if view_name == "actor-detail" else "pk"
            url = reverse(view_name, kwargs={kwarg: marker}, request=self.request)
            self.templates[view_name] = with_release(url.rpartition(marker)[::2], self.request)
        prefix, suffix = self.templates[view_name]
        return f"{prefix}{key}{suffix}"

    def actor(self, actor):
        return {"slug": actor.slug, "name": actor.name, "url": self("actor-detail", actor.slug)}


def with_links(result, links):
    """The comparison of compare.py with the API link of every row."""
    for item in result["issues"]:
        for position in [*item["positions_a"], *item["positions_b"]]:
            position["url"] = links("position-detail", position["id"])
    for item in result["one_sided"]:
        for position in item["positions"]:
            position["url"] = links("position-detail", position["id"])
    for event in result["events"]:
        event["url"] = links("event-detail", event["id"])
    for relation in result["relations"]:
        relation["url"] = links("relation-detail", relation["id"])
    return result


class AlignmentView(ConditionalMixin, CheckedQueryMixin, APIView):
    """Allies or competitive partners? Two actors compared on every issue both took a
    position on, with the evidence: their positions and quotes, the events in which both took
    part, the relations between them, a year-by-year timeline and summary measures."""

    renderer_classes = [*APIView.renderer_classes, FORMATS["csv"].renderer]
    permission_classes = [AllowAny]  # read-only: only GET, HEAD and OPTIONS exist
    http_method_names = ["get", "head", "options"]
    reads_releases = True  # ?release= (datapackage.middleware); documented by the schema
    query_serializer = ComparisonQuerySerializer

    def check_query_params(self, request):
        check_query_params(request.query_params, accepted=PARAMETERS, multi=LISTS, split=LISTS)

    def parse(self, request):
        query = self.query_serializer(
            data={
                name: request.query_params.getlist(name) if name in LISTS else value
                for name, value in request.query_params.items()
                if name not in ("format", "release")
            }
        )
        query.is_valid(raise_exception=True)
        return query

    @extend_schema(
        parameters=[ComparisonQuerySerializer],
        responses={
            (200, "application/json"): ComparisonSerializer,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="With ?format=csv: one row per compared issue.",
            ),
        },
    )
    def get(self, request):
        return self.answer_conditionally(request, lambda: self.answer(request))

    def answer(self, request):
        query = self.parse(request)
        actor_a, actor_b = query.validated_data["actors"]
        tree = query.validated_data["tree"]
        result = compare.compare(actor_a, actor_b, tree=tree, scope=query.scope())
        if request.accepted_renderer.format == "csv":
            return csv_response(f"alignment-{actor_a.slug}-{actor_b.slug}", *issue_rows(result))
        links = Links(request)
        body = {"actors": [links.actor(actor_a), links.actor(actor_b)], "tree": tree}
        body.update(with_links(result, links))
        return Response(body)


class AlignmentMatrixView(AlignmentView):
    """The summary measures of every pair of 2 to 20 actors."""

    query_serializer = MatrixQuerySerializer

    @extend_schema(
        parameters=[MatrixQuerySerializer],
        responses={
            (200, "application/json"): MatrixSerializer,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="With ?format=csv: one row per pair."
            ),
        },
    )
    def get(self, request):
        return self.answer_conditionally(request, lambda: self.answer(request))

    def answer(self, request):
        query = self.parse(request)
        actors, tree = query.validated_data["actors"], query.validated_data["tree"]
        pairs = compare.matrix(actors, tree=tree, scope=query.scope())
        if request.accepted_renderer.format == "csv":
            return csv_response("alignment-matrix", *pair_rows(pairs))
        links = Links(request)
        return Response(
            {
                "actors": [links.actor(actor) for actor in actors],
                "tree": tree,
                "pairs": [
                    {"actor_a": links.actor(a), "actor_b": links.actor(b), "summary": summary}
                    for a, b, summary in pairs
                ],
            }
        )


def issue_rows(result):
    header = ["issue", "name", "country", "stance_a", "stance_b", "verdict"]
    header += ["positions_a", "positions_b"]
    rows = [
        [
            item["issue"]["slug"],
            item["issue"]["name"],
            item["issue"]["country"],
            item["stance_a"],
            item["stance_b"],
            item["verdict"],
            ";".join(str(p["id"]) for p in item["positions_a"]),
            ";".join(str(p["id"]) for p in item["positions_b"]),
        ]
        for item in result["issues"]
    ]
    return header, rows


MEASURES = ["issues_compared", "agree", "partly", "diverge", "compete"]
MEASURES += ["agreement", "kappa", "s_score", "events_same", "events_opposite"]


def pair_rows(pairs):
    kinds = list(pairs[0][2]["relations"]) if pairs else []
    header = ["actor_a", "actor_b", *MEASURES, *(f"relations_{kind}" for kind in kinds)]
    rows = [
        [
            a.slug,
            b.slug,
            *(summary[name] for name in MEASURES),
            *(summary["relations"][kind] for kind in kinds),
        ]
        for a, b, summary in pairs
    ]
    return header, rows


def csv_response(name, header, rows):
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
