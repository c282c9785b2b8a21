"""The editorial roles, as Django groups."""

AUTHORS = "Authors"
REVIEWERS = "Reviewers"
EDITORS = "Editors"
ALL_ROLES = (AUTHORS, REVIEWERS, EDITORS)
