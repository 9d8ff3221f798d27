"""Training helpers that several labs share.

Lab 2 teaches gradient clipping (``clip_grad_norm`` in NumPy, the student's own); the labs
that train ensembles of independent models stacked on a leading member axis (Lab 2's
initialisation sweep, Lab 3's cell grid) clip every member's gradient separately with
:func:`clip_grad_norm_per_member_`.
"""

from __future__ import annotations


def clip_grad_norm_per_member_(grads, max_norm, eps=1e-6):
    """Clip the gradient norm of each ensemble member separately, in place.

    ``grads``: tensors whose leading axis is the member axis ``E`` (any other shapes; a
    parameter of shape ``(E,)`` is fine). Member ``e``'s norm is the 2-norm of
    ``g[e]`` over every tensor ``g`` together; its gradients are multiplied by
    ``min(1, max_norm / (norm + eps))``, so members stay independent. ``eps`` keeps a zero
    gradient finite (torch's ``clip_grad_norm_`` uses 1e-6). Returns the norms ``(E,)``
    before clipping.
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    grads = list(grads)
    if not grads or len({g.shape[0] for g in grads}) != 1:
        raise ValueError("grads must be a non-empty list of tensors with the same leading (member) size E")
    sq = sum(g.reshape(g.shape[0], -1).pow(2).sum(1) for g in grads)
    norms = sq.sqrt()
    scale = (max_norm / (norms + eps)).clamp(max=1.0)
    for g in grads:
        g.mul_(scale.view(-1, *[1] * (g.dim() - 1)))
    return norms
