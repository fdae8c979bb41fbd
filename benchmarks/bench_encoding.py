"""Time ``analyse`` on a million generated texts against a per-row loop of the exact functions.

Run from the repository root: ``python -m benchmarks.bench_encoding [--rows N] [--seed S]``.

Three mixes are measured, because the vectorised path is only as fast as its fallbacks:
``typical`` (short Dutch reminders: 90% plain GSM, 5% with a euro sign, 4% with a curly quote,
1% with an emoji), ``long`` (the same texts repeated to 2-4 segments, so pairs can straddle a
boundary) and ``unicode`` (every text UCS-2, the worst case for listing the non-GSM characters).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from smsbatch.preparation.encoding import analyse, encoding_of, non_gsm_characters, segment_count

NAMES = np.array(["Anna", "Bram", "Daan", "Emma", "Julia", "Lucas", "Noah", "Sophie", "Tess"])
PLACES = np.array(["Utrecht", "Zwolle", "Groningen", "Breda", "Leiden", "Delft", "Arnhem"])


def generate(rows: int, mix: str, seed: int) -> pd.Series:
    """Return ``rows`` mostly unique texts of about 60 characters in the given mix."""
    rng = np.random.default_rng(seed)
    names = rng.choice(NAMES, rows)
    places = rng.choice(PLACES, rows)
    hours = rng.integers(8, 18, rows).astype(str)
    days = rng.integers(1, 29, rows).astype(str)
    ids = np.arange(rows).astype(str)
    base = pd.Series(
        [
            f"Beste {n}, uw afspraak in {p} is op {d}-3 om {h}:15. Ref {i}"
            for n, p, d, h, i in zip(names, places, days, hours, ids, strict=True)
        ],
        dtype="str",
    )
    roll = rng.random(rows)
    suffix = np.select(
        [roll < 0.05, roll < 0.09, roll < 0.10], [" Kosten €5", " Tot ‘morgen’", " 😀"], ""
    )
    texts = base + pd.Series(suffix, dtype="str")
    if mix == "long":
        texts = texts.str.repeat(rng.integers(3, 7, rows).tolist())
    elif mix == "unicode":
        texts = texts + " ✓"
    return texts


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def per_row(texts: list[str]) -> list[int]:
    return [segment_count(text) for text in texts]


def per_row_all(texts: list[str]) -> list[tuple[str, int, str]]:
    return [
        (encoding_of(text), segment_count(text), "".join(non_gsm_characters(text)))
        for text in texts
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"{args.rows:,} rows per mix; seconds (rows per second)")
    for mix in ("typical", "long", "unicode"):
        texts = generate(args.rows, mix, args.seed)
        plain = texts.tolist()
        vectorised, result = timed(analyse, texts)
        loop, counts = timed(per_row, plain)
        loop_all, expected = timed(per_row_all, plain)
        assert result["segments"].tolist() == counts
        assert list(result.itertuples(index=False, name=None)) == expected
        mean_length = texts.str.len().mean()
        print(
            f"{mix:8} (mean {mean_length:5.0f} chars, {result['segments'].sum():>9,} segments): "
            f"analyse {vectorised:5.2f} s ({args.rows / vectorised:>10,.0f}/s)   "
            f"loop of segment_count {loop:5.2f} s ({args.rows / loop:>9,.0f}/s)   "
            f"loop of all three {loop_all:5.2f} s ({args.rows / loop_all:>9,.0f}/s)"
        )


if __name__ == "__main__":
    main()
