# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Running a torch module on batches of windows: device choice, threads, fast path.

Backends:
- "eager": the module as written; the reference the tests hold the others to;
- "torchscript": traced, frozen and optimised for inference (torch.jit);
- "auto": the backend the model card records as fastest, measured by the
  model's benchmark on CPU (eager when the card records none).
"""

import warnings

import numpy as np

BACKENDS = ("auto", "eager", "torchscript")
DEVICES = ("auto", "cpu", "cuda")


def choose_device(device):
    import torch

    if device not in DEVICES:
        raise ValueError("device: unknown '{}'; allowed: {}".format(device, ", ".join(DEVICES)))
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device: 'cuda' requested but torch sees no CUDA device; use 'auto' or 'cpu'")
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


class InferenceEngine:
    """One batched forward per call: float32 numpy in, numpy out."""

    def __init__(self, module, example_input, device="auto", threads=0, backend="auto",
                 preferred_backend="eager"):
        import torch

        if backend not in BACKENDS:
            raise ValueError("backend: unknown '{}'; allowed: {}".format(backend, ", ".join(BACKENDS)))
        if threads < 0:
            raise ValueError("threads: must be 0 (torch's default) or positive, got {}".format(threads))
        if threads:
            # Process-wide in torch; GNU Radio already gives each block its own thread.
            torch.set_num_threads(int(threads))
        self.device = choose_device(device)
        self.backend = preferred_backend if backend == "auto" else backend
        module = module.eval().to(self.device)
        if self.backend == "torchscript":
            # torch.jit is deprecated in favour of torch.compile, which needs a C++
            # toolchain at run time; TorchScript still measures faster here (see benchmarks).
            with torch.inference_mode(), warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                example = torch.as_tensor(example_input, device=self.device)
                traced = torch.jit.trace(module, example, check_trace=False)
                module = torch.jit.optimize_for_inference(torch.jit.freeze(traced))
        self.module = module

    def __call__(self, batch):
        import torch

        with torch.inference_mode():
            x = torch.as_tensor(np.ascontiguousarray(batch), device=self.device)
            out = self.module(x)
            if isinstance(out, (tuple, list)):
                return tuple(o.detach().cpu().numpy() for o in out)
            return out.detach().cpu().numpy()
