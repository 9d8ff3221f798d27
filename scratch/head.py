# %% [raw]
# # ASSIGNMENT CONFIG
# name: lab08_visual_qa
# init_cell: false
# check_all_cell: false
# export_cell: false
# run_tests: false
# solutions_pdf: false
# tests:
#   files: true
#   ok_format: false
# generate: true

# %% [markdown]
# # Lab 8: visual question answering, visual dialog and instruction following
#
# (Temporary master for developing Parts 5 and 6; the VQA parts 1-4 come from another branch.)
#
# **Time.** Running: see the lab's final header (`LAB_FAST=1` runs everything with tiny budgets, so fast-mode
# numbers mean nothing).

# %%
# RNN Labs setup (generated; do not edit). In Colab it fetches the course
# and adds the few packages Colab lacks, changing none that Colab ships (about 15 s, once per
# session); on your own machine it does nothing.
import os, subprocess, sys
if "google.colab" in sys.modules:
    if not os.path.isdir("/content/rnn-labs"):
        subprocess.run(["git", "clone", "--depth=1", "--branch=main", "https://github.com/rnn-labs/rnn-labs", "/content/rnn-labs"], check=True)
    if "/content/rnn-labs" not in sys.path:
        sys.path.insert(0, "/content/rnn-labs")
from utils.colab import bootstrap
bootstrap("lab08_visual_qa")
import otter
grader = otter.Notebook(tests_dir="tests")

# %%
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from utils.config import device, pick, seed_everything

SEED = 0
DEV = device()
seed_everything(SEED)

