"""The overlay's boundaries: no herder/ledger/transactions imports, and the
stand-in herder satisfies the protocol the overlay calls."""
import ast
import pathlib

from stellarcore.overlay.herder_api import OverlayHerder, SimpleHerder

OVERLAY = pathlib.Path(__file__).resolve().parents[2] / "stellarcore" / "overlay"
FORBIDDEN = ("stellarcore.herder", "stellarcore.ledger", "stellarcore.transactions", "stellarcore.scp")


def test_no_forbidden_imports():
    for path in OVERLAY.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for n in names:
                assert not n.startswith(FORBIDDEN), f"{path.name} imports {n}"


def test_simple_herder_is_an_overlay_herder():
    assert isinstance(SimpleHerder(), OverlayHerder)
    missing = [m for m in OverlayHerder.__dict__ if not m.startswith("_") and not hasattr(SimpleHerder, m)]
    assert missing == []
