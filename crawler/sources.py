"""The sources cijobs can crawl: name -> spider class (imported only when that source is crawled)."""

SOURCES = {
    "nhsjobs": "crawler.spiders.nhsjobs.NhsJobsSpider",
    "jobposting": "crawler.spiders.jobposting.JobPostingSpider",
}

# Page parsers that `cijobs reparse` runs over the raw-page archive: (html, url) -> advert dict.
PARSERS = {
    "nhsjobs": "crawler.parsers.nhsjobs.parse_advert",
    "jobposting": "crawler.parsers.jobposting.parse_advert",
    "jobposting-import": "crawler.parsers.jobposting.parse_advert",  # `cijobs import jobposting` (default name)
}
