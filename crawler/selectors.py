"""Where NHS Jobs keeps each field, as data (see docs/sources/nhs-jobs.md).

When the site's markup moves, this is the file to change; the parsers count a page whose
required fields are missing as a parse error instead of storing empty fields.
"""

NHSJOBS_ADVERT_PATH = "/candidate/jobadvert/{reference}"
NHSJOBS_SEARCH_PATH = "/candidate/search/results"
NHSJOBS_API_PATH = "/api/v1/search_xml"
NHSJOBS_HOSTS = ("www.jobs.nhs.uk", "beta.jobs.nhs.uk", "jobs.nhs.uk")
# References are usually C9273-26-0229, but employers add their own suffixes ("M0358-AC-NOV25",
# "C9610-2025-CYB-14"): whatever the site links under the advert path is taken, checked only loosely.
NHSJOBS_ADVERT_PATH_PREFIX = "/candidate/jobadvert/"
NHSJOBS_REFERENCE = r"[A-Za-z0-9][A-Za-z0-9._~-]{2,63}"

# Advert page: single-valued fields by element id (first copy wins; the page renders some twice). An id
# may carry a numeric suffix ("employer_town_1", as extra locations do); a tuple lists alternatives.
NHSJOBS_ADVERT_IDS = {
    "title": "heading",
    "employer": "employer_name",
    "closing_date": "closing_date",
    "date_posted": "date_posted",
    "pay_scheme": "payscheme-type",
    "band": "payscheme-band",
    "contract_type": "contract_type",
    "contract_duration": "contract_duration",
    "employer_reference": ("trac-job-reference", "job_reference_number"),
    "address_line_1": "employer_address_line_1",
    "town": "employer_town",
    "county": "employer_county",
    "postcode": "employer_postcode",
}
NHSJOBS_SALARY_IDS = ("range_salary", "fixed_salary", "negotiable_salary")
NHSJOBS_SALARY_HEADING = "salary_heading"  # some pages give the salary as an unlabelled paragraph after it
NHSJOBS_WORKING_PATTERN_HEADING = "working_pattern_heading"
NHSJOBS_REQUIRED_FIELDS = ("title", "employer")

# Prose blocks: a <p id=...> wrapper whose inner <p>s the HTML parser lifts out (quirk 2),
# so each block is read from the wrapper to the end of its own section: the next heading, the next
# element that carries an id (or holds one: the details block, the person specification), or the
# end of its parent.
NHSJOBS_PROSE_IDS = {
    "summary": "job_overview",
    "duties": "job_description",
    "about_organisation": "about_organisation",
    "responsibilities": "job_description_large",
}
NHSJOBS_PROSE_STOP_TAGS = ("h1", "h2", "h3", "h4", "section", "footer", "form")

# Person specification: criteria by id; the block is rendered twice (quirk 1), ids repeat.
NHSJOBS_CRITERION_ID = r"^(essential|desirable)_skill_(\d+)_criteria_(\d+)$"
NHSJOBS_CATEGORY_ID = "skill_category_{n}"

# XML search API.
NHSJOBS_API_PARAMS = {"externalOnly": "true", "sort": "publicationDateDesc", "limit": "100"}
NHSJOBS_API_VACANCY = "vacancyDetails"
NHSJOBS_API_TOTAL_PAGES = "totalPages"

# HTML search results.
NHSJOBS_SEARCH_CARD = 'li[data-test="search-result"]'
NHSJOBS_SEARCH_TITLE_LINK = 'a[data-test="search-result-job-title"]'
NHSJOBS_SEARCH_NEXT = '[data-test="search-next-page"]::attr(href)'
