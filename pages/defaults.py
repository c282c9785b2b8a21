"""The editorial policy readers see before editors write their own; the first migration stores it."""

DEFAULT_POLICY = {
    "title": "Editorial policy",
    "summary": (
        "How every Vetted article is checked claim by claim by our Medical Advisory Board before it is published, "
        "kept up to date and corrected."
    ),
    "body": """\
Vetted answers clinical questions in plain language for patients, carers and clinicians. This policy explains how \
each answer is checked before you read it, and how we keep it accurate afterwards.

## Every claim is checked against its sources
Each article is made of separate statements, or claims, and every claim cites the sources it rests on. A member of \
our Medical Advisory Board reads each claim beside the sources it cites and marks it as verified only when those \
sources support it. If a claim changes after it was verified, it has to be checked again.

## Nothing is published until it is approved
An article appears on Vetted only after a board member has verified every one of its claims and approved it. \
Drafts and articles still under review are never shown to readers. Each article names the board member who \
reviewed it and the date of that approval.

## Articles are reviewed again at least every 12 months
Medical evidence and guidance change. Every approved article is reviewed again at least once every 12 months, and \
sooner when new evidence makes that necessary. Until a revised article is approved, readers keep seeing the last \
approved version.

## Reporting an error
If you think something in an article is wrong, out of date or unclear, please tell us using the error report link \
on that article. Our editors read every report, and a board member checks the claims concerned. A correction is \
reviewed in the same way as a new article.

## Conflicts of interest
Board members declare any financial or professional interests that could bear on their reviews, and we publish \
these declarations on the Medical Advisory Board page. Nobody reviews an article they wrote.

## Not a substitute for care
Our articles are written for education. They cannot replace advice from a clinician who knows you and your \
situation.""",
}
