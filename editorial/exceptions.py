"""Errors the workflow raises. Each has a ``code`` and a message a person can act on."""

from django.core.exceptions import PermissionDenied


class WorkflowError(Exception):
    """A transition or review action was refused; nothing was changed."""

    def __init__(self, message: str, *, code: str, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.problems = list(problems or [])

    @property
    def messages(self) -> list[str]:
        return [self.message, *self.problems]

    def __str__(self) -> str:
        return "\n".join(f"- {line}" if index else line for index, line in enumerate(self.messages))


class TransitionForbiddenError(WorkflowError, PermissionDenied):
    """The person may not perform this action on this article."""

    def __init__(self, message: str, *, code: str = "forbidden"):
        super().__init__(message, code=code)


class ArticleMovedOnError(WorkflowError):
    """Someone else changed the article's state first."""
