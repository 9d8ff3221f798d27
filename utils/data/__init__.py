"""Every dataset the labs use, offline by default.

Each submodule owns one family of data; this package re-exports their public loaders
so labs write ``from utils.data import load_text``. Downloads go through
``_download.fetch`` (sha256-checked, cached, clear errors) and fall back to an offline
default.
"""

from ._download import DownloadError, cache_dir, fetch
from .captions import END_ID, NULL_ID, START_ID, UNK_ID, CaptionData, CaptionVocab
from .code_features import CODE_FEATURES, python_char_features
from .dates import (
                     DATE_BOS,
                     DATE_FORMATS,
                     DATE_PAD,
                     DATE_SRC_VOCAB,
                     DATE_TGT_LEN,
                     DATE_TGT_VOCAB,
                     date_pairs,
                     decode_iso,
                     decode_src,
                     encode_dates,
                     reversal_task,
)
from .digits import BINARY_IMAGE_SETS, load_binarized_digits, load_binarized_mnist, load_binary_images, read_idx
from .flickr8k import load_flickr8k, parse_flickr8k
from .sequences import ADDING_BASELINE_MSE, adding_problem, copy_memory, copy_memory_baseline
from .shapes import make_shapes, word_referents
from .tagging import future_tagging, future_tagging_causal_bound
from .text import TEXT_CORPORA, CharVocab, load_text
from .vqa import (
                  ANSWER_SETS,
                  ANSWERS,
                  QA_WORDS,
                  QUESTION_TYPES,
                  encode_questions,
                  make_dialogs,
                  make_vqa,
)
