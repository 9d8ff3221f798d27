"""Exploratory (not in the lab): teacher vs student forcing over a longer budget, evaluated every 150 updates."""
exec(open("/work/l8b/scratch/header.py").read())
src = open("/work/l8b/scratch/lab08_dialog_nav.py").read()
src = src[src.index('# %% [markdown] id="dn-part6-intro"'):src.index("nav_steps = pick(")]
exec(src)
import sys
BATCH = int(sys.argv[1])
for forcing in ("teacher", "student"):
    seed_everything(SEED)
    model = Follower()
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    rng = np.random.default_rng(SEED)
    g = torch.Generator().manual_seed(SEED)
    t0 = time.process_time()
    for it in range(1, 601):
        env = NavBatch.from_episodes(nav_train, rng.choice(len(nav_train), BATCH, replace=False))
        loss, _ = nav_rollout(model, env, forcing, generator=g)
        opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(model.parameters(), 1.0); opt.step()
        if it % 150 == 0:
            sr, spl, _ = evaluate_follower(model, nav_test)
            srt, splt, _ = evaluate_follower(model, nav_train)
            print(f"{forcing} {it}: unseen {sr:.1%} SPL {spl:.3f} | train {srt:.1%} SPL {splt:.3f} | cpu {time.process_time() - t0:.0f}s", flush=True)
