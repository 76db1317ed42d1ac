"""The sources cijobs can crawl: name -> spider class (imported only when that source is crawled)."""

SOURCES = {
    "nhsjobs": "crawler.spiders.nhsjobs.NhsJobsSpider",
}
