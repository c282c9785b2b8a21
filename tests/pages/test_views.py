import importlib
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from pages.defaults import DEFAULT_POLICY
from pages.models import EditorialPolicy
from tests.factories import BoardMemberFactory, EditorialPolicyFactory, UserFactory

pytestmark = pytest.mark.django_db

POLICY_URL = "/editorial-policy/"
BOARD_URL = "/advisory-board/"


class HeadingParser(HTMLParser):
    """Collect the heading levels of a page, in document order."""

    def __init__(self):
        super().__init__()
        self.levels: list[int] = []

    def handle_starttag(self, tag, attrs):
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.levels.append(int(tag[1]))


def heading_levels(html: str) -> list[int]:
    parser = HeadingParser()
    parser.feed(html)
    return parser.levels


@pytest.fixture
def client() -> Client:
    return Client()


@pytest.fixture
def no_policy():
    EditorialPolicy.objects.all().delete()  # the data migration stored the default one


def test_urls_are_named_in_the_pages_namespace():
    """Other templates link to the pages by name."""
    assert reverse("pages:editorial_policy") == POLICY_URL
    assert reverse("pages:advisory_board") == BOARD_URL


def test_policy_page_shows_the_latest_updated_policy_with_its_date(client, no_policy):
    """Of several policies, readers see only the one updated last, dated, with a link to the board."""
    older = EditorialPolicyFactory(title="Older policy", summary="Older summary.")
    EditorialPolicyFactory(title="Newer policy", summary="Newer summary.")
    older.title = "Revised policy"
    older.save()  # now the most recently updated
    assert older.updated_at > EditorialPolicy.objects.get(title="Newer policy").updated_at

    response = client.get(POLICY_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="page-title">Revised policy</h1>' in html
    assert "Newer policy" not in html
    assert "<title>Revised policy · Vetted</title>" in html
    assert '<meta name="description" content="Older summary.">' in html
    older.refresh_from_db()
    date = timezone.localtime(older.updated_at)
    assert f'Last updated <time datetime="{date.isoformat()}">{date:%B} {date.day}, {date.year}</time>' in html
    assert '<a href="/advisory-board/">Medical Advisory Board</a>' in html


def test_policy_body_is_escaped_and_double_hash_lines_become_headings(client, no_policy):
    """Editors' text reaches readers as text: markup is escaped, “## ” lines are h2, paragraphs are p."""
    EditorialPolicyFactory(
        title="Policy <em>now</em>",
        body="Intro <script>alert('x')</script> text.\n\n## Who <b>checks</b>\nLine one\nline two",
    )
    html = Client().get(POLICY_URL).content.decode()
    assert "<script>alert" not in html
    assert "<p>Intro &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; text.</p>" in html
    assert "<h2>Who &lt;b&gt;checks&lt;/b&gt;</h2>" in html
    assert "<p>Line one<br>line two</p>" in html
    assert "Policy &lt;em&gt;now&lt;/em&gt;" in html


def test_builtin_default_policy_is_shown_when_none_is_stored(client, no_policy):
    """Without a stored policy, readers get the built-in text (undated) covering review, publication,
    re-review, error reports and conflicts of interest."""
    response = client.get(POLICY_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<h1 id="page-title">{DEFAULT_POLICY["title"]}</h1>' in html
    assert "Last updated" not in html
    for phrase in (
        "<h2>Every claim is checked against its sources</h2>",
        "member of our Medical Advisory Board reads each claim",
        "<h2>Nothing is published until it is approved</h2>",
        "at least once every 12 months",
        "error report link on that article",
        "<h2>Conflicts of interest</h2>",
    ):
        assert phrase in html


def test_data_migration_stores_the_default_policy_once_with_its_history(no_policy):
    """The migration creates the editable default row and its “created” history record, and only once."""
    migration = importlib.import_module("pages.migrations.0002_default_policy")
    state = MigrationLoader(connection).project_state(("pages", "0001_initial"))
    migration.create_default_policy(state.apps, None)
    migration.create_default_policy(state.apps, None)
    policy = EditorialPolicy.objects.get()
    assert (policy.title, policy.summary, policy.body) == tuple(DEFAULT_POLICY.values())
    assert list(policy.history.values_list("history_type", flat=True)) == ["+"]


def test_board_page_lists_active_members_in_order_with_credentials_and_disclosures(client):
    """Members appear by position with name and credentials, specialty, affiliation, bio and labelled
    disclosures; inactive members are hidden."""
    second = BoardMemberFactory(
        name="Daniel Reyes",
        credentials="MD, MPH",
        specialty="General practice",
        position=2,
        disclosures="None declared",
    )
    first = BoardMemberFactory(
        name="Maya Okafor",
        credentials="MD, FRCP",
        specialty="Neurology",
        affiliation="Riverside University Hospital",
        bio="Looks after people with tremor.",
        disclosures="Speaker fees from a patient charity.",
        position=1,
    )
    BoardMemberFactory(name="Retired Member", is_active=False, position=0)

    response = client.get(BOARD_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Retired Member" not in html
    assert html.index("Maya Okafor, MD, FRCP") < html.index("Daniel Reyes, MD, MPH")
    assert f'<h2 id="member-{first.pk}-name">Maya Okafor, MD, FRCP</h2>' in html
    assert "<div><dt>Specialty</dt><dd>Neurology</dd></div>" in html
    assert "<div><dt>Affiliation</dt><dd>Riverside University Hospital</dd></div>" in html
    assert "<p>Looks after people with tremor.</p>" in html
    disclosures = html.index(f'<h3 id="member-{first.pk}-disclosures">Disclosures</h3>')
    assert html.index("Speaker fees from a patient charity.", disclosures) < html.index(f'id="member-{second.pk}"')
    assert f'<li id="member-{second.pk}" class="member">' in html
    assert '<a href="/editorial-policy/">editorial policy</a>' in html
    assert first.get_absolute_url() == f"/advisory-board/#member-{first.pk}"


def test_board_page_escapes_member_text(client):
    """A member's fields are shown as text, never as markup."""
    BoardMemberFactory(name="<b>Bold</b>", bio="<script>x()</script>", disclosures="<i>none</i>")
    html = client.get(BOARD_URL).content.decode()
    assert "<script>x()" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html
    assert "&lt;i&gt;none&lt;/i&gt;" in html


def test_board_page_without_active_members_says_so(client):
    """An empty board still renders, with a note instead of an empty list."""
    BoardMemberFactory(is_active=False)
    html = client.get(BOARD_URL).content.decode()
    assert "The board's members will be listed here soon." in html
    assert 'class="board"' not in html


@pytest.mark.parametrize(
    ("url", "title"),
    [(POLICY_URL, "Editorial policy · Vetted"), (BOARD_URL, "Medical Advisory Board · Vetted")],
)
def test_pages_have_title_description_and_canonical_link_from_site_url(client, no_policy, url, title):
    """Each page has its own title, a meta description and a canonical link built from SITE_URL."""
    with override_settings(SITE_URL="https://vetted.example/"):
        html = client.get(url).content.decode()
    assert f"<title>{title}</title>" in html
    assert '<meta name="description" content="' in html
    assert f'<link rel="canonical" href="https://vetted.example{url}">' in html
    assert '<link rel="stylesheet" href="/static/css/pages.css">' in html


@pytest.mark.parametrize("url", [POLICY_URL, BOARD_URL])
def test_pages_have_one_h1_and_headings_in_order(client, url):
    """Screen-reader users navigate by headings: one h1, and no level is skipped."""
    BoardMemberFactory.create_batch(2)
    levels = heading_levels(client.get(url).content.decode())
    assert levels[0] == 1
    assert levels.count(1) == 1
    assert all(later <= earlier + 1 for earlier, later in zip(levels, levels[1:], strict=False))


@pytest.mark.parametrize("stored", [True, False], ids=["stored", "default"])
def test_policy_page_costs_one_query(client, no_policy, django_assert_num_queries, stored):
    """One query: the latest policy (none stored: the same query, then the built-in text)."""
    if stored:
        EditorialPolicyFactory()
    with django_assert_num_queries(1):
        assert client.get(POLICY_URL).status_code == 200


@pytest.mark.parametrize("members", [2, 10])
def test_board_page_costs_one_query_however_many_members(client, django_assert_num_queries, members):
    """One query: the active members, in order; linked accounts are not read."""
    for _ in range(members):
        BoardMemberFactory(user=UserFactory())
    with django_assert_num_queries(1):
        response = client.get(BOARD_URL)
    assert response.content.decode().count('class="member"') == members
