import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_matching_import_does_not_load_django():
    check = (
        "import matching, sys; "
        "assert not any(m.startswith('django') for m in sys.modules); "
        "print(matching.__file__)"
    )
    completed = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True)
    assert (completed.returncode, completed.stderr) == (0, b"")
    assert completed.stdout.decode().strip() == str(ROOT / "matching" / "__init__.py")
