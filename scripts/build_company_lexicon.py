#!/usr/bin/env python3
"""Build ``rules/companies.tsv``: every listed A-share (SH, SZ, BJ) with former names and variants.

Build-time sources (PyPI packages, Apache-2.0; never runtime dependencies of the extractor):

* ``chstockdata``: ``chstockdata/data/industry/universe_2026-10-22.csv`` - the official current
  SSE (main board + STAR) and SZSE A-share lists: code, short name, listing date, exchange.
* ``adata``: ``adata/stock/cache/code.csv`` - an older (~2023) snapshot of all codes and short names,
  including Beijing (BSE) stocks under their old 43/83/87 codes.  Diffing it against the current list
  by code gives former names (博创科技 -> 长芯博创) so that older articles still resolve.
* ``cnequity``: ``cnequity/adapters/eastmoney/seeds/bse_code_mapping.json`` - the BSE old -> new
  (920xxx) code map.

The data files are read directly; none of the packages is imported.  Install them anywhere, e.g.

    pip install --no-deps --target /tmp/lexsrc chstockdata adata cnequity
    python scripts/build_company_lexicon.py --source-dir /tmp/lexsrc

Without ``--source-dir`` (or ``$LEXICON_SOURCE_DIR``) the packages are located on ``sys.path``.
The output is sorted by code and fully determined by the source files, so re-running the script
reproduces the committed file byte for byte (the generation date line is kept when nothing else
changed).
"""
from __future__ import annotations

import argparse
import csv
import datetime as _dt
import importlib.util
import json
import os
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "rules" / "companies.tsv"
DELISTED_NAME = "companies_delisted.tsv"  # written beside --out

CHSTOCKDATA_FILE = "chstockdata/data/industry/universe_2026-10-22.csv"
ADATA_FILE = "adata/stock/cache/code.csv"
CNEQUITY_BSE_FILE = "cnequity/adapters/eastmoney/seeds/bse_code_mapping.json"
PACKAGES = ("chstockdata", "adata", "cnequity")

HEADER = ("code", "exchange", "name", "former_names", "variants")

# Stock-name prefixes/suffixes that mark a status rather than the company.
_RISK_PREFIX = re.compile(r"^(?:S\*ST|SST|\*ST|ST|S(?=[\u4e00-\u9fff]))")
_TRANSIENT_PREFIX = re.compile(r"^(?:XD|XR|DR)(?=[\u4e00-\u9fff])")
_NEW_PREFIX = re.compile(r"^[NC](?=[\u4e00-\u9fff])")
_STAR_SUFFIX = re.compile(r"-(?:UWD|UW|WD|U|W|D)$")
_A_SUFFIX = re.compile(r"(?<=[\u4e00-\u9fff])A$")
_CJK = re.compile(r"[\u4e00-\u9fff]")

RECENT_LISTING_DAYS = 365  # N/C variants (first trading days) only for recent listings


def clean(name: str) -> str:
    """NFKC (full-width Ａ -> A) and no spaces: 万  科Ａ -> 万科A."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))


def bare(name: str) -> str:
    """The name without risk/status marks: *ST九鼎 -> 九鼎, 寒武纪-U -> 寒武纪, 万科A -> 万科."""
    n = _TRANSIENT_PREFIX.sub("", name)
    n = _RISK_PREFIX.sub("", n)
    n = _STAR_SUFFIX.sub("", n)
    n = _A_SUFFIX.sub("", n)
    return n


def is_risk(name: str) -> bool:
    return bool(re.match(r"^(?:S\*ST|SST|\*ST|ST)", name))


def is_delisting(name: str) -> bool:
    return name.endswith("退") or name.startswith(("PT", "退市"))


def exchange_of(code: str) -> str | None:
    if code.startswith(("60", "68")):
        return "SH"
    if code.startswith(("00", "30")):
        return "SZ"
    if code.startswith(("43", "83", "87", "88", "92")):
        return "BJ"
    return None  # 20xxxx / 90xxxx: B-shares, not A-shares


def locate(source_dir: Path | None) -> tuple[dict[str, Path], dict[str, str]]:
    """Paths of the three data files and the versions of the packages they come from."""
    roots: dict[str, Path] = {}
    for pkg in PACKAGES:
        if source_dir is not None:
            roots[pkg] = source_dir
            continue
        spec = importlib.util.find_spec(pkg)  # finds without importing the package
        if spec is None or not spec.submodule_search_locations:
            raise FileNotFoundError(f"build source package {pkg!r} is not installed")
        roots[pkg] = Path(list(spec.submodule_search_locations)[0]).parent
    files = {
        "chstockdata": roots["chstockdata"] / CHSTOCKDATA_FILE,
        "adata": roots["adata"] / ADATA_FILE,
        "cnequity": roots["cnequity"] / CNEQUITY_BSE_FILE,
    }
    for pkg, path in files.items():
        if not path.is_file():
            raise FileNotFoundError(f"{pkg}: data file not found: {path}")
    versions = {pkg: _version(roots[pkg], pkg) for pkg in PACKAGES}
    return files, versions


def _version(root: Path, pkg: str) -> str:
    for meta in sorted(root.glob(f"{pkg}-*.dist-info/METADATA")):
        for line in meta.read_text(encoding="utf-8").splitlines():
            if line.startswith("Version:"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def build_rows(files: dict[str, Path]) -> tuple[list[tuple[str, ...]], str]:
    universe = _read_csv(files["chstockdata"])
    old = {r["stock_code"].strip(): clean(r["short_name"]) for r in _read_csv(files["adata"])}
    old_listing = {r["stock_code"].strip(): (r.get("list_date2") or "").strip()
                   for r in _read_csv(files["adata"])}
    bse_map: dict[str, str] = json.loads(files["cnequity"].read_text(encoding="utf-8"))
    as_of = re.search(r"(\d{4}-\d{2}-\d{2})", files["chstockdata"].name).group(1)
    as_of_date = _dt.date.fromisoformat(as_of)

    # code -> (exchange, current name, listing date, [former names])
    stocks: dict[str, dict] = {}
    for r in universe:
        code = r["code"].strip()
        if r.get("delisting_date", "").strip():
            continue
        exch = r["exchange"].strip()
        name = clean(r["name"])
        listing = r.get("listing_date", "").strip()
        if _TRANSIENT_PREFIX.match(name):
            # XD工商银: the ex-dividend display name is cut to 4 characters; the older list has the real one
            prev = old.get(code, "")
            name = prev if prev and bare(prev).startswith(_TRANSIENT_PREFIX.sub("", name)[:2]) \
                else _TRANSIENT_PREFIX.sub("", name)
        if _NEW_PREFIX.match(name) and listing and (as_of_date - _dt.date.fromisoformat(listing)).days <= 30:
            name = name[1:]  # N通则康威 on its first day
        stocks[code] = {"exchange": exch, "name": name, "listing": listing, "former": []}

    delisted: dict[str, dict] = {}
    for code, prev in old.items():
        exch = exchange_of(code)
        if exch is None:
            continue  # B-share
        if exch != "BJ" and code not in stocks and prev:
            # in the ~2023 list but not in the current one: delisted (or merged away) since
            delisted[code] = {"exchange": exch, "name": prev}
            continue
        if exch == "BJ":
            new_code = bse_map.get(code) or (code if code.startswith("92") else None)
            if new_code is None or new_code in stocks:
                continue  # not carried over to a 920 code: delisted or moved
            stocks[new_code] = {"exchange": "BJ", "name": prev, "listing": old_listing.get(code, ""),
                                "former": [], "old_code": code}
            continue
        st = stocks.get(code)
        if st is None or not prev or is_delisting(prev):
            continue
        if bare(prev) != bare(st["name"]) and prev != st["name"]:
            st["former"].append(prev)

    # Variants: what a writer may put for the same stock.
    for code, st in stocks.items():
        name = st["name"]
        forms: list[str] = []
        b = bare(name)
        forms.append(b)
        if is_risk(name):
            forms += ["ST" + b, "*ST" + b]
        if st["listing"]:
            try:
                days = (as_of_date - _dt.date.fromisoformat(st["listing"])).days
            except ValueError:
                days = None
            if days is not None and days <= RECENT_LISTING_DAYS:
                forms += ["N" + b, "C" + b]
        for f in st["former"]:
            forms.append(bare(f))
        seen = {name, *st["former"]}
        variants: list[str] = []
        for f in forms:
            if f and f not in seen and len(f) >= 2 and _CJK.search(f):
                seen.add(f)
                variants.append(f)
        st["variants"] = variants

    # A variant or former name that another stock also claims is ambiguous: keep it nowhere.
    claims: dict[str, set[str]] = {}
    for code, st in stocks.items():
        for f in [st["name"], *st["former"], *st["variants"]]:
            claims.setdefault(f, set()).add(code)
    rows = []
    for code in sorted(stocks):
        st = stocks[code]
        former = [f for f in st["former"] if claims[f] == {code}]
        variants = [v for v in st["variants"] if claims[v] == {code}]
        rows.append((code, st["exchange"], st["name"], "|".join(former), "|".join(variants)))

    # Delisted A-shares keep their last name so that older articles still resolve (listed: false).
    gone = []
    for code in sorted(delisted):
        d = delisted[code]
        name = d["name"]
        if name in claims or is_delisting(name):
            continue  # the name now belongs to a listed stock, or was already a delisting name
        # no variants: the bare forms of long-gone ST names are mostly everyday words (石化, 星源)
        gone.append((code, d["exchange"], name, "", ""))
    return rows, gone, as_of


def render(rows: list[tuple[str, ...]], versions: dict[str, str], as_of: str, generated: str,
           title: str = "A-share company lexicon (SH, SZ, BJ)") -> str:
    lines = [
        f"# {title}. Generated by scripts/build_company_lexicon.py; do not edit.",
        f"# sources: chstockdata {versions['chstockdata']} ({CHSTOCKDATA_FILE}, as of {as_of}); "
        f"adata {versions['adata']} ({ADATA_FILE}); cnequity {versions['cnequity']} ({CNEQUITY_BSE_FILE})",
        f"# generated: {generated}",
        "\t".join(HEADER),
    ]
    lines += ["\t".join(r) for r in rows]
    return "\n".join(lines) + "\n"


def _body(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("# generated:"))


DELISTED_TITLE = ("Delisted A-shares: in the older adata list, absent from the current one "
                  "(resolve as listed: false)")


def _keep(existing: str | None, new: str) -> str:
    if existing is not None and _body(existing) == _body(new):
        return existing  # same data: keep the committed generation date
    return new


def generate(source_dir: Path | None, existing: str | None = None, today: str | None = None,
             existing_delisted: str | None = None) -> tuple[str, str]:
    """Texts of companies.tsv and companies_delisted.tsv."""
    files, versions = locate(source_dir)
    rows, gone, as_of = build_rows(files)
    day = today or _dt.date.today().isoformat()
    listed = _keep(existing, render(rows, versions, as_of, day))
    delisted = _keep(existing_delisted, render(gone, versions, as_of, day, DELISTED_TITLE))
    return listed, delisted


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source-dir", type=Path, default=os.environ.get("LEXICON_SOURCE_DIR") or None,
                    help="folder holding chstockdata/, adata/, cnequity/ (default: find them on sys.path)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true", help="exit 1 if --out differs from a fresh build")
    args = ap.parse_args(argv)
    out_delisted = args.out.with_name(DELISTED_NAME)
    existing = args.out.read_text(encoding="utf-8") if args.out.is_file() else None
    existing_delisted = out_delisted.read_text(encoding="utf-8") if out_delisted.is_file() else None
    text, delisted = generate(args.source_dir, existing, existing_delisted=existing_delisted)
    if args.check:
        stale = [p for p, new, old in ((args.out, text, existing), (out_delisted, delisted, existing_delisted))
                 if new != old]
        for p in stale:
            print(f"{p} is out of date; re-run {Path(__file__).name}", file=sys.stderr)
        if not stale:
            print(f"{args.out} and {out_delisted.name} are up to date")
        return 1 if stale else 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    out_delisted.write_text(delisted, encoding="utf-8")
    print(f"wrote {args.out}: {text.count(chr(10)) - 4} companies; "
          f"{out_delisted.name}: {delisted.count(chr(10)) - 4} delisted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
