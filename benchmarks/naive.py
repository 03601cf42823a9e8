"""The naive baseline: idiomatic PyTorch for Elman's online training, one network at a time.

``nn.Linear`` layers, autograd and ``optimizer.step()`` after every time step, the
context detached (copy-back). This is what a user would write without cogrnn; it is the
baseline the benchmark ratios are measured against, not library code.
"""

from __future__ import annotations

import torch
from torch import nn


class NaiveSRN(nn.Module):
    def __init__(self, n_in: int, n_hidden: int, n_out: int) -> None:
        super().__init__()
        self.ih = nn.Linear(n_in, n_hidden)
        self.ch = nn.Linear(n_hidden, n_hidden, bias=False)
        self.ho = nn.Linear(n_hidden, n_out)

    def forward(self, x: torch.Tensor, context: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = torch.sigmoid(self.ih(x) + self.ch(context))
        return torch.sigmoid(self.ho(h)), h


def train_online(net: NaiveSRN, inputs: torch.Tensor, targets: torch.Tensor, epochs: int, lr: float = 0.1) -> None:
    """Elman's online copy-back training: one update per step, gradient stopped at the context."""
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    context = torch.full((net.ch.in_features,), 0.5)
    for _ in range(epochs):
        for x, y in zip(inputs, targets):
            out, h = net(x, context)
            loss = 0.5 * ((out - y) ** 2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            context = h.detach()
