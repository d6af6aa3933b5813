"""The README's gallery is what docs/gallery.py writes: one row and one image per
bundled experiment, the summaries as the experiments state them today."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_gallery():
    spec = importlib.util.spec_from_file_location("gallery", ROOT / "docs" / "gallery.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_gallery_matches_the_experiments():
    gallery = load_gallery()
    names = sorted(p.stem.replace("_", "-") for p in (ROOT / "experiments").glob("*.py"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(gallery.START, 1)[1].split(gallery.END, 1)[0]
    assert section.strip() == gallery.table(names)
    for name in names:
        image = ROOT / "docs" / "img" / f"{name}.png"
        assert image.exists(), f"no gallery image for {name}: python docs/gallery.py {name}"
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
