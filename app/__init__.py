"""fundmatch: match local development needs with funding programmes, calls and strategy goals."""

__version__ = "0.1.0"
