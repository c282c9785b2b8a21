"""Every door of the admin enforces the workflow's rules: a matrix built from the admin registry.

For each admin URL of each content model (changelist, add, change, delete, history, history
detail and revert, autocomplete, and the board's own views), each role (another author, the
author, a board member not assigned, the assigned board member, an editor, a superuser who
co-wrote the article) and each state (draft, submitted, under review, approved): allowed
where the rules allow, otherwise 403/404/405 and nothing in the database changed.

The URLs come from the admins' own ``urls``: a view added tomorrow appears here, and the test
fails until the matrix says what that view may do.
"""

from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from accounts.models import User
from articles.models import Article, Claim, Section
from editorial.admin.mixins import ArticleRowsMixin, ContentAdminMixin
from editorial.models import ClaimReview, ReviewAssignment, TransitionLog
from editorial.services import assign_reviewer, perform_transition
from references.models import Citation, Reference
from tests import workflow
from tests.factories import ClaimFactory, ReferenceFactory, SectionFactory, cite

pytestmark = pytest.mark.django_db

STATES = ("draft", "submitted", "under_review", "approved")
ROLES = ("other_author", "author", "unassigned_reviewer", "assigned_reviewer", "editor", "superuser_author")
CONTENT_MODELS = (Article, Section, Claim, Citation, Reference)
WORKFLOW_RECORDS = (TransitionLog, ReviewAssignment, ClaimReview)
REFUSED = {403, 404, 405}
# How a list shows article A's part of each model (the search box echoes the bare marker).
SHOWN_AS = {
    Article: "What does {marker} treat?",
    Section: "Heading {marker}",
    Claim: "Claim {marker} is supported.",
    Citation: "Claim {marker} is supported.",
    Reference: "Trial of {marker}",
}


def test_every_admin_of_article_content_or_records_goes_through_the_permission_layer():
    """Walk the registry: content admins use ContentAdminMixin; any row pointing at an article, ArticleRowsMixin."""
    about_articles = (*CONTENT_MODELS, ReviewAssignment)
    for model, model_admin in admin.site._registry.items():
        if model in CONTENT_MODELS:
            assert isinstance(model_admin, ContentAdminMixin), f"{model.__name__} admin bypasses the permission layer"
        elif any(
            getattr(model_field, "related_model", None) in about_articles
            for model_field in model._meta.get_fields()
            if model_field.many_to_one or model_field.one_to_one
        ):
            assert isinstance(model_admin, ArticleRowsMixin), f"{model.__name__} admin shows rows of any article"


@dataclass
class Scene:
    """Article A in one state, with the people who try its doors and the objects behind them."""

    state: str
    article: Article
    users: dict[str, User]
    objects: dict[type, object] = field(default_factory=dict)
    marker: str = ""


def build(state: str) -> Scene:
    marker = f"zqmarker{state}"
    alice = workflow.author(username=f"alice-{state}")
    bob = workflow.author(username=f"bob-{state}")
    rita = workflow.reviewer(username=f"rita-{state}")
    ray = workflow.reviewer(username=f"ray-{state}")
    ed = workflow.editor(username=f"ed-{state}")
    root = workflow.superuser(username=f"root-{state}")
    for user in (alice, bob, rita, ray, ed, root):
        user.is_staff = True
        user.save()
    article = Article.objects.create(title=f"What does {marker} treat?")
    article.authors.add(alice, root)
    reference = ReferenceFactory(title=f"Trial of {marker}")
    cite(ClaimFactory(article=article, section=None, text=f"The short answer {marker}."), reference)
    section = SectionFactory(article=article, heading=f"Heading {marker}")
    claim = ClaimFactory(section=section, text=f"Claim {marker} is supported.")
    cite(claim, reference)
    workflow.ready_article(by=bob)  # bob's own draft, so bob has something of his own
    if state != "draft":
        article = workflow.submitted(article)
        assign_reviewer(article, reviewer=ray, by=ed, due_at=workflow.in_days(7))
    if state in ("under_review", "approved"):
        article = workflow.under_review(article, by=ray)
    if state == "approved":
        workflow.verify_all(article, ray)
        article = perform_transition(article, "approve", by=ray)
    users = {
        "other_author": bob,
        "author": alice,
        "unassigned_reviewer": rita,
        "assigned_reviewer": ray,
        "editor": ed,
        "superuser_author": root,
    }
    objects = {
        Article: article,
        Section: section,
        Claim: claim,
        Citation: claim.citations.get(),
        Reference: reference,
        TransitionLog: TransitionLog.objects.filter(article=article).first(),
        ReviewAssignment: ReviewAssignment.objects.filter(article=article).first(),
        ClaimReview: ClaimReview.objects.filter(assignment__article=article).first(),
    }
    return Scene(state, article, users, objects, marker)


# What the rules say, written out here rather than asked of editorial.permissions.


def sees(role: str, state: str) -> bool:
    """Authors see their own articles, editors all, the board the queue and its assignments."""
    if role in ("author", "editor", "superuser_author"):
        return True
    if role == "unassigned_reviewer":
        return state == "submitted"
    if role == "assigned_reviewer":
        return state != "draft"
    return False


def edits(role: str, state: str) -> bool:
    """Content changes only in a draft, by its authors or an editor."""
    return state == "draft" and role in ("author", "editor", "superuser_author")


def corrects_reference(role: str, state: str) -> bool:
    """Editors correct any reference; an author one only their open draft cites."""
    return role in ("editor", "superuser_author") or (role == "author" and state == "draft")


def writes(role: str) -> bool:
    return role in ("other_author", "author", "editor", "superuser_author")


def snapshot() -> dict:
    """Everything a door could change, as comparable values."""
    return {
        "articles": list(Article.objects.order_by("pk").values_list("pk", "title", "slug", "state", "topic")),
        "authors": list(Article.authors.through.objects.order_by("pk").values_list("article", "user")),
        "sections": list(Section.objects.order_by("pk").values_list("pk", "article", "heading", "intro", "parent")),
        "claims": list(Claim.objects.order_by("pk").values_list("pk", "article", "section", "text", "parent")),
        "citations": list(Citation.objects.order_by("pk").values_list("pk", "claim", "reference")),
        "references": list(Reference.objects.order_by("pk").values_list("pk", "title", "source", "year", "doi")),
        "reviews": ClaimReview.objects.count(),
        "log": TransitionLog.objects.count(),
        "assignments": list(ReviewAssignment.objects.order_by("pk").values_list("pk", "status", "reviewer")),
    }


def history_id(obj) -> int:
    return type(obj).history.filter(id=obj.pk).order_by("-history_id").values_list("history_id", flat=True)[0]


def hostile_post(model, scene: Scene) -> dict:
    """A form that would move the content to someone else or rewrite it, were the door open."""
    bob = scene.users["other_author"]
    return {
        "title": "Hijacked",
        "slug": "hijacked",
        "authors": [bob.pk],
        "article": scene.article.pk,
        "section": scene.objects[Section].pk,
        "claim": scene.objects[Claim].pk,
        "reference": scene.objects[Reference].pk,
        "heading": "Hijacked",
        "text": "Hijacked",
        "source": "Hijacked",
        "year": 2001,
        "kind": "research",
        "position": 0,
        "post": "yes",
        "comment": "Hijacked",
        "verdict": "verified",
        "reviewer": bob.pk,
        "due_at": "2099-01-01T10:00",
        "action": "delete_selected",
        "_selected_action": [scene.objects[model].pk] if model in scene.objects and scene.objects[model] else [],
    }


@dataclass
class Door:
    url: str
    get: str  # "visible", "listed", "writer", "editor", "never", "always", "redirect"
    post: str  # "edit", "never", "workflow", "none" (no POST worth trying)


def doors(model, model_admin, scene: Scene) -> list[Door]:
    """Each admin URL of ``model`` with the rule it must follow; fails on a URL nobody classified."""
    obj = scene.objects[model]
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    content_type = ContentType.objects.get_for_model(model)
    # The site's "view on site" redirect: a draft's address is not for everyone to read.
    found = [Door(reverse("admin:view_on_site", args=[content_type.pk, obj.pk]), "shortcut", "none")]
    for pattern in model_admin.urls:
        name = pattern.name
        if name is None:
            # Django's bare "<object_id>/" pattern, which redirects to the change page.
            found.append(Door(f"{reverse(f'{info}_changelist')}{obj.pk}/", "redirect", "none"))
            continue
        suffix = name.removeprefix(f"{model._meta.app_label}_{model._meta.model_name}_")
        if suffix == "changelist":
            # A search, so board members are not sent on to their queue first.
            found.append(Door(f"{reverse(f'admin:{name}')}?q={scene.marker}", "listed", "never"))
        elif suffix == "add":
            found.append(Door(reverse(f"admin:{name}"), "add", "add"))
        elif suffix == "change":
            found.append(Door(reverse(f"admin:{name}", args=[obj.pk]), "visible", "edit"))
        elif suffix == "delete":
            found.append(Door(reverse(f"admin:{name}", args=[obj.pk]), "delete", "delete"))
        elif suffix == "history":
            found.append(Door(reverse(f"admin:{name}", args=[obj.pk]), "visible", "none"))
        elif suffix == "simple_history":
            found.append(Door(reverse(f"admin:{name}", args=[obj.pk, history_id(obj)]), "visible", "never"))
        elif suffix in ("review", "content_history"):
            found.append(Door(reverse(f"admin:{name}", args=[obj.pk]), "visible", "none"))
        elif suffix in ("assign", "authors"):
            found.append(Door(reverse(f"admin:{name}", args=[obj.pk]), "editor", "editor"))
        elif suffix == "mark_claim":
            claim_uuid = scene.objects[Claim].uuid
            found.append(Door(reverse(f"admin:{name}", args=[obj.pk, claim_uuid]), "redirect", "workflow"))
        elif suffix == "carry_over":
            found.append(Door(reverse(f"admin:{name}", args=[obj.pk]), "redirect", "workflow"))
        elif suffix == "transition":
            for transition in ("approve", "request_changes", "submit", "withdraw"):
                found.append(Door(reverse(f"admin:{name}", args=[obj.pk, transition]), "redirect", "workflow"))
        elif suffix in ("export", "view", "decline"):
            continue  # records' own views, tested with their admins
        else:
            pytest.fail(f"{name}: an admin view the door matrix does not know; say what it may do")
    return found


def deletes(model, role: str, state: str) -> bool:
    """Only superusers may delete articles (and only drafts); editors references; parts are never deleted here."""
    if model is Article:
        return role == "superuser_author" and state == "draft"
    return model is Reference and role in ("editor", "superuser_author")


def allowed_get(kind: str, model, role: str, state: str) -> bool:
    if kind == "visible":
        return model is Reference or sees(role, state)
    if kind == "editor":
        return role in ("editor", "superuser_author") and sees(role, state)
    if kind == "delete":
        return deletes(model, role, state)
    if kind == "add":
        return writes(role) and model in (Article, Reference)
    return True


def allowed_post(kind: str, model, role: str, state: str) -> bool:
    if kind == "edit":
        if model is Reference:
            return corrects_reference(role, state)
        return model is Article and edits(role, state)
    if kind in ("editor", "delete", "add"):
        return allowed_get(kind, model, role, state)
    if kind == "workflow":
        # Who may take which workflow action is tested action by action in test_permissions;
        # here only the people who cannot see the article try (an allowed one would move it on).
        return sees(role, state)
    return False


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("state", STATES)
def test_every_admin_door_of_content_follows_the_rules(state):
    """Each URL × role: seen only where visible, changed only where the workflow allows, else refused and unchanged."""
    scene = build(state)
    problems = []
    for model in CONTENT_MODELS:
        model_admin = admin.site._registry[model]
        for role, user in scene.users.items():
            client = client_for(user)
            for door in doors(model, model_admin, scene):
                response = client.get(door.url, follow=door.get == "redirect")
                problems += check_get(door, model, role, state, response, scene)
                if door.post == "none" or allowed_post(door.post, model, role, state):
                    continue  # allowed changes are exercised with valid forms in the tests below
                before = snapshot()
                response = client.post(door.url, hostile_post(model, scene))
                after = snapshot()
                if after != before:
                    problems.append(f"{role} POST {door.url} changed the database ({response.status_code})")
                refused = response.status_code in REFUSED or (door.get == "listed" and response.status_code < 400)
                if not refused:
                    problems.append(f"{role} POST {door.url} answered {response.status_code}, not a refusal")
    assert Article.objects.get(pk=scene.article.pk).state == scene.article.state
    assert problems == [], "\n".join(problems)


def check_get(door: Door, model, role: str, state: str, response, scene: Scene) -> list[str]:
    where = f"{role} GET {door.url} ({state})"
    status = response.status_code
    if status >= 500:
        return [f"{where} answered {status}"]
    if door.get == "listed":
        shown = SHOWN_AS[model].format(marker=scene.marker) in response.content.decode()
        expected = model is Reference or sees(role, state)
        if status != 200 or shown != expected:
            return [f"{where}: {status}, marker shown={shown}, expected shown={expected}"]
        return []
    if door.get == "shortcut":  # not followed: the redirect itself must not name what the viewer cannot see
        if not allowed_get("visible", model, role, state) and status != 404:
            return [f"{where}: {status} ({response.get('Location')}) for an object they cannot see"]
        return []
    if door.get == "redirect":  # followed: it must end where the rules allow
        if not allowed_get("visible", model, role, state) and status not in REFUSED:
            return [f"{where}: {status} for an article they cannot see"]
        return []
    expected = allowed_get(door.get, model, role, state)
    if expected and status != 200:
        return [f"{where}: {status}, expected 200"]
    if not expected and status not in REFUSED:
        return [f"{where}: {status}, expected a refusal"]
    if status == 200 and door.get == "visible" and door.url.endswith("/change/"):
        editable = 'name="title"' in response.content.decode() or 'name="heading"' in response.content.decode()
        may_edit = allowed_post("edit", model, role, state)
        if editable != may_edit:
            return [f"{where}: form editable={editable}, rules say {may_edit}"]
    return []


@pytest.mark.parametrize("state", STATES)
def test_autocomplete_lists_only_what_the_viewer_may_see(state):
    """The admin's autocomplete for every foreign key to content answers with visible rows only."""
    scene = build(state)
    sources = [
        ("articles", "section", "article", Article),
        ("articles", "claim", "section", Section),
        ("references", "citation", "claim", Claim),
        ("references", "citation", "reference", Reference),
    ]
    problems = []
    for role, user in scene.users.items():
        client = client_for(user)
        for app_label, model_name, field_name, target in sources:
            query = {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": scene.marker}
            response = client.get(reverse("admin:autocomplete"), query)
            shown = response.status_code == 200 and bool(response.json()["results"])
            expected = target is Reference or sees(role, state)
            if shown != expected:
                problems.append(f"{role} autocomplete {model_name}.{field_name}: shown={shown}, expected={expected}")
    assert problems == [], "\n".join(problems)


def test_history_and_changelist_filters_do_not_reveal_another_authors_draft():
    """Citation filters by claim, section and claim history of a draft: nothing for another author."""
    scene = build("draft")
    bob = client_for(scene.users["other_author"])
    claim = scene.objects[Claim]
    listing = bob.get(reverse("admin:references_citation_changelist"), {"claim": claim.pk})
    assert scene.marker not in listing.content.decode()
    assert bob.get(reverse("admin:articles_claim_history", args=[claim.pk])).status_code == 404
    detail = reverse("admin:articles_claim_simple_history", args=[claim.pk, history_id(claim)])
    assert bob.get(detail).status_code == 404
    assert bob.get(reverse("admin:articles_claim_history", args=["not-an-id"])).status_code == 404


def test_a_deleted_claims_history_stays_private_to_those_who_see_its_article():
    """Once a claim is deleted, its history is still shown only to people who may see its article."""
    scene = build("draft")
    claim = scene.objects[Claim]
    claim_pk = claim.pk
    claim.delete()
    url = reverse("admin:articles_claim_history", args=[claim_pk])
    assert client_for(scene.users["other_author"]).get(url).status_code == 404
    assert client_for(scene.users["author"]).get(url).status_code == 200


def test_revert_from_history_is_refused_for_everyone_and_changes_nothing():
    """simple-history's revert form would write content behind the workflow: it only shows, never saves."""
    scene = build("draft")
    article = scene.article
    article.title = "Renamed in the draft"
    article._history_user = scene.users["author"]
    article.save()
    oldest = article.history.order_by("history_id").first()
    url = reverse("admin:articles_article_simple_history", args=[article.pk, oldest.history_id])
    for user in (scene.users["author"], scene.users["editor"], scene.users["superuser_author"]):
        client = client_for(user)
        page = client.get(url)
        assert page.status_code == 200
        assert b"Revert" not in page.content
        before = snapshot()
        assert client.post(url, {"title": oldest.title, "slug": oldest.slug}).status_code == 405
        assert snapshot() == before


def test_an_editor_and_an_author_save_a_draft_through_the_change_form():
    """Allowed from the other side: the article's own form saves for its author and an editor, keeping the authors."""
    scene = build("draft")
    url = reverse("admin:articles_article_change", args=[scene.article.pk])
    for role in ("author", "editor"):
        client = client_for(scene.users[role])
        form = form_data(client.get(url))
        form.update({"title": f"Edited by the {role}?", "authors": [scene.users["other_author"].pk]})
        response = client.post(url, form)
        assert response.status_code == 302, response.content.decode()[:2000]
        article = Article.objects.get(pk=scene.article.pk)
        assert article.title == f"Edited by the {role}?"
        assert set(article.authors.all()) == {scene.users["author"], scene.users["superuser_author"]}


def test_an_author_corrects_a_reference_only_their_open_draft_cites():
    """The reference library's change form follows the workspace's rule for authors, from both sides."""
    scene = build("draft")
    reference = scene.objects[Reference]
    url = reverse("admin:references_reference_change", args=[reference.pk])
    author = client_for(scene.users["author"])
    form = form_data(author.get(url))
    form["source"] = "Corrected Journal"
    assert author.post(url, form).status_code == 302
    assert Reference.objects.get(pk=reference.pk).source == "Corrected Journal"

    other_article = workflow.ready_article(by=scene.users["other_author"])
    cite(other_article.claims.first(), reference)  # now shared with bob's article
    form["source"] = "Corrected again"
    assert author.post(url, form).status_code == 403
    assert Reference.objects.get(pk=reference.pk).source == "Corrected Journal"
    editor = client_for(scene.users["editor"])
    assert editor.post(url, form).status_code == 302
    assert Reference.objects.get(pk=reference.pk).source == "Corrected again"


def form_data(response) -> dict:
    """The values a browser would post back from an admin change form (inputs, selects, textareas)."""
    from html.parser import HTMLParser

    class Collect(HTMLParser):
        def __init__(self):
            super().__init__()
            self.data: dict = {}
            self.select = None
            self.textarea = None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            name = attrs.get("name")
            if tag == "input" and name and attrs.get("type") not in ("submit", "checkbox", "file"):
                self.data[name] = attrs.get("value", "")
            elif tag == "input" and name and attrs.get("type") == "checkbox" and "checked" in attrs:
                self.data.setdefault(name, []).append(attrs.get("value", "on"))
            elif tag == "select" and name:
                self.select = name
                self.data.setdefault(name, "")
            elif tag == "option" and self.select and "selected" in attrs:
                self.data[self.select] = attrs.get("value", "")
            elif tag == "textarea" and name:
                self.textarea = name
                self.data[name] = ""

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None

        def handle_data(self, data):
            if self.textarea:
                self.data[self.textarea] += data

    parser = Collect()
    parser.feed(response.content.decode())
    parser.data.pop("csrfmiddlewaretoken", None)
    return parser.data


def test_four_eyes_a_superuser_who_drafted_and_was_removed_from_the_authors_cannot_approve():
    """The confirmed bypass: draft at /write/new/, leave the authors, submit, review, approve — refused."""
    from editorial.exceptions import TransitionForbiddenError
    from editorial.services import change_authors

    root = workflow.superuser(username="root-four-eyes")
    client = client_for(root)
    response = client.post(reverse("writing:new"), {"title": "Is this a four-eyes test?"})
    article = Article.objects.get(title="Is this a four-eyes test?")
    assert response.status_code == 302
    reference = ReferenceFactory()
    cite(ClaimFactory(article=article, section=None), reference)
    cite(ClaimFactory(section=SectionFactory(article=article), article=article), reference)
    other = workflow.author()
    change_authors(article, authors=[other], by=root)  # allowed: root is an editor too, and it is logged
    assert TransitionLog.objects.filter(article=article, transition="change_authors").exists()
    workflow.declare_none(article, other)
    perform_transition(article, "submit", by=other)
    with pytest.raises(TransitionForbiddenError):
        perform_transition(article, "start_review", by=root)
    assert Article.objects.get(pk=article.pk).state == Article.State.SUBMITTED
