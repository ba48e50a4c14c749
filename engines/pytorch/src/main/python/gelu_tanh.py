"""Writes gelu_tanh.pt, the TorchScript module behind the PyTorch backend's tanh GELU.

DJL binds libtorch's GELU with its default options only (the exact, erf form), so the tanh form
(`"approximate": "tanh"`) would have to be written out as about nine element-wise ops, whose
backward pass autograd builds from another dozen: on char-GPT's [64, 64, 256] activations that is
about 18 ms a layer forward and backward, against 3 ms for libtorch's own kernel. This module is
one call to that kernel, `gelu(x, approximate="tanh")`, whose backward pass is libtorch's
`gelu_backward`: the op a PyTorch user gets from `nn.GELU(approximate="tanh")`.

The module is compiled from this source when libtorch loads it (TorchScript keeps the code as
text), so it must only use ops of the libtorch that DJL ships (2.7.1). Regenerate with any
PyTorch 2.x:

    python engines/pytorch/src/main/python/gelu_tanh.py \
        engines/pytorch/src/main/resources/dev/rosetta/engine/pytorch/gelu_tanh.pt
"""
import sys

import torch
from torch import Tensor
import torch.nn.functional as F


class GeluTanh(torch.nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x, approximate="tanh")


if __name__ == "__main__":
    torch.jit.script(GeluTanh()).save(sys.argv[1])
