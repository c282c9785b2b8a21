"""The workflow's transitions, one row each: every fact about a transition, in one table.

The state machine itself (sources and targets) is declared on `articles.models.Article` with
django-fsm. Everything else the workflow says about a transition lives here, and each screen and
service reads it: `editorial.permissions` (who may perform it), `editorial.services` (the
refusal wording and the required comment), `editorial.review` (the admin's buttons),
`editorial.notifications` (whom it tells) and `writing.views` (what the author's workspace offers).
`tests/editorial/test_transitions.py` checks that the table and the state machine agree.
"""

from dataclasses import dataclass
from enum import StrEnum


class Actor(StrEnum):
    """Who may perform a transition; `editorial.permissions` checks each kind of actor."""

    AUTHOR_OR_EDITOR = "author_or_editor"
    BOARD_MEMBER = "board_member"  # who did not write it; the assigned one once someone is assigned
    ASSIGNED_REVIEWER = "assigned_reviewer"  # who did not write it
    EDITOR = "editor"


class Audience(StrEnum):
    """Who is told when a transition happens (`editorial.notifications` finds the people)."""

    AUTHORS = "authors"
    EDITORS = "editors"
    BOARD = "board"  # the board, less the article's own authors


@dataclass(frozen=True)
class Transition:
    name: str
    verb: str  # in refusals: "You cannot {verb} an article that is draft."
    button: str  # the label of the button that offers it
    actor: Actor
    comment_prompt: str = ""  # asked for, and required, when not empty
    notifies: tuple[Audience, ...] = ()
    in_workspace: bool = False  # offered in the author's workspace as well as the admin

    @property
    def needs_comment(self) -> bool:
        return bool(self.comment_prompt)


TRANSITIONS: dict[str, Transition] = {
    transition.name: transition
    for transition in (
        Transition(
            "submit",
            "submit",
            "Submit for review",
            Actor.AUTHOR_OR_EDITOR,
            notifies=(Audience.EDITORS, Audience.BOARD),
            in_workspace=True,
        ),
        Transition("start_review", "start reviewing", "Start the review", Actor.BOARD_MEMBER),
        Transition(
            "request_changes",
            "request changes to",
            "Request changes",
            Actor.ASSIGNED_REVIEWER,
            comment_prompt="Say what the authors should change.",
            notifies=(Audience.AUTHORS,),
        ),
        Transition("approve", "approve", "Approve and publish", Actor.ASSIGNED_REVIEWER, notifies=(Audience.AUTHORS,)),
        Transition("revise", "revise", "Start a revision", Actor.AUTHOR_OR_EDITOR, in_workspace=True),
        Transition(
            "withdraw",
            "withdraw",
            "Withdraw from readers",
            Actor.EDITOR,
            comment_prompt="Give the reason for withdrawing the article.",
            notifies=(Audience.AUTHORS,),
        ),
        Transition(
            "reinstate",
            "reinstate",
            "Reinstate",
            Actor.EDITOR,
            comment_prompt="Give the reason for reinstating the article.",
        ),
    )
}
