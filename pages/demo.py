"""The demo's Medical Advisory Board, for load_demo: created once, then left as editors leave it."""

from django.db import transaction

from pages.models import BoardMember

OKAFOR = {
    "specialty": "Neurology",
    "affiliation": "Department of Neurology, Riverside University Hospital",
    "bio": (
        "Dr Okafor is a consultant neurologist who looks after people with movement disorders, including tremor, "
        "myoclonus and tics. She teaches clinical neurology to medical students and reviews Vetted's articles on "
        "the brain and nerves."
    ),
    "disclosures": (
        "Has received speaker fees from a patient charity for movement disorders. No payments from "
        "pharmaceutical or device companies in the last three years."
    ),
    "position": 0,
}

OTHER_MEMBERS = (
    {
        "name": "Daniel Reyes",
        "credentials": "MD, MPH",
        "specialty": "General practice",
        "affiliation": "Harbour Street Family Practice",
        "bio": (
            "Dr Reyes is a family doctor with an interest in sleep and in the care of older adults. He checks that "
            "articles answer the questions patients bring to a first appointment."
        ),
        "disclosures": "None declared",
        "position": 1,
    },
    {
        "name": "Priya Natarajan",
        "credentials": "PharmD",
        "specialty": "Clinical pharmacy",
        "affiliation": "Northgate Teaching Hospitals",
        "bio": (
            "Dr Natarajan is a clinical pharmacist who advises on medicine doses, interactions and side effects. "
            "She reviews the treatment sections of articles."
        ),
        "disclosures": "Member of a hospital medicines committee (unpaid).",
        "position": 2,
    },
)


@transaction.atomic
def ensure_demo_board(users: dict) -> list[BoardMember]:
    """Create the demo board: ``users["reviewer"]``'s profile and two members without accounts.

    Members that already exist are left as they are (an editor may have changed them), so a second
    run writes nothing.
    """
    reviewer = users["reviewer"]
    okafor, _ = BoardMember.objects.get_or_create(
        user=reviewer,
        defaults={"name": reviewer.get_full_name(), "credentials": reviewer.credentials, **OKAFOR},
    )
    others = [
        BoardMember.objects.get_or_create(name=member["name"], user=None, defaults=member)[0]
        for member in OTHER_MEMBERS
    ]
    return [okafor, *others]
