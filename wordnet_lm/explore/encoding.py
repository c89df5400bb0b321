"""Word vectors as base64 text for a web page: unit rows in float16 or int8.

The page only needs directions (cosines, 3CosAdd), so rows are scaled to unit length before
they are rounded: float16 keeps about three significant digits, int8 (``round(127 * u)``)
two, at half the size.  :func:`decode_vectors` is the Python twin of the page's decoder: the
tests query a :class:`~wordnet_lm.vectors.KeyedVectors` of its output and compare.
"""

from __future__ import annotations

import base64

import numpy as np

from wordnet_lm.errors import WordnetLMError

ENCODINGS = ("float16", "int8")
INT8_SCALE = 127.0


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (float32; zero rows stay zero)."""
    vectors = np.asarray(vectors, np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def encode_vectors(vectors: np.ndarray, encoding: str = "float16") -> str:
    """Base64 of the unit rows of ``vectors`` (little-endian, row-major) in ``encoding``."""
    units = unit_rows(vectors)
    if encoding == "float16":
        raw = units.astype("<f2")
    elif encoding == "int8":
        raw = np.rint(units * INT8_SCALE).astype(np.int8)
    else:
        raise WordnetLMError(f"unknown vector encoding {encoding!r}; choose one of {', '.join(ENCODINGS)}")
    return base64.b64encode(np.ascontiguousarray(raw).tobytes()).decode("ascii")


def decode_vectors(text: str, dim: int, encoding: str = "float16") -> np.ndarray:
    """The rows :func:`encode_vectors` wrote, as float32 (int8 rows divided by 127)."""
    raw = base64.b64decode(text)
    if encoding == "float16":
        flat = np.frombuffer(raw, "<f2").astype(np.float32)
    elif encoding == "int8":
        flat = np.frombuffer(raw, np.int8).astype(np.float32) / INT8_SCALE
    else:
        raise WordnetLMError(f"unknown vector encoding {encoding!r}; choose one of {', '.join(ENCODINGS)}")
    return flat.reshape(-1, dim)


def encode_float32(values: np.ndarray) -> str:
    """Base64 of little-endian float32 values (the map coordinates)."""
    return base64.b64encode(np.ascontiguousarray(values, "<f4").tobytes()).decode("ascii")
