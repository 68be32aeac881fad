"""A test module never imports from another test module: shared helpers live in
tests/helpers.py, tests/exchange/helpers.py and tests/messaging/helpers.py, and shared fixtures
in a conftest.py.

Importing a test module runs its tests a second time under another name when its fixtures or
`test_*` functions are pulled in, and ties one file's helpers to another file's tests.
"""

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def _is_test_module(dotted: str) -> bool:
    return dotted.split(".")[-1].startswith("test_")


def _test_module_imports(path: Path) -> list[str]:
    """`from tests.x.test_y import ...`, `import tests.x.test_y` and
    `from tests.x import test_y`, inside functions too."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if _is_test_module(alias.name)]
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            if _is_test_module(module):
                found.append(module)
            else:
                found += [
                    f"{module}.{alias.name}" for alias in node.names if _is_test_module(alias.name)
                ]
    return found


def _modules() -> list[Path]:
    return sorted(TESTS.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_module_imports_no_test_module(path):
    assert _test_module_imports(path) == []


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from tests.exchange.test_views import sign_in", ["tests.exchange.test_views"]),
        ("import tests.test_settings", ["tests.test_settings"]),
        (
            "from tests.messaging import conftest, test_moderation_views as m",
            ["tests.messaging.test_moderation_views"],
        ),
        ("from .test_pdf import pdf_text", [".test_pdf"]),
        ("def f():\n    from tests.test_settings import run_with_env", ["tests.test_settings"]),
        ("from tests.helpers import sign_in\nfrom tests.messaging import conftest", []),
    ],
)
def test_test_module_imports_finds_every_form(tmp_path, source, found):
    module = tmp_path / "test_example.py"
    module.write_text(source)

    assert _test_module_imports(module) == found
