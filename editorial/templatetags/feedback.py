"""``{% feedback_forms article %}``: the follow-up question and error report forms for an article page."""

from django import template

from editorial.feedback import ErrorReportForm, QuestionForm

register = template.Library()


@register.inclusion_tag("editorial/_feedback_forms.html")
def feedback_forms(article):
    """Render both empty forms, posting to ``article``'s endpoints."""
    return {"article": article, "question_form": QuestionForm(), "error_form": ErrorReportForm()}
