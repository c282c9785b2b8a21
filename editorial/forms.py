"""Forms for the board's actions in the admin; each one hands its data to a workflow service."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from articles.text import MultiLineValidator
from editorial import permissions
from editorial.models import ReviewAssignment
from integrity.models import Declaration


def _default_due():
    return timezone.localtime() + timedelta(days=settings.VETTED_REVIEW_DUE_DAYS)


class AssignReviewerForm(forms.Form):
    reviewer = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        label="Board member",
        help_text="Board members who did not write or edit this article and are not assigned yet.",
    )
    due_at = forms.DateTimeField(
        label="Due",
        initial=_default_due,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=f"Defaults to {settings.VETTED_REVIEW_DUE_DAYS} days from now.",
    )

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, **kwargs)
        assigned = ReviewAssignment.objects.current_round(article).active().values("reviewer")
        self.fields["reviewer"].queryset = (
            permissions.holders(permissions.REVIEW, include_superusers=False)
            .exclude(pk__in=permissions.contributor_ids(article) | {author.pk for author in article.authors.all()})
            .exclude(pk__in=assigned)
            .order_by("last_name", "first_name", "username")
        )
        previous = (
            ReviewAssignment.objects.returned_by()
            .filter(article=article, round=article.review_round - 1, reviewer__in=self.fields["reviewer"].queryset)
            .values_list("reviewer", flat=True)
            .first()
        )
        if previous is not None:
            # Whoever asked for the changes checks them first, unless an editor picks someone else.
            self.fields["reviewer"].initial = previous
            self.fields["reviewer"].help_text += " The reviewer who asked for the changes is chosen first."


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why are you declining?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        validators=[MultiLineValidator("reason")],
        help_text="The editors read this when they reassign the review (e.g. a conflict of interest, leave, "
        "outside your specialty).",
    )


class AuthorsForm(forms.Form):
    authors = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="People who may write articles. Everyone who was ever an author stays unable to review it.",
    )

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authors"].initial = [author.pk for author in article.authors.all()]
        users = get_user_model().objects
        writers = permissions.holders(permissions.SUBMIT, include_superusers=False)
        self.fields["authors"].queryset = users.filter(
            Q(pk__in=writers.values("pk")) | Q(pk__in=article.authors.values("pk"))
        ).order_by("last_name", "first_name", "username")


class DismissNoticeForm(forms.Form):
    reason = forms.CharField(
        label="Why is this a false match?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        validators=[MultiLineValidator("reason")],
        help_text="Logged on every article citing the reference (e.g. the DOI was mistyped in the database).",
    )


class DecisionForm(forms.Form):
    allowed = forms.TypedChoiceField(
        label="Decision",
        choices=[("yes", "The reviewer may continue"), ("no", "The reviewer may not review this article")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        validators=[MultiLineValidator("reason")],
        help_text="Logged with the article. Refusing closes the reviewer's assignment.",
    )


class DeclarationForm(forms.Form):
    """The ICMJE categories: financial relationships in the past 36 months with entities relevant to
    the article's topic, other relationships, or an explicit "none"."""

    none = forms.BooleanField(
        label="I have no competing interests to declare",
        required=False,
        help_text="No financial relationship in the past 36 months with an entity relevant to this topic, "
        "and no other relationship or activity that readers could see as influencing this work.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in Declaration.Category.choices:
            self.fields[code] = forms.CharField(
                label=label,
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
                validators=[MultiLineValidator(str(label))],
            )

    def relationships(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(code, "") for code in Declaration.Category.values}
