"""``{% feedback_forms article %}``: the follow-up question and error report forms for an article page."""

from django import template

from reader.feedback import SENT, ErrorReportForm, QuestionForm, thanks_for

register = template.Library()


@register.inclusion_tag("reader/_feedback_forms.html", takes_context=True)
def feedback_forms(context, article):
    """Render both empty forms, posting to ``article``'s endpoints, and the thank-you after a post."""
    request = context.get("request")
    return {
        "article": article,
        "question_form": QuestionForm(),
        "error_form": ErrorReportForm(),
        "thanks": thanks_for(request.GET.get(SENT, "")) if request else "",
    }
