"""Import spaCy without its command-line package, and jieba without pkg_resources.

spaCy: its command-line package is a third of its import time (360 modules).

`spacy/__init__.py` imports `spacy.cli.info` only to offer `spacy.info`; the pipeline never uses
the CLI. While spaCy imports, a stand-in answers for `spacy.cli.info` (its `info` loads the real
one when called); afterwards the stand-ins are removed, so a later `import spacy.cli` imports the
real package. If spaCy's import ever needs more from its CLI, the stand-in fails and spaCy is
imported in full. Set RECAP_FULL_SPACY=1 to always import it in full.

jieba: `jieba._compat` imports setuptools' `pkg_resources` (a third of a second) only to open its
dictionary files, and opens them from its own folder when that import fails; it is made to fail
while jieba imports, and a later `import pkg_resources` works as usual.
"""
from __future__ import annotations

import os
import sys
import types


def _info(*args, **kwargs):
    from spacy.cli.info import info

    return info(*args, **kwargs)


def import_spacy() -> None:
    if "spacy" in sys.modules or os.environ.get("RECAP_FULL_SPACY"):
        return
    info = types.ModuleType("spacy.cli.info")
    info.info = _info
    cli = types.ModuleType("spacy.cli")
    cli.info = info
    sys.modules["spacy.cli"], sys.modules["spacy.cli.info"] = cli, info
    try:
        import spacy
    except Exception:
        for name in [n for n in sys.modules if n == "spacy" or n.startswith("spacy.")]:
            del sys.modules[name]
        return
    finally:
        for name, stub in (("spacy.cli", cli), ("spacy.cli.info", info)):
            if sys.modules.get(name) is stub:
                del sys.modules[name]
    if getattr(spacy, "cli", None) is cli:
        del spacy.cli


def import_jieba() -> None:
    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        return
    sys.modules["pkg_resources"] = None  # makes `import pkg_resources` raise ImportError
    try:
        import jieba  # noqa: F401
    except Exception:
        pass
    finally:
        if sys.modules.get("pkg_resources", 0) is None:
            del sys.modules["pkg_resources"]


import_spacy()
import_jieba()
