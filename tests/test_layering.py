"""The apps depend on each other in one direction: core <- accounts <- exchange <- messaging
<- outcomes <- privacy <- demo. A lower app never imports a higher one, not even inside a
function; it announces
(exchange.signals, accounts.signals) or offers a registry, and the higher app reacts in its
AppConfig.ready. `matching` is a pure-Python engine that imports no Django and no app.

The test reads the source of every module (ast, so imports inside functions and under
TYPE_CHECKING count too) and fails on any import against the order.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["core", "accounts", "exchange", "messaging", "outcomes", "privacy", "demo"]
# The project's wiring lives in the exchange package (settings, the ASGI and Celery entry
# points): it assembles every app, so it may name the ones above.
WIRING = {"exchange.settings", "exchange.asgi", "exchange.celery", "exchange.urls"}


def _modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        yield name.removesuffix(".__init__"), path


def _imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def _top(module: str) -> str:
    return module.split(".", 1)[0]


def offences(app: str) -> list[str]:
    rank = ORDER.index(app)
    higher = set(ORDER[rank + 1 :])
    return sorted(
        f"{name} imports {imported}"
        for name, path in _modules(app)
        if name not in WIRING
        for imported in _imported(path)
        if _top(imported) in higher
    )


@pytest.mark.parametrize("app", ORDER)
def test_no_app_imports_one_above_it(app):
    assert offences(app) == []


def test_matching_imports_neither_django_nor_an_app():
    imported = {_top(module) for _name, path in _modules("matching") for module in _imported(path)}
    assert imported & {"django", "rules", "channels", *ORDER} == set()


def test_the_check_finds_an_import_against_the_order(tmp_path, monkeypatch):
    """The reader sees an import inside a function: the test above can fail."""
    app = tmp_path / "core"
    app.mkdir()
    (app / "helpers.py").write_text("def later():\n    from messaging.models import Room\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert offences("core") == ["core.helpers imports messaging.models"]


def test_every_app_of_the_project_is_in_the_order():
    from django.conf import settings

    ours = [app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()]
    assert ours == ORDER
