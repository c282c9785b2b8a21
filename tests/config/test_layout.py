"""The project's layout rules that code review would otherwise have to remember."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "api", "articles", "editorial", "integrity", "pages", "reader", "references", "writing")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_no_app_imports_another_apps_views():
    """Views are an app's surface, not a library: shared code lives in modules of its own."""
    crossing = [
        f"{path.relative_to(ROOT)} imports {module}"
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        for module in imports_of(path)
        if module.split(".")[0] in APPS and module.split(".")[0] != app and module.split(".")[1:2] == ["views"]
    ]
    assert crossing == []


def test_reader_feedback_lives_in_the_reader_app():
    """Readers' messages: form, rate limit, model and URLs in `reader`; the board handles them in its admin."""
    from django.urls import resolve, reverse

    from reader.models import ReaderMessage

    assert ReaderMessage._meta.app_label == "reader"
    assert resolve(reverse("reader:question", args=["any-article"])).func.__module__ == "reader.feedback"
    assert not (ROOT / "editorial" / "feedback.py").exists()
