"""recap-extractor: structured, checkable JSON from Chinese stock-market recap articles."""
from . import _spacy  # noqa: F401  (first: imports spaCy without its CLI)
from .models import Article
from .normalize import InputError
from .pipeline import __version__, extract, load, pipe

__all__ = ["Article", "InputError", "__version__", "extract", "load", "pipe"]
