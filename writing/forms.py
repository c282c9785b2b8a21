"""Forms of the author's workspace; each hands clean data to a `writing.editing` function."""

from django import forms

from articles.models import Article
from articles.text import MultiLineValidator
from references.models import Reference


class NoColonMixin:
    """Labels read as plain words ("Title", not "Title:"), like the rest of the workspace."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class NewArticleForm(NoColonMixin, forms.ModelForm):
    class Meta:
        model = Article
        fields = ["title"]
        labels = {"title": "The question your article answers"}
        widgets = {"title": forms.TextInput(attrs={"placeholder": "What is the treatment for …?", "size": 70})}


class ReferenceForm(NoColonMixin, forms.ModelForm):
    url = forms.URLField(label="URL", required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Reference
        fields = ["kind", "title", "authors", "source", "year", "volume", "issue", "pages", "doi", "pmid", "url"]
        widgets = {"authors": forms.TextInput(attrs={"size": 60}), "title": forms.TextInput(attrs={"size": 60})}


class PasteReferencesForm(NoColonMixin, forms.Form):
    FORMATS = [("auto", "Detect"), ("bibtex", "BibTeX"), ("ris", "RIS"), ("ids", "DOIs or PMIDs, one per line")]

    text = forms.CharField(
        label="Paste references",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=100_000,
        validators=[MultiLineValidator("pasted references")],
        help_text="BibTeX entries, RIS records, or DOIs/PMIDs one per line. Each bad entry is reported by line; "
        "the good ones are kept, and references already in the library are matched by DOI or PMID.",
    )
    fmt = forms.ChoiceField(label="Format", choices=FORMATS, initial="auto")


class MarkdownForm(NoColonMixin, forms.Form):
    text = forms.CharField(
        label="Paste an article written in Markdown",
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=200_000,
        validators=[MultiLineValidator("pasted Markdown")],
        help_text="“## Section” headings, “- ” bullet claims (indent to nest), citation markers like [1, 2] with a "
        "numbered list under “## References”, or [@doi:10.…]; end a claim with {GRADE: moderate; strong for} or "
        "{good practice} to grade it. Unresolved markers are reported by line.",
    )
