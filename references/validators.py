"""Validation and normalisation of bibliographic identifiers."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
PMID_PATTERN = re.compile(r"^[1-9]\d{0,8}$")
DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:")


def normalize_doi(value: str | None) -> str | None:
    """Strip resolver prefixes and whitespace; DOIs are case-insensitive, so store lower case."""
    if value is None:
        return None
    value = value.strip()
    for prefix in DOI_PREFIXES:
        if value.lower().startswith(prefix):
            value = value[len(prefix) :].strip()
            break
    return value.lower() or None


def normalize_pmid(value: str | int | None) -> str | None:
    """Strip whitespace and a leading "PMID:" label."""
    if value is None:
        return None
    value = str(value).strip()
    if value.upper().startswith("PMID:"):
        value = value[5:].strip()
    return value or None


def validate_doi(value: str) -> None:
    if not DOI_PATTERN.match(value):
        raise ValidationError(
            _(
                "“%(value)s” is not a DOI. A DOI starts with “10.”, a registrant code and a slash, "
                "e.g. 10.1212/WNL.0b013e318236f0fd."
            ),
            code="invalid_doi",
            params={"value": value},
        )


def validate_pmid(value: str) -> None:
    if not PMID_PATTERN.match(value):
        raise ValidationError(
            _("“%(value)s” is not a PubMed ID. A PMID is a number of up to nine digits, e.g. 22013182."),
            code="invalid_pmid",
            params={"value": value},
        )
