# Copyright 2026 The gr-sentinel authors.
#
# This file is part of gr-sentinel
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Running a torch module on batches of windows: device choice, threads, fast path.

Backends:
- "eager": the module as written; the reference the tests hold the others to;
- "torchscript": traced, frozen and optimised for inference (torch.jit);
- "onnxruntime": exported to ONNX in memory (no file) and run by ONNX Runtime's CPU
  engine; checked against eager at construction;
- "auto": the backend the model card records as fastest, measured by the
  model's benchmark on CPU (eager when the card records none, and always on CUDA).
  If that backend cannot be built here, auto falls back to eager with a warning.
"""

import io
import warnings

import numpy as np

BACKENDS = ("auto", "eager", "torchscript", "onnxruntime")
#: Largest |fast path - eager| accepted, relative to (1 + max |eager|).
FAST_PATH_TOLERANCE = 1e-3
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
        if backend == "onnxruntime" and self.device != "cpu":
            raise ValueError("backend: 'onnxruntime' runs on the CPU only; use device='cpu' or another backend")
        module = module.eval().to(self.device)
        self.module = module
        self._session = None
        if backend != "auto":
            self.backend = backend
            self._build(module, example_input, threads)
            return
        self.backend = preferred_backend if self.device == "cpu" else "eager"
        try:
            self._build(module, example_input, threads)
        except (ImportError, RuntimeError, ValueError) as error:
            warnings.warn("backend: '{}' unavailable ({}); using eager".format(self.backend, error))
            self.backend, self.module, self._session = "eager", module, None

    def _build(self, module, example_input, threads):
        import torch

        if self.backend == "torchscript":
            # torch.jit is deprecated in favour of torch.compile, which needs a C++
            # toolchain at run time.
            with torch.inference_mode(), warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                example = torch.as_tensor(example_input, device=self.device)
                traced = torch.jit.trace(module, example, check_trace=False)
                self.module = torch.jit.optimize_for_inference(torch.jit.freeze(traced))
        elif self.backend == "onnxruntime":
            self._session = onnxruntime_session(module, example_input, threads or torch.get_num_threads())
        if self.backend != "eager":
            self._check_against(module, example_input)

    def _check_against(self, module, example_input):
        """The fast path must give eager's answer on a probe batch, or it is not used."""
        import torch

        example = np.asarray(example_input)
        rng = np.random.default_rng(0)
        probe = (example + rng.standard_normal(example.shape) * (np.abs(example).mean() + 1e-3)).astype(example.dtype)
        with torch.inference_mode():
            reference = module(torch.as_tensor(probe, device=self.device))
        reference = reference if isinstance(reference, (tuple, list)) else (reference,)
        fast = self(probe)
        fast = fast if isinstance(fast, tuple) else (fast,)
        if len(fast) != len(reference):
            raise RuntimeError("backend '{}' returns {} outputs, eager {}".format(self.backend, len(fast), len(reference)))
        for want, got in zip(reference, fast):
            want = want.detach().cpu().numpy()
            if np.shape(got) != want.shape:
                raise RuntimeError("backend '{}' output shape {} differs from eager's {}".format(
                    self.backend, np.shape(got), want.shape))
            error = float(np.max(np.abs(want - got))) if want.size else 0.0
            if not error <= FAST_PATH_TOLERANCE * (1.0 + float(np.max(np.abs(want)))):
                raise RuntimeError("backend '{}' differs from eager by {:.3g}".format(self.backend, error))

    def __call__(self, batch):
        import torch

        if self._session is not None:
            outputs = self._session.run(None, {"x": np.ascontiguousarray(batch)})
            return outputs[0] if len(outputs) == 1 else tuple(outputs)
        with torch.inference_mode():
            x = torch.as_tensor(np.ascontiguousarray(batch), device=self.device)
            out = self.module(x)
            if isinstance(out, (tuple, list)):
                return tuple(o.detach().cpu().numpy() for o in out)
            return out.detach().cpu().numpy()


def onnxruntime_session(module, example_input, threads):
    """Export a module to ONNX in memory and open it in ONNX Runtime (CPU), batch axis free.

    The graph is built from the module in this process, never read from a file."""
    import torch
    try:
        import onnxruntime
    except ImportError:
        raise ImportError("backend 'onnxruntime' needs the onnx and onnxruntime packages "
                          "(pip install -r requirements.txt)") from None

    example = torch.as_tensor(example_input)
    with torch.inference_mode():
        outputs = module(example)
    count = len(outputs) if isinstance(outputs, (tuple, list)) else 1
    names = ["y{}".format(i) for i in range(count)]
    buffer = io.BytesIO()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # The TorchScript-based exporter: the dynamo one needs onnxscript and is slower to export.
        torch.onnx.export(module, (example,), buffer, dynamo=False, input_names=["x"], output_names=names,
                          dynamic_axes={n: {0: "batch"} for n in ["x"] + names}, opset_version=17)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = int(threads)
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    # Idle worker threads sleep instead of spinning: in a flowgraph other blocks need the
    # cores (sleeping measured ~14% slower for the model alone on 2 cores).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(buffer.getvalue(), options, providers=["CPUExecutionProvider"])
