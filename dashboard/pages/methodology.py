"""Methodology: where the adverts come from, what counts as an informatics advert, how matching works and how
well, what the framework's statements are, the small-number rule, and what every exported column means."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, html

from dashboard import ids
from dashboard.components import text_table
from dashboard.context import figures, warehouse_path
from dashboard.data import query
from matching.accuracy import accuracy_note, domain_count_ratios

dash.register_page(__name__, path="/methodology", name="Methodology", title="cijobs - methodology", order=8)

# The columns of `cijobs export adverts` and of the demand and trend exports, as a data dictionary.
DATA_DICTIONARY = [
    ("source, reference", "adverts", "the board and the advert's own reference there (with the source, unique)"),
    ("title, employer, town, postcode", "adverts", "as the advert states them"),
    ("region", "adverts (dashboard)", "NHS England region or devolved nation, from the postcode area"),
    ("band", "adverts", "Agenda for Change band in the NHS's spelling ('Band 8a'), from the pay block, the title, "
                        "the salary text or the description; empty when none is stated"),
    ("salary_text", "adverts", "the salary as the advert shows it"),
    ("salary_min, salary_max, salary_period", "adverts", "the first amount or range the salary text gives, and "
                                                          "its period (hour, day, week, month, year); never "
                                                          "converted between periods"),
    ("date_posted, closing_date", "adverts", "as the advert states them"),
    ("first_seen, last_seen, status", "adverts", "when cijobs first and last saw the advert listed, and whether it "
                                                 "is open (closed when gone from a complete listing, withdrawn, or "
                                                 "past its closing date)"),
    ("is_informatics", "adverts", "the relevance flag: a weighted score of informatics terms in the title and text"),
    ("requirements", "adverts", "the person-specification criteria with their category and level"),
    ("adverts", "demand, trend", "adverts under the filters (per period in a trend): the n every share rests on"),
    ("adverts_needing", "demand, trend", "adverts with at least one requirement line matched to the domain, "
                                         "subdomain or competency"),
    ("share, share_low, share_high", "demand, trend", "adverts_needing / adverts and its Wilson 95 % interval; "
                                                      "empty when fewer than {min_adverts} adverts"),
    ("suppressed, note", "demand, trend", "whether the share was left out, and why"),
    ("region", "regions, pay", "the NHS England region or devolved nation of the advert's postcode area; Unknown "
                               "when it gives none that maps"),
    ("previous_*, change_points", "year on year", "the same measures for the 12 months before the newest advert's "
                                                  "12 months, and the change in percentage points"),
    ("filters, data_version", "every download", "the filters the download was made under, and the data it was "
                                                "made from (newest run, matcher and framework versions)"),
]


def layout(**_query):
    return html.Div([
        html.H2("Methodology"),
        html.H4("Sources"),
        html.P("Public adverts only: NHS Jobs (the search API for discovery, each advert page for detail) and any "
               "board that publishes schema.org JobPosting; saved corpora can be imported. Contact details, email "
               "addresses, phone numbers and names given as contacts are removed before anything is stored; "
               "adverts open to internal applicants only are never shown."),
        html.Div(id=ids.METHOD_SOURCES),
        html.H4("What counts as an informatics advert"),
        html.P("A transparent, weighted score of informatics terms: the title decides most cases (analyst, EPR, "
               "clinical systems, information governance, clinical coding, digital, data ...), terms in the text "
               "can tip a borderline title. Other adverts are kept and flagged; the filter bar's switch shows all."),
        html.H4("How requirements are found and matched"),
        html.P("Each advert's person-specification criteria (with their level) and duty lines are extracted; in "
               "free-text adverts by their headings and each sentence's wording. Every line is matched to the "
               "framework's 111 competencies by key phrases (rapidfuzz), with the words that matched kept as "
               "evidence. An advert needs a domain when at least one of its lines matched a competency in it."),
        html.P(id=ids.METHOD_ACCURACY),
        html.Div(id=ids.METHOD_DOMAINS),
        html.H4("The framework"),
        html.P(id=ids.METHOD_FRAMEWORK),
        html.H4("Small numbers"),
        html.P(f"Every share is shown with the number of adverts it rests on and a 95 % interval (Wilson). A share "
               f"resting on fewer than {figures().min_adverts} adverts is not shown, and the page says so; downloads "
               "and exports leave it empty with the reason. Trend periods with no adverts are gaps; the current period "
               "is marked as not over."),
        html.H4("Data dictionary"),
        dbc.Table([html.Thead(html.Tr([html.Th("Column"), html.Th("In"), html.Th("Meaning")])),
                   html.Tbody([html.Tr([html.Td(c), html.Td(w), html.Td(m.format(min_adverts=figures().min_adverts))])
                               for c, w, m in DATA_DICTIONARY])],
                  id=ids.DATA_DICTIONARY, size="sm", bordered=False),
    ])


SOURCE_COLUMNS = {"name": "Source", "adverts": "Adverts", "open_adverts": "Open", "attribution": "Attribution"}
DOMAIN_COLUMNS = {"domain": "Domain", "ratio": "Lines found per line a reader labelled (real adverts)"}


@callback(Output(ids.METHOD_SOURCES, "children"), Output(ids.METHOD_ACCURACY, "children"),
          Output(ids.METHOD_DOMAINS, "children"), Output(ids.METHOD_FRAMEWORK, "children"), Input(ids.FILTERS, "data"))
def show_methodology(_filters):
    db = warehouse_path()
    framework = query("framework_overview", db)
    versions = framework.get("matcher_version"), framework.get("version")
    ratios = domain_count_ratios(*versions)
    domains = query("domains", db)
    rows = [{"domain": f"{r.domain_id}. {r.domain_title}",
             "ratio": f"{ratios[r.domain_id]:.2f}" if r.domain_id in ratios else "not measured for this matcher"}
            for r in domains.itertuples()]
    if framework.get("version"):
        statements = (f"{framework['competencies']} competency statements: {framework['seen']} seen in a public "
                      f"source, {framework['inferred']} reconstructed by cijobs (not the official FCI wording, marked "
                      f"'inferred' wherever they appear), {framework['official']} official (imported). A "
                      "reconstructed placement decides which domain a match counts towards.")
    else:
        statements = "No framework loaded yet: run `cijobs match`."
    return (text_table(query("sources_overview", db), SOURCE_COLUMNS, ids.METHOD_SOURCES_TABLE),
            accuracy_note(*versions), text_table(pd.DataFrame(rows, columns=["domain", "ratio"]), DOMAIN_COLUMNS,
                                                 ids.METHOD_DOMAIN_TABLE),
            statements)
