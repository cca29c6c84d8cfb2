"""OpenAPI links of the reports API: a requested report leads to its status and files."""

from core.api.schema import LinkTable, add_links

REPORT_ID = "$response.body#/id"

LINKS: LinkTable = {
    "report_create": {
        "202": {
            "GetReport": ("report_detail", {"path.id": REPORT_ID}),
            "GetXlsx": ("report_xlsx", {"path.id": REPORT_ID}),
            "GetPdf": ("report_pdf", {"path.id": REPORT_ID}),
            "GetCsv": ("report_csv", {"path.id": REPORT_ID}),
        }
    },
    "cycles_retrieve": {"200": {"GetCompliance": ("cycle_compliance", {"path.year": "$response.body#/year"})}},
}


def report_links(result, generator, request, public):
    """drf-spectacular postprocessing hook."""
    return add_links(result, LINKS)
