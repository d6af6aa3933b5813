"""Regenerate the README's experiment gallery: run every experiment, shrink its main
figure into ``docs/img/<name>.png`` and rewrite the table between the gallery markers
in ``README.md``.

    python docs/gallery.py [NAME ...]      # all experiments, or only those named

An experiment's main figure is the first one its ``plot`` returns. Runs go to a
temporary folder; only the shrunken PNGs and the README table are kept.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PIL import Image

from neurosim import Results, runner

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "img"
README = ROOT / "README.md"
START, END = "<!-- gallery:start -->", "<!-- gallery:end -->"
WIDTH = 480  # pixels


def shrink(source: Path, target: Path) -> Path:
    """``source`` scaled to ``WIDTH`` pixels wide, written without metadata."""
    with Image.open(source) as image:
        image = image.convert("RGB")
        height = round(image.height * WIDTH / image.width)
        small = image.resize((WIDTH, height), Image.Resampling.LANCZOS)
    target.parent.mkdir(parents=True, exist_ok=True)
    small.save(target, optimize=True)
    return target


def main_figure(name: str, scratch: Path) -> Path:
    """Run experiment ``name`` with its defaults; the path of its main figure."""
    folder = runner.run(name, out=scratch / name, make_plots=False)
    experiment = runner.load_experiment(name)
    figures = experiment.plot(Results.load(folder / "results.h5"), folder)
    if not figures:
        raise RuntimeError(f"experiment {name!r} draws no figures")
    return Path(figures[0])


def table(names: list[str]) -> str:
    """The gallery: one row per experiment with an image in docs/img/."""
    rows = ["| experiment | what it shows | main figure |", "| --- | --- | --- |"]
    for name in names:
        summary = runner.load_experiment(name).summary.replace("|", "\\|")
        image = IMAGES / f"{name}.png"
        picture = (f"![{name}](docs/img/{name}.png)" if image.exists() else
                   "(not drawn yet: `python docs/gallery.py " + name + "`)")
        rows.append(f"| `neurosim run {name}` | {summary} | {picture} |")
    return "\n".join(rows)


def rewrite_readme(names: list[str]):
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"README.md has no {START} ... {END} section")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{table(names)}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str]) -> int:
    bundled = ROOT / "experiments"
    everything = sorted(name for name, path in runner.discover().items()
                        if path.parent == bundled)
    unknown = sorted(set(argv) - set(everything))
    if unknown:
        raise SystemExit(f"unknown experiments {unknown}; known: {everything}")
    with tempfile.TemporaryDirectory() as scratch:
        for name in argv or everything:
            figure = main_figure(name, Path(scratch))
            print(shrink(figure, IMAGES / f"{name}.png"))
    rewrite_readme(everything)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
