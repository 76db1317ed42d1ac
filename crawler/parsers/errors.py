"""The one error every page parser raises for a page it cannot use."""


class ParseError(ValueError):
    """The page does not have the shape the parser expects (markup moved, truncated, not an advert)."""
