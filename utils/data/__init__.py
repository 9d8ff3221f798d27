"""Every dataset the labs use, offline by default.

Each submodule owns one family of data; this package re-exports their public loaders
so labs write ``from utils.data import load_text``. Downloads go through
``_download.fetch`` (sha256-checked, cached, clear errors) and fall back to an offline
default.
"""

from ._download import DownloadError, cache_dir, fetch
from .sequences import ADDING_BASELINE_MSE, adding_problem, copy_memory, copy_memory_baseline
from .text import TEXT_CORPORA, CharVocab, load_text
from .shapes import (END_ID, NULL_ID, START_ID, UNK_ID, CaptionData, CaptionVocab, load_flickr8k,
                     make_shapes, parse_flickr8k, word_referents)
