"""A generated set of fictional contact details, in the forms real adverts write them, for the privacy test
and bench/privacy_catch_rate.py. Every variant names what must not survive scrubbing.

Numbers are in Ofcom's drama ranges (01632 960xxx, 020 7946 0xxx, 0113 496 0xxx, 07700 900xxx) or
made up abroad; names and domains are invented.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

FIRST = ["Ama", "Siobhán", "Zoë", "Kwame", "Priya", "Seán", "Olúwáseun", "Jo", "Marie-Claire", "Dafydd", "Aoife",
         "Tomasz", "Nkechi", "Hamish", "Ifeoma", "Rhiannon"]
LAST = ["Mensah", "O'Brien", "Ångström", "Osei-Bonsu", "McAllister", "D'Souza", "Nwachukwu", "Pryce-Jones",
        "Kowalczyk", "MacLeod", "Ó Súilleabháin", "Fairweather", "Abernethy", "Llewellyn"]
TITLES = ["Dr", "Dr.", "Mrs", "Mr", "Ms", "Prof.", "Professor", "Sister"]
DOMAINS = ["northshire-ft.nhs.uk", "nhs.net", "riverside-icb.nhs.uk", "example-hospice.org.uk", "fakemail.com",
           "uni-lowmoor.ac.uk"]
NAME_CUES = ["please contact {name}", "Please contact {name}", "contact {name} on the ward",
             "For an informal chat contact {name}", "Contact - {name}", "Contact: {name}", "Contact person: {name}",
             "Informal enquiries to {name}", "Enquiries: {name}", "Hiring manager: {name}",
             "speak to {name}, Service Lead", "Name: {name}", "Contact name - {name}", "talk to {name} about the role",
             "Queries to {name}, Digital Lead"]


@dataclass(frozen=True)
class Variant:
    kind: str          # the class reported by the bench
    text: str          # the text (or markup) planted in a page
    secrets: tuple     # strings (or compiled patterns) that must not survive anywhere


def _digits_pattern(digits: str) -> re.Pattern:
    """The last seven digits of a number with anything but digits between them (any spacing survives)."""
    return re.compile(r"\D{0,3}".join(digits[-7:]))


def _local(rng: random.Random) -> str:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    ascii_part = lambda s: re.sub(r"[^a-z]", "", s.lower().encode("ascii", "ignore").decode())  # noqa: E731
    return rng.choice(["{f}.{l}", "{f}{l}", "{f}_{l}{n}", "{l}.{f}", "{f}.{l}{n}"]).format(
        f=ascii_part(first) or "jo", l=ascii_part(last) or "smith", n=rng.randint(1, 99))


def _name(rng: random.Random) -> str:
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    roll = rng.random()
    if roll < 0.3:
        return f"{rng.choice(TITLES)} {name}"
    if roll < 0.45:
        return name.upper()
    return name


def _uk_number(rng: random.Random) -> str:
    return rng.choice([f"01632960{rng.randint(0, 999):03d}", f"0207946{rng.randint(0, 9999):04d}",
                       f"01134960{rng.randint(0, 999):03d}", f"07700900{rng.randint(0, 999):03d}"])


def _format_uk(digits: str, rng: random.Random, gap: str = " ") -> str:
    if digits.startswith("020"):
        groups = [digits[:3], digits[3:7], digits[7:]]
    elif digits.startswith("0113"):
        groups = [digits[:4], digits[4:7], digits[7:]]
    else:
        groups = [digits[:5], digits[5:8], digits[8:]]
    style = rng.randrange(7)
    if style == 0:
        return gap.join(groups)
    if style == 1:
        return f"({groups[0]}) {''.join(groups[1:])}"
    if style == 2:
        return "-".join(groups)
    if style == 3:
        return ".".join(groups)
    if style == 4:
        return "+44 " + gap.join([groups[0][1:], *groups[1:]])
    if style == 5:
        return "+44 (0)" + groups[0][1:] + " " + "".join(groups[1:])
    return "0044 " + gap.join([groups[0][1:], *groups[1:]])


def generate(seed: int = 2026, per_class: int = 50) -> list[Variant]:
    rng = random.Random(seed)
    variants: list[Variant] = []
    for _ in range(per_class):
        local, domain = _local(rng), rng.choice(DOMAINS)
        variants.append(Variant("email", rng.choice(["email {a}", "({a})", "at {a}.", "{a}, or"]).format(
            a=f"{local}@{domain}"), (local, f"@{domain}")))
    for _ in range(per_class):
        local, domain = _local(rng), rng.choice(DOMAINS)
        head, *rest = domain.split(".")
        form = rng.randrange(7)
        if form == 0:
            text = f"{local} [at] {head} [dot] {' [dot] '.join(rest)}"
        elif form == 1:
            text = f"{local} AT {head} DOT {' DOT '.join(rest)}"
        elif form == 2:
            text = f"{local.replace('.', ' dot ')} at {head} dot {' dot '.join(rest)}"
        elif form == 3:
            text = f"{local}\uff20{domain}"
        elif form == 4:
            text = f"{local}{{at}}{domain}"
        elif form == 5:
            text = f"{local}(at){domain}"
        else:
            text = f"{local} @ {domain}"
        variants.append(Variant("email obfuscated", f"write to {text} today", (local.split(".")[-1] + " ",
                                                                                 local.split(".")[0] + " ",
                                                                                 local, "{at}", "(at)", "[at]")))
    for _ in range(per_class):
        local, domain = _local(rng), rng.choice(DOMAINS)
        tag = rng.choice(["span", "strong", "a", "em"])
        text = rng.choice([f"<{tag}>{local}</{tag}>@{domain}", f"{local}<{tag}>@{domain}</{tag}>",
                           f"<{tag}>{local}@</{tag}>{domain}"])
        variants.append(Variant("email split by tags", f"email {text} please", (local, f"@{domain}")))
    for _ in range(per_class):
        digits = _uk_number(rng)
        variants.append(Variant("phone UK", f"Tel: {_format_uk(digits, rng)} (office)", (_digits_pattern(digits),)))
    for _ in range(per_class):
        country, number = rng.choice([("353", "1 555 0142"), ("1", "212 555 0199"), ("61", "2 5550 1234"),
                                      ("33", "1 99 00 12 34"), ("91", "22 5555 0101"), ("49", "30 5555 0142")])
        prefix = rng.choice(["+", "00"])
        digits = re.sub(r"\D", "", number)
        variants.append(Variant("phone international", f"from abroad call {prefix}{country} {number}.",
                                (_digits_pattern(country + digits),)))
    for _ in range(per_class):
        digits = _uk_number(rng)
        gap = rng.choice(["\u00a0", "\u00a0 ", "  ", "\u2009", "\u202f", " \u00a0", "\t"])
        text = _format_uk(digits, random.Random(rng.random()), gap=gap) if rng.random() < 0.5 else gap.join(
            [digits[:5], digits[5:8], digits[8:]])
        variants.append(Variant("phone odd spacing", f"ring {text} any time", (_digits_pattern(digits),)))
    for _ in range(per_class):
        name = _name(rng)
        surname = name.split()[-1]
        variants.append(Variant("name after a contact cue", rng.choice(NAME_CUES).format(name=name) + ".",
                                (name, surname)))
    return variants


def survivors(variant: Variant, text: str) -> list[str]:
    """What of the variant's secrets is still in ``text``."""
    found = []
    for secret in variant.secrets:
        if isinstance(secret, re.Pattern):
            if match := secret.search(text):
                found.append(match.group(0))
        elif secret in text:
            found.append(secret)
    return found
