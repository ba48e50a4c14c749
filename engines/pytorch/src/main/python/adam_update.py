"""Writes adam_update.pt, the TorchScript module behind the PyTorch backend's Adam step.

Rosetta's Adam on libtorch is a dozen element-wise ops per parameter (PytorchOptimizer.Adam). DJL
binds each op as one JNI call, so on small models the calls cost more than the arithmetic. This
module runs the same ops, in the same order and with the same operands, over all parameters at
once with libtorch's `_foreach_` ops, in one call from Java: the numbers are the same bits, the
calls per step drop from about 14 per parameter to a handful.

The module is compiled from this source when libtorch loads it (TorchScript keeps the code as
text), so it must only use ops of the libtorch that DJL ships (2.7.1). Regenerate with any
PyTorch 2.x:

    python engines/pytorch/src/main/python/adam_update.py \
        engines/pytorch/src/main/resources/dev/rosetta/engine/pytorch/adam_update.pt
"""
import sys
from typing import List

import torch
from torch import Tensor


class AdamUpdate(torch.nn.Module):
    def forward(self, ws: List[Tensor], gs: List[Tensor], grads: List[Tensor], ms: List[Tensor], vs: List[Tensor],
                b1: float, omb1: float, b2: float, omb2: float, eps: float, l2: float, keras: bool,
                sqrt_bc2: float, steps: Tensor, decays: Tensor) -> int:
        # docs/spec.md's Adam; each line is one line of PytorchOptimizer.Adam#update. steps and
        # decays hold one float32 value per parameter; unbound, each multiplies as a 0-d tensor.
        if decays.numel() > 0:
            torch._foreach_mul_(ws, decays.unbind())              # AdamW: w *= 1 - lr * wd
        g = gs
        if l2 != 0.0:
            g = torch._foreach_add(gs, torch._foreach_mul(ws, l2))  # g + w * wd
        torch._foreach_mul_(ms, b1)                               # m = m * b1 + g * (1 - b1)
        torch._foreach_add_(ms, torch._foreach_mul(g, omb1))
        sq = torch._foreach_mul(g, g)                             # v = v * b2 + g^2 * (1 - b2)
        torch._foreach_mul_(sq, omb2)
        torch._foreach_mul_(vs, b2)
        torch._foreach_add_(vs, sq)
        root = torch._foreach_sqrt(vs)                            # sqrt(v) [/ sqrt(bc2)] + eps
        if not keras:
            torch._foreach_div_(root, sqrt_bc2)
        torch._foreach_add_(root, eps)
        q = torch._foreach_div(ms, root)                          # w -= m / denom * step
        torch._foreach_mul_(q, steps.unbind())
        torch._foreach_sub_(ws, q)
        torch._foreach_zero_(grads)
        return 0


if __name__ == "__main__":
    torch.jit.script(AdamUpdate()).save(sys.argv[1])
