import pytest
from django.core.exceptions import ValidationError
from django.db.models.deletion import ProtectedError

from references.models import Reference, ReferenceInUseError
from tests.factories import CitationFactory, ReferenceFactory

pytestmark = pytest.mark.django_db


def test_doi_is_normalised_from_a_resolver_link():
    """A pasted https://doi.org/ link is stored as the bare, lower-case DOI."""
    reference = ReferenceFactory.build(doi=" https://doi.org/10.1212/WNL.0b013e318236f0fd ")
    reference.full_clean()
    assert reference.doi == "10.1212/wnl.0b013e318236f0fd"


def test_invalid_doi_is_refused_with_a_message_naming_the_field():
    """A malformed DOI fails validation on the doi field with an actionable message."""
    reference = ReferenceFactory.build(doi="not-a-doi")
    with pytest.raises(ValidationError) as caught:
        reference.full_clean()
    assert list(caught.value.error_dict) == ["doi"]
    error = caught.value.error_dict["doi"][0]
    assert error.code == "invalid_doi"
    assert "“not-a-doi” is not a DOI" in error.messages[0]


@pytest.mark.parametrize("value", ["0123", "12a45", "1234567890", "-5"])
def test_invalid_pmid_is_refused(value):
    """PMIDs are one to nine digits without a leading zero."""
    reference = ReferenceFactory.build(pmid=value)
    with pytest.raises(ValidationError) as caught:
        reference.full_clean()
    assert caught.value.error_dict["pmid"][0].code == "invalid_pmid"


def test_pmid_label_is_stripped():
    """“PMID: 22013182” is stored as 22013182."""
    reference = ReferenceFactory.build(pmid="PMID: 22013182")
    reference.full_clean()
    assert reference.pmid == "22013182"


def test_blank_identifiers_are_stored_as_null_so_many_references_may_lack_them():
    """Two references without DOI or PMID do not collide on uniqueness."""
    first = ReferenceFactory(doi="", pmid="")
    second = ReferenceFactory(doi="", pmid="")
    first.full_clean()
    second.full_clean()
    assert Reference.objects.filter(doi__isnull=True, pmid__isnull=True).count() == 2


def test_duplicate_doi_is_refused_whatever_its_case():
    """A DOI already on another reference is refused, case-insensitively."""
    ReferenceFactory(doi="10.1000/ABC123")
    duplicate = ReferenceFactory.build(doi="10.1000/abc123")
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert "doi" in caught.value.error_dict


def test_duplicate_pmid_is_refused():
    """A PMID already on another reference is refused on the pmid field."""
    ReferenceFactory(pmid="22013182")
    with pytest.raises(ValidationError) as caught:
        ReferenceFactory.build(pmid="22013182").full_clean()
    assert "pmid" in caught.value.error_dict


def test_year_in_the_far_future_is_refused():
    """A publication year more than a year ahead is a typo, not a reference."""
    with pytest.raises(ValidationError) as caught:
        ReferenceFactory.build(year=2999).full_clean()
    assert "year" in caught.value.error_dict


def test_deleting_a_cited_reference_is_refused_and_keeps_everything():
    """Deleting a reference that a claim cites raises a clear error and deletes nothing."""
    citation = CitationFactory()
    with pytest.raises(ReferenceInUseError) as caught:
        citation.reference.delete()
    assert caught.value.code == "reference_in_use"
    assert "is cited by 1 claim(s)" in caught.value.messages[0]
    assert Reference.objects.filter(pk=citation.reference.pk).exists()
    assert citation.__class__.objects.filter(pk=citation.pk).exists()


def test_bulk_delete_of_a_cited_reference_is_refused_by_the_database_rule():
    """Even a queryset delete (as the admin's bulk action does) cannot cascade citations away."""
    citation = CitationFactory()
    with pytest.raises(ProtectedError):
        Reference.objects.filter(pk=citation.reference.pk).delete()
    assert Reference.objects.filter(pk=citation.reference.pk).exists()


def test_deleting_an_uncited_reference_is_allowed():
    """A reference nobody cites can be deleted."""
    reference = ReferenceFactory()
    reference.delete()
    assert not Reference.objects.filter(pk=reference.pk).exists()


def test_missing_fields_names_what_a_reader_needs():
    """A reference without source and year reports both as missing."""
    reference = ReferenceFactory.build(source="", year=None)
    assert reference.missing_fields() == ["source", "year"]
    assert not reference.is_complete
    assert ReferenceFactory.build().is_complete


def test_identifier_links():
    """DOI and PMID produce resolver links."""
    reference = ReferenceFactory.build(doi="10.1000/x1", pmid="123")
    assert reference.doi_url == "https://doi.org/10.1000/x1"
    assert reference.pubmed_url == "https://pubmed.ncbi.nlm.nih.gov/123/"


def test_lookups_match_an_identifier_however_it_is_written():
    """Searching by a DOI link or a PMID label finds the stored reference."""
    reference = ReferenceFactory(doi="10.1000/ABC", pmid="42")
    assert Reference.objects.get(doi="https://doi.org/10.1000/abc") == reference
    assert Reference.objects.get(pmid="PMID: 42") == reference
