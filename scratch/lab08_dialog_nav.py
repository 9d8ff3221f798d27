# %% [markdown] id="dn-part5-intro"
# ## Part 5. Visual dialog: answering with the history
#
# In **visual dialog** (Das et al. 2017) an agent holds a conversation about an image: at round $t$ it gets the
# image $I$, the question $q_t$ and the **history** $H_t = (q_1, a_1, \dots, q_{t-1}, a_{t-1})$ of the rounds
# before, and answers $q_t$. Later questions lean on earlier ones. Our dialogs (`utils.data.vqa.make_dialogs`)
# have three rounds about one object of a shapes scene:
#
# | round | question | answer |
# |---|---|---|
# | 1 | what colour is the circle ? | red |
# | 2 | how big is it ? | small / large |
# | 3 | is there another one of that colour ? | yes / no |
#
# Rounds 2 and 3 never say which object they mean ("it", "that colour"): only round 1 does. To keep this part about
# the *dialog* and not about vision, the image enters as the output of a perfect object detector: for each kind of
# shape, how many objects of that shape the scene has in each colour and each size (18 numbers). What is left to
# learn is how the question and the history pick the right numbers out of it.
#
# The **late fusion** encoder of Das et al. encodes the question with one LSTM and the whole history (all earlier
# questions and answers concatenated into one token sequence) with another, then fuses them with the image feature
# $x_I$:
#
# $$e_t = \tanh\big(W_f\,[\,x_I;\ h^{q}_t;\ h^{H}_t\,] + b_f\big), \qquad p(a_t \mid I, q_t, H_t) = \mathrm{softmax}(W_c\, e_t + b_c),$$
#
# where $h^{q}_t$ and $h^{H}_t$ are the LSTMs' hidden states after the **last real token** of each sequence
# (sequences are right-padded with 0) and $h^{H}_1 = 0$ because round 1 has no history. (Das et al. rank 100
# candidate answers with this encoding; our answers are single words, so a classifier over them is the decoder.)

# %% id="dn-dialog-data"
from utils.data.vqa import ANSWERS, make_dialogs
from utils.data.vqa import WORD_ID as QA_WORD_ID

torch.set_num_threads(1)
COLOUR_NAMES = ("red", "green", "blue", "yellow")
SHAPE_NAMES = ("circle", "square", "triangle")


def object_features(objects):
    """(S, 18) float32 detector output per shape kind (circle, square, triangle): how many objects of that shape
    have each colour (4) and each size (2)."""
    out = np.zeros((len(objects), len(SHAPE_NAMES), 6), dtype=np.float32)
    for s, objs in enumerate(objects):
        for o in objs:
            k = SHAPE_NAMES.index(o["shape"])
            out[s, k, COLOUR_NAMES.index(o["color"])] += 1
            out[s, k, 4 + ("small", "large").index(o["size"])] += 1
    return out.reshape(len(objects), -1)


def token_ids(texts):
    """Right-padded (n, T) int64 word ids and (n,) lengths; an empty string has length 0."""
    rows = [[QA_WORD_ID[w] for w in t.split()] for t in texts]
    ids = np.zeros((len(rows), max(1, max(len(r) for r in rows))), dtype=np.int64)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = r
    return torch.from_numpy(ids), torch.tensor([len(r) for r in rows])


def dialog_rounds(d):
    """Every round of every dialog as one example: dict of tensors (image, question, q_len, history, h_len,
    answer, round)."""
    feats = object_features(d.objects)
    img, qs, hs, ans, rnd = [], [], [], [], []
    for i in range(len(d)):
        for t in range(3):
            img.append(feats[d.scene[i]])
            qs.append(d.questions[i][t])
            hs.append(" ".join(f"{d.questions[i][k]} {d.answers[i][k]}" for k in range(t)))
            ans.append(ANSWERS.index(d.answers[i][t]))
            rnd.append(t + 1)
    q, q_len = token_ids(qs)
    h, h_len = token_ids(hs)
    return dict(image=torch.from_numpy(np.stack(img)), question=q, q_len=q_len, history=h, h_len=h_len,
                answer=torch.tensor(ans), round=torch.tensor(rnd))


dlg_train = make_dialogs(pick(fast=120, full=600), seed=SEED + 20)
dlg_test = make_dialogs(pick(fast=60, full=300), seed=SEED + 21)   # other scenes
rounds_train, rounds_test = dialog_rounds(dlg_train), dialog_rounds(dlg_test)
print(f"{len(dlg_train)} training dialogs, {len(dlg_test)} test dialogs; image feature {rounds_train['image'].shape[1]}-d")
for t in range(3):
    print(f"  round {t + 1}: Q: {dlg_train.questions[0][t]:38s} A: {dlg_train.answers[0][t]}")
print("  history of round 3:", " ".join(f"{dlg_train.questions[0][k]} {dlg_train.answers[0][k]}" for k in range(2)))

# %% [raw] id="dn-q5-begin"
# # BEGIN QUESTION
# name: q5_dialog_encoder
# points: 3

# %% [markdown] id="dn-q5-task"
# **Question 5 (3 points).** Complete `LateFusionEncoder`: `encode_sequence(rnn, ids, lengths)` embeds the
# right-padded token ids (N, T) with `self.embed`, runs the LSTM `rnn` over them and returns its hidden state after
# token `lengths[n] - 1` for each row n, shape (N, H), and **zeros** for rows whose length is 0 (round 1's empty
# history); `forward` encodes the question with `self.question_rnn` and the history with `self.history_rnn`, fuses
# them with the image features as in the equation above (concatenate in the order image, question, history), and
# returns the answer logits (N, A).

# %% [raw] id="dn-q5-sol-begin"
# # BEGIN SOLUTION

# %% id="dn-q5-solution"
class LateFusionEncoder(nn.Module):
    """Late-fusion visual dialog encoder (Das et al. 2017) with an answer classifier."""

    def __init__(self, vocab_size, img_dim, n_answers, emb=32, hidden=64):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, emb, padding_idx=0)
        self.question_rnn = nn.LSTM(emb, hidden, batch_first=True)
        self.history_rnn = nn.LSTM(emb, hidden, batch_first=True)
        self.fuse = nn.Linear(img_dim + 2 * hidden, hidden)
        self.classifier = nn.Linear(hidden, n_answers)

    def encode_sequence(self, rnn, ids, lengths):
        """ids: int64 (N, T) right-padded with 0; lengths: int64 (N,) in 0..T. Returns (N, H):
        the hidden state of ``rnn`` after token lengths[n] - 1, zeros where lengths[n] == 0."""
        # BEGIN SOLUTION
        out, _ = rnn(self.embed(ids))
        last = out[torch.arange(ids.shape[0]), (lengths - 1).clamp(min=0)]
        return last * (lengths > 0).unsqueeze(1).to(last.dtype)
        # END SOLUTION

    def forward(self, image, question, q_len, history, h_len):
        """image: (N, D) float; question: int64 (N, Tq), q_len (N,); history: int64 (N, Th), h_len (N,).
        Returns the answer logits (N, A)."""
        # BEGIN SOLUTION
        q = self.encode_sequence(self.question_rnn, question, q_len)
        h = self.encode_sequence(self.history_rnn, history, h_len)
        fused = torch.tanh(self.fuse(torch.cat([image, q, h], dim=1)))
        return self.classifier(fused)
        # END SOLUTION

# %% [raw] id="dn-q5-sol-end"
# # END SOLUTION

# %% [raw] id="dn-q5-tests-begin"
# # BEGIN TESTS

# %% id="dn-q5-test-public"
def test_late_fusion_shapes_and_padding(LateFusionEncoder, torch):
    with torch.random.fork_rng():
        torch.manual_seed(0)
        m = LateFusionEncoder(12, 5, 4, emb=6, hidden=7)
    img = torch.linspace(-1, 1, 15).reshape(3, 5)
    q = torch.tensor([[3, 4, 5, 0], [6, 7, 0, 0], [8, 9, 10, 11]])
    q_len = torch.tensor([3, 2, 4])
    h = torch.tensor([[2, 3, 0], [4, 0, 0], [5, 6, 7]])
    h_len = torch.tensor([2, 0, 3])
    with torch.no_grad():
        out = m(img, q, q_len, h, h_len)
        assert tuple(out.shape) == (3, 4), "logits must be (N, n_answers)"
        q2, h2 = q.clone(), h.clone()
        q2[0, 3], q2[1, 2:] = 9, 1
        h2[0, 2], h2[1] = 9, torch.tensor([1, 2, 3])
        assert torch.allclose(out, m(img, q2, q_len, h2, h_len), atol=1e-6), \
            "tokens after a sequence's length (and the whole history when h_len is 0) must not matter"
        h3 = h.clone()
        h3[2, 0] = 1
        assert not torch.allclose(out[2], m(img, q, q_len, h3, h_len)[2]), "the history must change the answer"

test_late_fusion_shapes_and_padding(LateFusionEncoder, torch)

# %% id="dn-q5-test-hidden"
""" # BEGIN TEST CONFIG
hidden: true
points: 2
""" # END TEST CONFIG
def test_late_fusion_reference(LateFusionEncoder, torch, seed=0):
    g = torch.Generator().manual_seed(seed)
    V, D, A, E, H = 9 + int(torch.randint(0, 5, (1,), generator=g)), 6, 5, 4, 3 + int(torch.randint(0, 4, (1,), generator=g))
    N, Tq, Th = 6, 5, 7
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        emb = torch.nn.Embedding(V, E, padding_idx=0)
        qrnn, hrnn = torch.nn.LSTM(E, H, batch_first=True), torch.nn.LSTM(E, H, batch_first=True)
        fuse, cls = torch.nn.Linear(D + 2 * H, H), torch.nn.Linear(H, A)
    state = {}
    for name, mod in (("embed", emb), ("question_rnn", qrnn), ("history_rnn", hrnn), ("fuse", fuse),
                      ("classifier", cls)):
        for k, v in mod.state_dict().items():
            v = torch.randn(v.shape, generator=g) * 0.7
            mod.state_dict()[k].copy_(v)
            state[f"{name}.{k}"] = v
    m = LateFusionEncoder(V, D, A, emb=E, hidden=H)
    m.load_state_dict(state)
    img = torch.randn(N, D, generator=g)
    q_len = torch.randint(1, Tq + 1, (N,), generator=g)
    h_len = torch.randint(0, Th + 1, (N,), generator=g)
    h_len[0] = 0
    q = torch.randint(1, V, (N, Tq), generator=g) * (torch.arange(Tq) < q_len[:, None])
    h = torch.randint(1, V, (N, Th), generator=g) * (torch.arange(Th) < h_len[:, None])
    with torch.no_grad():
        out = m(img, q, q_len, h, h_len)
        ref = []
        for n in range(N):
            _, (hq, _) = qrnn(emb(q[n:n + 1, :q_len[n]]))
            hh = hrnn(emb(h[n:n + 1, :h_len[n]]))[1][0][0, 0] if h_len[n] > 0 else torch.zeros(H)
            ref.append(cls(torch.tanh(fuse(torch.cat([img[n], hq[0, 0], hh])))))
    assert tuple(out.shape) == (N, A), "logits must be (N, n_answers)"
    assert torch.allclose(out, torch.stack(ref), atol=1e-5), "logits differ from a reference late-fusion encoder"

test_late_fusion_reference(LateFusionEncoder, torch)

# %% [raw] id="dn-q5-tests-end"
# # END TESTS

# %% [raw] id="dn-q5-end"
# # END QUESTION

# %% [markdown] id="dn-dialog-train-md"
# **Does the history help?** We train two encoders of the same size on the same rounds with the same budget: one
# reads the history, the other gets an empty history every round (`h_len = 0`, so $h^H_t = 0$). Then we measure
# answer accuracy on the held-out dialogs round by round, and against the majority answer of each round.

# %% id="dn-dialog-train"
def train_dialog(use_history, epochs, batch=128, seed=SEED):
    seed_everything(seed)
    model = LateFusionEncoder(len(QA_WORD_ID), rounds_train["image"].shape[1], len(ANSWERS))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    n = len(rounds_train["answer"])
    for _ in tqdm(range(epochs), desc="with history" if use_history else "without history", leave=False):
        for idx in torch.randperm(n).split(batch):
            r = {k: v[idx] for k, v in rounds_train.items()}
            h_len = r["h_len"] if use_history else torch.zeros_like(r["h_len"])
            loss = F.cross_entropy(model(r["image"], r["question"], r["q_len"], r["history"], h_len), r["answer"])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model


@torch.no_grad()
def dialog_accuracy(model, use_history, rounds):
    h_len = rounds["h_len"] if use_history else torch.zeros_like(rounds["h_len"])
    pred = model(rounds["image"], rounds["question"], rounds["q_len"], rounds["history"], h_len).argmax(1)
    right = (pred == rounds["answer"]).float()
    return {t: right[rounds["round"] == t].mean().item() for t in (1, 2, 3)}, pred


dialog_epochs = pick(fast=2, full=24)
dialog_models, dialog_acc = {}, {}
t0 = time.time()
for use_history in (True, False):
    dialog_models[use_history] = train_dialog(use_history, dialog_epochs)
    dialog_acc[use_history], _ = dialog_accuracy(dialog_models[use_history], use_history, rounds_test)
majority = {}
for t in (1, 2, 3):
    train_ans = rounds_train["answer"][rounds_train["round"] == t]
    majority[t] = (rounds_test["answer"][rounds_test["round"] == t] == train_ans.mode().values).float().mean().item()
history_rounds = rounds_test["round"] > 1
print(f"test accuracy by round ({len(dlg_test)} dialogs, {dialog_epochs} epochs each, {time.time() - t0:.0f} s)")
print("                    round 1   round 2   round 3   rounds 2-3")
for name, acc in (("with history", dialog_acc[True]), ("without history", dialog_acc[False]), ("majority answer", majority)):
    print(f"  {name:16s}   {acc[1]:6.1%}    {acc[2]:6.1%}    {acc[3]:6.1%}    {(acc[2] + acc[3]) / 2:6.1%}")

# %% [markdown] id="dn-dialog-example-md"
# One test dialog on which the two models disagree:

# %% id="dn-dialog-example"
_, pred_h = dialog_accuracy(dialog_models[True], True, rounds_test)
_, pred_n = dialog_accuracy(dialog_models[False], False, rounds_test)
differ = [i for i in range(len(dlg_test)) if (pred_h[3 * i:3 * i + 3] != pred_n[3 * i:3 * i + 3]).any()]
i = differ[0] if differ else 0
print("scene:", ", ".join(f"{o['size']} {o['color']} {o['shape']}" for o in dlg_test.objects[dlg_test.scene[i]]))
for t in range(3):
    print(f"  Q{t + 1}: {dlg_test.questions[i][t]:38s} truth: {dlg_test.answers[i][t]:6s} "
          f"with history: {ANSWERS[pred_h[3 * i + t]]:6s} without: {ANSWERS[pred_n[3 * i + t]]}")

# %% [raw] id="dn-w3-begin"
# # BEGIN QUESTION
# name: w3_dialog_history
# manual: true
# points: 2

# %% [markdown] id="dn-w3-question"
# **Written question 3 (2 points).** Compare the two encoders round by round (the table above). Which rounds does the
# history help, by how much, and why exactly there? Why is round 1 (about) the same for both, and what does the
# encoder without history still manage on rounds 2 and 3, compared with the majority answer?

# %% [raw] id="dn-w3-sol-begin"
# # BEGIN SOLUTION

# %% [markdown] id="dn-w3-answer"
# **Model answer.** Round 2 ("how big is it ?") is where the history pays: 100.0% with it, 77.9% without (the majority
# answer gets 61.2%). "It" is the object whose shape round 1's *question* named, and only the history holds that
# question; without it the encoder can only be right when every object in the scene has the same size, or guess. Round 1
# is the same for both (99.0% and 99.5%): its history is empty ($h^H_1 = 0$ in both models) and the question names the
# shape itself. Round 3 ("is there another one of that colour ?") shows no gain in this run (91.1% against 90.9%):
# most of its answers follow from the image alone (the answer is "no" whenever no two objects share a colour, whatever
# "that colour" is), and the history model has not yet learned the remaining cases, where it would have to read the
# colour from round 1's *answer* six tokens back. So the history buys exactly the rounds whose referent cannot be
# recovered from the image, and only as far as the history encoder has learned to carry the referent.
#
# **Rubric.** 1 point: the committed numbers read correctly: round 2 gains (100.0% against 77.9%) because "it"
# is the object named in round 1's question, which only the history contains; round 3 gains little or nothing here,
# with a sound reason (answerable from the image in most scenes; the model would need round 1's answer, the colour).
# 1 point: round 1 is unchanged because its history is empty ($h^H_1 = 0$) and the question names the object; the
# model without history beats the majority answer on rounds 2 and 3 from image-only cues (all objects the same size;
# no two objects of one colour). Half a point off for "the history model is bigger" (same size), for claiming a gain
# the table does not show, or for crediting round 1 differences to the history.

# %% [raw] id="dn-w3-sol-end"
# # END SOLUTION

# %% [raw] id="dn-w3-end"
# # END QUESTION

# %% [markdown] id="dn-part6-intro"
# ## Part 6. Following instructions: vision-language navigation
#
# In **vision-language navigation** (VLN; Anderson et al. 2018, the Room-to-Room task) an agent gets an
# instruction and must walk where it says, seeing only what is around it: it "encodes instructions in language and
# uses an RNN to generate a series of movements as the visual input changes after each move" (the lecture, after
# Wang et al. 2019). Our world (`utils.data.gridnav`) is a 6x6 grid with three landmarks from the shapes scenes
# (colour and shape) and three walls. The instruction names the goal landmark ("go to the red circle and stop"). The
# agent has a position and a heading, sees a 4x5 **egocentric view** (its own row and the three rows ahead, turned
# to its heading), and acts `forward`, `left`, `right` (turn in place) or `stop`; it succeeds when it stops on a
# cell next to the goal. A breadth-first search over (position, heading) gives the shortest path and the
# **expert's action from every state**.
#
# The policy (`Follower`, given) is a sequence-to-sequence model: a GRU encodes the instruction into a vector $u$;
# a GRU cell then takes, at every step, the view (embedded), the heading, the previous action and $u$, and outputs
# the logits of the four actions.
#
# How should such a policy be trained from the expert? **Teacher forcing** rolls the episode out along the expert's
# path and trains the policy to predict the expert's action at each step. At test time, though, the agent follows
# its **own** actions: after its first mistake it stands in states the training never showed it (exposure bias,
# as in Lab 4's captioning). **Student forcing** (Anderson et al. 2018) rolls out the agent's own sampled actions
# during training too, and labels each state it visits with the action the expert would take **from there**
# (recomputed by shortest path, not read off the expert's original trajectory), so the agent learns to recover.

# %% id="dn-nav-data"
from utils.data.gridnav import ACTIONS, CELL_TOKENS, DC, DR, LANDMARKS, STOP, VIEW_DEPTH, VIEW_WIDTH, NavBatch, \
    make_nav_episodes
from utils.data.gridnav import WORDS as NAV_WORDS

NAV_WORLD = dict(n=6, landmarks=3, walls=3, stages=1, min_length=3)
nav_train = make_nav_episodes(pick(fast=150, full=1000), episodes_per_layout=2, seed=SEED + 30, **NAV_WORLD)
nav_test = make_nav_episodes(pick(fast=60, full=200), episodes_per_layout=1, seed=SEED + 31, **NAV_WORLD)
print(f"{len(nav_train)} training episodes on {len(nav_train.grids)} layouts; "
      f"{len(nav_test)} test episodes on {len(nav_test.grids)} unseen layouts")
env = NavBatch.from_episodes(nav_train, [0])
print(f"'{nav_train.text[0]}': shortest path {nav_train.shortest(0)} actions; expert's first action: "
      f"{ACTIONS[int(env.expert()[0])]}; the first view (cell tokens, heading up, agent at the bottom middle):")
print(env.observe().reshape(VIEW_DEPTH, VIEW_WIDTH).numpy())


class Follower(nn.Module):
    """Instruction encoder (GRU) and a GRU-cell policy over the egocentric view, heading and previous action."""

    def __init__(self, emb=16, hidden=64):
        super().__init__()
        self.words = nn.Embedding(len(NAV_WORDS), emb, padding_idx=0)
        self.encoder = nn.GRU(emb, hidden, batch_first=True)
        self.cells = nn.Embedding(len(CELL_TOKENS), 8)
        self.view = nn.Linear(VIEW_DEPTH * VIEW_WIDTH * 8, hidden)
        self.heading = nn.Embedding(4, 8)
        self.prev = nn.Embedding(len(ACTIONS) + 1, 8)   # id 4: no previous action yet
        self.cell = nn.GRUCell(2 * hidden + 16, hidden)
        self.head = nn.Linear(2 * hidden, len(ACTIONS))

    def start(self, instructions):
        """instructions: int64 (B, MAX_WORDS) -> the initial state (h, u), each (B, hidden)."""
        _, h = self.encoder(self.words(instructions))
        return h[0], h[0]

    def step(self, view, heading, prev, state):
        """view: int64 (B, VIEW_DEPTH * VIEW_WIDTH); heading, prev: int64 (B,). Returns logits (B, 4), new state."""
        h, u = state
        x = torch.relu(self.view(self.cells(view).flatten(1)))
        h = self.cell(torch.cat([x, u, self.heading(heading), self.prev(prev)], 1), h)
        return self.head(torch.cat([h, u], 1)), (h, u)

# %% [raw] id="dn-q6-begin"
# # BEGIN QUESTION
# name: q6_nav_rollout
# points: 4

# %% [markdown] id="dn-q6-task"
# **Question 6 (4 points).** Write `nav_rollout(model, env, forcing, max_steps, generator)`. Reset `env`, start the
# model from `env.instructions`, with `prev` = 4 (no action yet) for every episode, and for at most `max_steps`
# steps:
#
# 1. ask the model for the logits and its next state, `model.step(view, heading, prev, state)`, with the current
#    view, the headings `env.h`, the previous actions and the state;
# 2. the target is `env.expert()`, the expert's action **from the state each episode is in now**; add the
#    cross-entropy of the logits against it for the episodes still running (`~env.done`);
# 3. choose the action: the target (`"teacher"`), a sample from `softmax(logits)` drawn with
#    `torch.multinomial(..., 1, generator=generator)` (`"student"`; no gradient flows through the choice), or the
#    argmax (`"greedy"`, for evaluation); any other `forcing` raises `ValueError`;
# 4. record it (-1 for episodes already stopped), feed it back as `prev` and apply it with `env.step`; stop early
#    once every episode is done.
#
# Return `(loss, actions)`: the **mean** cross-entropy over the (episode, step) pairs that were running (a 0-dim
# tensor), and int64 `actions` of shape (B, max_steps), -1 where an episode had stopped or the rollout ended.

# %% [raw] id="dn-q6-sol-begin"
# # BEGIN SOLUTION

# %% id="dn-q6-solution"
def nav_rollout(model, env, forcing, max_steps=16, generator=None):
    """model: a Follower (start, step); env: a NavBatch of B episodes. Returns (loss 0-dim, actions int64 (B, max_steps))."""
    # BEGIN SOLUTION
    if forcing not in ("teacher", "student", "greedy"):
        raise ValueError(f"forcing must be 'teacher', 'student' or 'greedy', got {forcing!r}")
    view = env.reset()
    state = model.start(env.instructions)
    B = len(env)
    prev = torch.full((B,), len(ACTIONS), dtype=torch.long)
    actions = torch.full((B, max_steps), -1, dtype=torch.long)
    total, count = 0.0, 0
    for t in range(max_steps):
        logits, state = model.step(view, env.h, prev, state)
        live = ~env.done
        target = env.expert()
        ce = F.cross_entropy(logits, target, reduction="none")
        total = total + (ce * live.to(ce.dtype)).sum()
        count += int(live.sum())
        if forcing == "teacher":
            act = target
        elif forcing == "student":
            act = torch.multinomial(F.softmax(logits.detach(), dim=1), 1, generator=generator)[:, 0]
        else:
            act = logits.detach().argmax(dim=1)
        actions[:, t] = torch.where(live, act, torch.full_like(act, -1))
        view = env.step(act)
        prev = act
        if bool(env.done.all()):
            break
    return total / max(count, 1), actions
    # END SOLUTION

# %% [raw] id="dn-q6-sol-end"
# # END SOLUTION

# %% [raw] id="dn-q6-tests-begin"
# # BEGIN TESTS

# %% id="dn-q6-test-public"
def test_rollout_teacher_follows_the_expert(nav_rollout, nav_test, torch):
    import numpy as np
    from utils import testkit
    from utils.data.gridnav import step_state
    rng = np.random.default_rng(0)
    idx = np.arange(5)
    lay = nav_test.layout[idx]
    env = testkit.NavEnv(nav_test.grids[lay], nav_test.start[idx], nav_test.near[idx], nav_test.expert[idx],
                   nav_test.instructions[idx])
    policy = testkit.NavTable(rng.normal(size=(5, 14, 4)).tolist(), rng.normal(size=(4, 4)).tolist(), 12)
    loss, actions = nav_rollout(policy, env, "teacher", 12)
    assert tuple(actions.shape) == (5, 12), "actions must be (B, max_steps)"
    for i in idx:
        grid, (r, c, h) = nav_test.grids[lay[i]], nav_test.start[i]
        for t in range(12):
            s = int(nav_test.near[i, 0, r, c])
            a = int(nav_test.expert[i, s, r, c, h])
            assert int(actions[i, t]) == a, "teacher forcing must take the expert's action"
            if a == 3:
                assert (actions[i, t + 1:] == -1).all(), "after stop, actions must be -1"
                break
            r, c, h = step_state(grid, r, c, h, a)
    assert loss.dim() == 0 and torch.isfinite(loss), "loss must be a finite 0-dim tensor"
    for bad in ("sample", "expert"):
        try:
            nav_rollout(policy, env, bad, 5)
        except ValueError:
            pass
        else:
            raise AssertionError(f"forcing={bad!r} must raise ValueError")

test_rollout_teacher_follows_the_expert(nav_rollout, nav_test, torch)

# %% id="dn-q6-test-hidden"
""" # BEGIN TEST CONFIG
hidden: true
points: 3
""" # END TEST CONFIG
def test_rollout_reference(nav_rollout, torch, seed=0):
    import numpy as np
    from utils import testkit
    from utils.data.gridnav import DC, DR, WALL, make_nav_episodes, step_state
    rng = np.random.default_rng(seed)
    eps = make_nav_episodes(4, episodes_per_layout=2, n=int(rng.integers(5, 8)), seed=int(rng.integers(10 ** 6)),
                            landmarks=3, walls=int(rng.integers(0, 5)), stages=int(rng.integers(1, 3)), min_length=2)
    B, T = len(eps), int(rng.integers(8, 14))
    lay = eps.layout
    env = testkit.NavEnv(eps.grids[lay], eps.start, eps.near, eps.expert, eps.instructions)

    def reference(table, turn, forcing):
        acts, total, count = np.full((B, T), -1), 0.0, 0
        for i in range(B):
            grid, n = eps.grids[lay[i]], eps.grids.shape[1]
            (r, c, h), prev = eps.start[i], 4
            s = int(eps.near[i, 0, r, c])
            for t in range(T):
                r2, c2 = r + DR[h], c + DC[h]
                front = grid[r2, c2] if 0 <= r2 < n and 0 <= c2 < n else WALL
                z = table[prev, front] + turn[h]
                target = int(eps.expert[i, s, r, c, h])
                total += np.log(np.exp(z - z.max()).sum()) + z.max() - z[target]
                count += 1
                a = target if forcing == "teacher" else int(np.argmax(z))
                acts[i, t] = a
                if a == 3:
                    break
                r, c, h = step_state(grid, r, c, h, a)
                s |= int(eps.near[i, 0, r, c])
                prev = a
        return total / count, acts

    soft = (rng.normal(size=(5, 14, 4)), rng.normal(size=(4, 4)))
    sharp = (30 * np.eye(4)[rng.integers(0, 4, size=(5, 14))] + rng.normal(size=(5, 14, 4)) * 0.1,
             np.zeros((4, 4)))
    for (table, turn), forcing in ((soft, "teacher"), (soft, "greedy"), (sharp, "student"), (sharp, "greedy")):
        policy = testkit.NavTable(table.tolist(), turn.tolist(), 12)
        loss, actions = nav_rollout(policy, env, forcing, T, torch.Generator().manual_seed(seed))
        ref_loss, ref_acts = reference(table, turn, "teacher" if forcing == "teacher" else "greedy")
        assert tuple(actions.shape) == (B, T), "actions must be (B, max_steps)"
        assert np.array_equal(np.asarray(actions), ref_acts), f"wrong actions with forcing={forcing!r}"
        assert abs(float(loss) - ref_loss) < 1e-6 * max(1.0, abs(ref_loss)), f"wrong loss with forcing={forcing!r}"

test_rollout_reference(nav_rollout, torch)

# %% [raw] id="dn-q6-tests-end"
# # END TESTS

# %% [raw] id="dn-q6-end"
# # END QUESTION

# %% [raw] id="dn-q7-begin"
# # BEGIN QUESTION
# name: q7_nav_metrics
# points: 2

# %% [markdown] id="dn-q7-task"
# **Question 7 (2 points).** Success rate alone rewards an agent that wanders everywhere before stopping in the right
# place. **SPL**, success weighted by (normalised inverse) path length (Anderson et al. 2018, *On evaluation of
# embodied navigation agents*), discounts each success by how much longer the agent's path was than the shortest:
#
# $$\mathrm{SPL} = \frac{1}{N}\sum_{i=1}^{N} S_i\,\frac{\ell_i}{\max(p_i, \ell_i)},$$
#
# with $S_i \in \{0, 1\}$ the success of episode $i$, $\ell_i > 0$ the shortest path length and $p_i$ the length of
# the agent's path (here both in actions, `stop` not counted). Write `nav_metrics(success, moves, shortest)`
# returning `(success rate, SPL)` as Python floats; inputs of different lengths, an empty input or a shortest
# length $\le 0$ raise `ValueError`.

# %% [raw] id="dn-q7-sol-begin"
# # BEGIN SOLUTION

# %% id="dn-q7-solution"
def nav_metrics(success, moves, shortest):
    """success (N,) bool, moves (N,) and shortest (N,) path lengths (array-likes). Returns (success rate, SPL)."""
    # BEGIN SOLUTION
    s = np.asarray(success, dtype=float).reshape(-1)
    p = np.asarray(moves, dtype=float).reshape(-1)
    ell = np.asarray(shortest, dtype=float).reshape(-1)
    if not len(s) == len(p) == len(ell) or len(s) == 0:
        raise ValueError(f"success, moves and shortest must have the same nonzero length, got {len(s)}, {len(p)}, {len(ell)}")
    if (ell <= 0).any():
        raise ValueError("shortest path lengths must be positive")
    return float(s.mean()), float(np.mean(s * ell / np.maximum(p, ell)))
    # END SOLUTION

# %% [raw] id="dn-q7-sol-end"
# # END SOLUTION

# %% [raw] id="dn-q7-tests-begin"
# # BEGIN TESTS

# %% id="dn-q7-test-public"
def test_nav_metrics_by_hand(nav_metrics):
    # optimal (4 moves for 4), a detour (7 for 4), a failure, a success shorter than "shortest" (counts as 1)
    sr, spl = nav_metrics([True, True, False, True], [4, 7, 3, 2], [4, 4, 5, 3])
    assert abs(sr - 0.75) < 1e-12, "success rate"
    assert abs(spl - (1 + 4 / 7 + 0 + 1) / 4) < 1e-12, "SPL"

test_nav_metrics_by_hand(nav_metrics)

# %% id="dn-q7-test-hidden"
""" # BEGIN TEST CONFIG
hidden: true
points: 1
""" # END TEST CONFIG
def test_nav_metrics_random(nav_metrics, np, seed=0):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 40))
    s, p, ell = rng.random(n) < 0.6, rng.integers(0, 30, n), rng.integers(1, 20, n)
    sr, spl = nav_metrics(s.tolist(), p.tolist(), ell.tolist())
    assert abs(sr - s.mean()) < 1e-12, "success rate"
    ref = sum(float(s[i]) * ell[i] / max(p[i], ell[i]) for i in range(n)) / n
    assert abs(spl - ref) < 1e-12, "SPL"
    for bad in (([True], [1, 2], [3, 4]), ([], [], []), ([True, False], [2, 3], [0, 3])):
        try:
            nav_metrics(*bad)
        except ValueError:
            pass
        else:
            raise AssertionError("mismatched, empty or non-positive inputs must raise ValueError")

test_nav_metrics_random(nav_metrics, np)

# %% [raw] id="dn-q7-tests-end"
# # END TESTS

# %% [raw] id="dn-q7-end"
# # END QUESTION

# %% [markdown] id="dn-nav-train-md"
# **Teacher forcing against student forcing.** Two followers with the same size, data, batch and number of updates,
# one trained with each forcing. Every few updates both are evaluated greedily on the test episodes, whose layouts no
# training episode used, and on 200 of the training episodes.

# %% id="dn-nav-train"
def train_follower(forcing, steps, batch=128, eval_every=150, seed=SEED):
    """Returns the model and a list of (updates, unseen success, unseen SPL, training-layout success)."""
    seed_everything(seed)
    model = Follower()
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    rng = np.random.default_rng(seed)
    g = torch.Generator().manual_seed(seed)
    curve = []
    for it in tqdm(range(1, steps + 1), desc=f"{forcing} forcing", leave=False):
        env = NavBatch.from_episodes(nav_train, rng.choice(len(nav_train), batch, replace=False))
        loss, _ = nav_rollout(model, env, forcing, generator=g)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if it % eval_every == 0 or it == steps:
            sr, spl, _ = evaluate_follower(model, nav_test)
            curve.append((it, sr, spl, evaluate_follower(model, nav_train, train_probe)[0]))
    return model, curve


@torch.no_grad()
def evaluate_follower(model, eps, idx=None):
    """Greedy rollouts of the episodes idx (default: all) of eps -> (success rate, SPL, the environment)."""
    idx = np.arange(len(eps)) if idx is None else idx
    env = NavBatch.from_episodes(eps, idx)
    nav_rollout(model, env, "greedy")
    sr, spl = nav_metrics(env.success().numpy(), env.moves.numpy(), eps.shortest(idx))
    return sr, spl, env


train_probe = np.arange(0, len(nav_train), 10)[:200]   # 200 training episodes, for the training-layout curve
nav_steps = pick(fast=6, full=600)
followers, nav_curves, nav_results = {}, {}, {}
for forcing in ("teacher", "student"):
    t0 = time.time()
    followers[forcing], nav_curves[forcing] = train_follower(forcing, nav_steps, eval_every=pick(fast=3, full=150))
    sr, spl, env = evaluate_follower(followers[forcing], nav_test)
    nav_results[forcing] = dict(success=sr, spl=spl, env=env)
    print(f"{forcing} forcing ({nav_steps} updates x 128 episodes, {time.time() - t0:.0f} s)")
    for it, sr_u, spl_u, sr_t in nav_curves[forcing]:
        print(f"  after {it:3d} updates: unseen layouts success {sr_u:6.1%}, SPL {spl_u:.3f}; training layouts success {sr_t:6.1%}")
print(f"({len(nav_test)} test episodes on unseen layouts; mean shortest path {nav_test.shortest().mean():.1f} actions)")
fig, ax = plt.subplots(figsize=(6, 3.2))
for forcing, col in (("teacher", "tab:blue"), ("student", "tab:orange")):
    c = np.array(nav_curves[forcing])
    ax.plot(c[:, 0], c[:, 1], "o-", color=col, label=f"{forcing} forcing, unseen layouts")
    ax.plot(c[:, 0], c[:, 3], "o--", color=col, alpha=0.5, label=f"{forcing} forcing, training layouts")
ax.set(xlabel="updates", ylabel="success rate", ylim=(0, 1))
ax.legend(fontsize=8)
fig.tight_layout();

# %% [markdown] id="dn-nav-plot-md"
# A few test episodes, both agents' paths drawn on the unseen layouts (the goal landmark is ringed; a square marks
# where each agent stopped, a cross where it ran out of steps):

# %% id="dn-nav-plot"
MARKERS = {"circle": "o", "square": "s", "triangle": "^"}
COLOUR_RGB = {"red": "tab:red", "green": "tab:green", "blue": "tab:blue", "yellow": "gold"}


def draw_episode(ax, eps, i, paths):
    grid = eps.grids[eps.layout[i]]
    n = grid.shape[0]
    ax.imshow(grid == 1, cmap="Greys", vmin=0, vmax=1.5)
    for (r, c) in np.argwhere(grid >= 2):
        colour, shape = LANDMARKS[grid[r, c] - 2]
        ax.scatter(c, r, marker=MARKERS[shape], s=180, color=COLOUR_RGB[colour], edgecolors="k")
        if grid[r, c] - 2 == eps.targets[i, 1]:
            ax.scatter(c, r, marker="o", s=600, facecolors="none", edgecolors="k", linewidths=1.5)
    r0, c0, h0 = eps.start[i]
    ax.annotate("", xy=(c0 + 0.4 * DC[h0], r0 + 0.4 * DR[h0]), xytext=(c0, r0),
                arrowprops=dict(arrowstyle="->", lw=2))
    for k, (name, (path, stopped, colour)) in enumerate(paths.items()):
        off = (k - 0.5) * 0.12
        ax.plot(path[:, 1] + off, path[:, 0] + off, "-", color=colour, lw=2, label=name)
        ax.scatter(path[-1, 1] + off, path[-1, 0] + off, marker="s" if stopped else "x", s=60, color=colour, zorder=3)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_title(eps.text[i], fontsize=8)


def agent_path(env, i):
    pts = torch.stack(env.path)[:, i].numpy()
    keep = [0] + [t for t in range(1, len(pts)) if (pts[t] != pts[t - 1]).any()]
    return pts[keep], bool(env.done[i])


show = list(range(4))
fig, axes = plt.subplots(1, len(show), figsize=(3.2 * len(show), 3.4))
for ax, i in zip(axes, show):
    paths = {f"{f} forcing": (*agent_path(nav_results[f]["env"], i), col)
             for f, col in (("teacher", "tab:blue"), ("student", "tab:orange"))}
    draw_episode(ax, nav_test, i, paths)
axes[0].legend(loc="lower left", fontsize=7, bbox_to_anchor=(0, -0.25), ncol=2)
fig.tight_layout();

# %% [raw] id="dn-w4-begin"
# # BEGIN QUESTION
# name: w4_student_forcing
# manual: true
# points: 3

# %% [markdown] id="dn-w4-question"
# **Written question 4 (3 points).** Compare the two followers on the unseen layouts and on the training layouts
# (the printout and the curves above) and look at the drawn paths. (a) What is exposure bias in navigation, and how
# does student forcing address it? Why must its targets be the expert's action from the state the agent actually
# reached, not the action on the expert's original path at the same step? (b) Which forcing is ahead on the unseen
# layouts early in training, and which at the end of *your* run? What do the training-layout curves tell you about
# why? Name one difference between this setting and Room-to-Room that could change the comparison.

# %% [raw] id="dn-w4-sol-begin"
# # BEGIN SOLUTION

# %% [markdown] id="dn-w4-answer"
# **Model answer.** (a) Trained with teacher forcing, the follower only sees states on the expert's shortest paths;
# at test time it acts on its own, and after one wrong turn it is in states (facing a wall, past the goal) it was never
# trained on, where its errors compound: exposure bias, as with captions in Lab 4 but worse, because a wrong action
# changes everything the agent sees next. Student forcing rolls out the agent's own sampled actions during training
# and labels every state it reaches with the expert's action *from that state* (recomputed by shortest path). The
# action on the expert's original path at the same step would be wrong as soon as the agent has left that path: it
# would teach "turn left now" in a place where turning left leads away from the goal. (b) Early on teacher forcing is
# ahead on the 200 unseen-layout episodes (after 150 updates 34.0% success against 18.5%): student forcing's first
# rollouts are near random, so its first updates are spent on states far from any expert path. It catches up by 300
# updates (36.0% against 34.5%) and is ahead at the end of the run: after 600 updates of 128 episodes, 46.5% success
# and SPL 0.381 against 41.0% and SPL 0.372 (clearly on success, barely on SPL: some of its successes take detours).
# The training-layout curves say why: teacher forcing reaches 93.5% success on training layouts while its unseen
# success stalls around 41-43%, so it has largely memorised the expert's paths on the layouts it saw; student forcing
# sits at 71.5% on training layouts, a much smaller gap, because it trains on states like those its own mistakes lead
# to at test time. With 200 test episodes a 5-point gap is only about one standard error of a difference of two
# success rates (about $\sqrt{2 \cdot 0.45 \cdot 0.55 / 200} \approx 0.05$), so the final ranking is suggestive,
# the trend clearer. Anderson et al. found student forcing better on Room-to-Room after far longer training, on real
# photographs of buildings, with long paths (where compounding errors cost more) and an attention model over the
# instruction; here the paths are short (5.8 actions on average), the view small (the expert knows the map, the agent
# often cannot see the goal), and the budget a few hundred updates.
#
# **Rubric.** 1 point (a): exposure bias = trained only on states of expert paths, tested on the states its own
# actions lead to; one wrong turn takes a teacher-forced agent off the distribution it has seen and errors compound;
# student forcing trains on its own visited states. 1 point (a): the targets must be recomputed from the visited
# state (the expert's shortest-path action from there); the action of the original path at step $t$ would be
# wrong once the agent has left that path (it would teach it to repeat turns that no longer lead to the goal). 1
# point (b): the committed numbers quoted correctly, with an honest reading (teacher forcing ahead early, student
# forcing ahead at the end; the gap between training and unseen layouts; SPL vs success; small test set) and one
# relevant difference from R2R (budget:
# student forcing's early rollouts are random and its labels only become useful once the policy is decent; our
# world is tiny and fully synthetic, short paths, few episodes; R2R's larger action/observation spaces and long
# paths make compounding errors worse). Half a point off for claiming a winner the numbers do not show.

# %% [raw] id="dn-w4-sol-end"
# # END SOLUTION

# %% [raw] id="dn-w4-end"
# # END QUESTION
