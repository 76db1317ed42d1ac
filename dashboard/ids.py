"""Every component id of the dashboard, in one place: layouts, callbacks and tests use these names, so a
misspelt id is a NameError at import, not a callback that silently never fires."""
from __future__ import annotations

ADVERTS_CLOSED = "adverts-closed"
ADVERTS_COUNT = "adverts-count"
ADVERTS_DOWNLOAD = "adverts-download"
ADVERTS_SEARCH = "adverts-search"
ADVERTS_TABLE = "adverts-table"

ADVERT_FACTS = "advert-facts"
ADVERT_LINES = "advert-lines"  # a text table
ADVERT_MISSING = "advert-missing"
ADVERT_TITLE = "advert-title"

COMPETENCY_DOWNLOAD = "competency-download"
COMPETENCY_TABLE_HOLDER = "competency-table-holder"

DATA_DICTIONARY = "data-dictionary"
DATA_ERROR = "data-error"

DOMAIN_DEMAND_CHART = "domain-demand-chart"
DOMAIN_DEMAND_DOWNLOAD = "domain-demand-download"
DOMAIN_DEMAND_TABLE = "domain-demand-table"
DOMAIN_DEMAND_TABLE_HOLDER = "domain-demand-table-holder"
DOMAIN_TREND_CHART = "domain-trend-chart"

DRILL_DOMAIN = "drill-domain"
DRILL_SCOPE = "drill-scope"

EMPLOYER_A = "employer-a"
EMPLOYER_B = "employer-b"
EMPLOYER_CHART = "employer-chart"
EMPLOYER_DOWNLOAD = "employer-download"

FILTER_BAR = "filter-bar"
FILTER_DATES = "filter-dates"
FILTER_INFORMATICS = "filter-informatics"
FILTER_LEVEL = "filter-level"

FILTERS = "filters"

FRAMEWORK_CARD = "framework-card"
FRAMEWORK_PROVENANCE = "framework-provenance"

HEADLINE = "headline"

METHOD_ACCURACY = "method-accuracy"
METHOD_DOMAINS = "method-domains"
METHOD_FRAMEWORK = "method-framework"
METHOD_SOURCES = "method-sources"

OVERVIEW_SCOPE = "overview-scope"

PAY_CHART = "pay-chart"
PAY_DOWNLOAD = "pay-download"
PAY_GROUP = "pay-group"
PAY_SCOPE = "pay-scope"
PAY_TABLE_HOLDER = "pay-table-holder"

PROFILER_ACCURACY = "profiler-accuracy"
PROFILER_ADVERT = "profiler-advert"
PROFILER_DOMAIN_CHART = "profiler-domain-chart"
PROFILER_DOWNLOAD = "profiler-download"
PROFILER_MESSAGE = "profiler-message"
PROFILER_RESULT = "profiler-result"
PROFILER_RUN = "profiler-run"
PROFILER_SIMILAR = "profiler-similar"
PROFILER_TEXT = "profiler-text"
PROFILER_TITLE = "profiler-title"
PROFILER_TOO_FEW = "profiler-too-few"
PROFILER_UPLOAD = "profiler-upload"

PROVENANCE_NOTE = "provenance-note"

REVIEW_COMPETENCIES = "review-competencies"
REVIEW_DATA = "review-data"
REVIEW_LINE = "review-line"
REVIEW_MESSAGE = "review-message"
REVIEW_SAVE = "review-save"

RUNS_DOWNLOAD = "runs-download"
RUNS_TABLE_HOLDER = "runs-table-holder"

SOURCES_TABLE_HOLDER = "sources-table-holder"

SUBDOMAIN_CHART = "subdomain-chart"
SUBDOMAIN_DOWNLOAD = "subdomain-download"

TOP_EMPLOYERS = "top-employers"
TOP_EMPLOYERS_TABLE = "top-employers-table"  # a text table
TOP_TITLES = "top-titles"
TOP_TITLES_TABLE = "top-titles-table"  # a text table

TREND_CAPTION = "trend-caption"
TREND_DOWNLOAD = "trend-download"
TREND_MEASURE = "trend-measure"
TREND_PERIOD = "trend-period"
COMPETENCY_TABLE = "competency-table"  # a text table
METHOD_SOURCES_TABLE = "method-sources-table"  # a text table
METHOD_DOMAIN_TABLE = "method-domain-table"  # a text table
PAY_TABLE = "pay-table"  # a text table
PROFILER_SUBDOMAINS = "profiler-subdomains"  # a text table
PROFILER_REQUIREMENTS = "profiler-requirements"  # a text table
SOURCES_TABLE = "sources-table"  # a text table
RUNS_TABLE = "runs-table"  # a text table

REGIONS_DOMAIN = "regions-domain"
REGIONS_DOWNLOAD = "regions-download"
REGIONS_MAP = "regions-map"
REGIONS_SCOPE = "regions-scope"
REGIONS_TABLE = "regions-table"  # a text table
REGIONS_TABLE_HOLDER = "regions-table-holder"

YEAR_ON_YEAR_DOWNLOAD = "year-on-year-download"
YEAR_ON_YEAR_HOLDER = "year-on-year-holder"
YEAR_ON_YEAR_SCOPE = "year-on-year-scope"
YEAR_ON_YEAR_TABLE = "year-on-year-table"  # a text table

# Shareable URLs: the address bar, the filters as a query string, and the page links that carry it.
URL = "url"
FILTER_QUERY = "filter-query"
URL_WRITTEN = "url-written"
LINK_WARNING = "link-warning"
FILTER_PRESET = "filter-preset"


def filter_dropdown(name: str) -> str:
    """The filter bar's dropdown for one AdvertFilter field ("region", "band", ...)."""
    return f"filter-{name}"


def download_button(download_id: str) -> str:
    """The button that fills a dcc.Download."""
    return f"{download_id}-button"


def domain_row(domain_id: str) -> str:
    """The overview table's row of one domain."""
    return f"domain-row-{domain_id}"


def nav_link(path: str) -> str:
    """The navigation bar's link to a page (its href carries the filters' query string)."""
    return "nav" + (path.replace("/", "-") if path != "/" else "-overview")
