"""A fictional job board in the NHS Jobs markup, for the demo and the tests.

Every advert in ``adverts.yaml`` was written by this project (no real advert text); people,
emails (example.nhs.uk) and phone numbers (Ofcom's drama ranges) are fictional. The pages
reproduce both NHS Jobs markup quirks: duplicated detail and person-specification blocks,
and prose wrappers with nested paragraphs.
"""
from cijobs.sample_site.board import SampleBoard, load_sample_adverts
from cijobs.sample_site.server import Faults, SampleSiteServer

__all__ = ["Faults", "SampleBoard", "SampleSiteServer", "load_sample_adverts"]
