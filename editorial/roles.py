"""The editorial roles, as Django groups, and the permissions each holds.

`sync_roles` runs from a migration and again after every `migrate` (and test-database flush),
so the groups always hold exactly these permissions.
"""

AUTHORS = "Authors"
REVIEWERS = "Reviewers"
EDITORS = "Editors"
ALL_ROLES = (AUTHORS, REVIEWERS, EDITORS)

_VIEW_CONTENT = [
    "articles.view_article",
    "articles.view_section",
    "articles.view_claim",
    "articles.view_topic",
    "references.view_reference",
    "references.view_citation",
]
_EDIT_CONTENT = [
    "articles.add_article",
    "articles.change_article",
    "articles.add_section",
    "articles.change_section",
    "articles.delete_section",
    "articles.add_claim",
    "articles.change_claim",
    "articles.delete_claim",
    "references.add_reference",
    "references.change_reference",
    "references.add_citation",
    "references.change_citation",
    "references.delete_citation",
]
_VIEW_RECORDS = [
    "editorial.view_articleversion",
    "editorial.view_transitionlog",
    "editorial.view_reviewassignment",
    "editorial.view_claimreview",
    "integrity.view_retractionnotice",
    "integrity.view_declaration",
]

ROLE_PERMISSIONS = {
    AUTHORS: ["articles.submit_article", *_VIEW_CONTENT, *_EDIT_CONTENT, *_VIEW_RECORDS],
    REVIEWERS: ["articles.review_article", *_VIEW_CONTENT, *_VIEW_RECORDS],
    EDITORS: [
        "articles.submit_article",
        "articles.manage_workflow",
        *_VIEW_CONTENT,
        *_EDIT_CONTENT,
        *_VIEW_RECORDS,
        "articles.add_topic",
        "articles.change_topic",
        "references.delete_reference",
        "editorial.view_notification",
        "editorial.view_purgerequest",
        "reader.view_readermessage",
        "reader.change_readermessage",
        "integrity.view_retractionimport",
        "integrity.view_retractionrecord",
        "integrity.view_retractionscan",
        "integrity.view_citingreason",
        "pages.view_editorialpolicy",
        "pages.add_editorialpolicy",
        "pages.change_editorialpolicy",
        "pages.delete_editorialpolicy",
        "pages.view_boardmember",
        "pages.add_boardmember",
        "pages.change_boardmember",
        "pages.delete_boardmember",
    ],
}


def sync_roles(apps) -> None:
    """Create the groups and give each exactly its permissions (``apps``: a migration's or the real registry)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = [name.split(".") for name in names]
        found = list(
            Permission.objects.filter(
                content_type__app_label__in={app for app, _ in wanted}, codename__in={code for _, code in wanted}
            ).select_related("content_type")
        )
        group.permissions.set([perm for perm in found if [perm.content_type.app_label, perm.codename] in wanted])
