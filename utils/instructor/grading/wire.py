"""The only format that crosses between a submission's process and the grader: plain data.

A message is one frame on a pipe::

    u32 length of the JSON header | JSON header | u32 count of blobs | (u64 length | bytes) per blob

The JSON header holds numbers, strings, booleans, None and lists, plus a few tagged forms:

    {"$nd": [dtype, shape, blob]}            a NumPy array (or a NumPy scalar when "scalar": true)
    {"$pt": [dtype, shape, blob, grad]}      a torch tensor (grad: requires_grad)
    {"$tuple": [...]}, {"$dict": [[k, v], ...]}  (keys are strings or integers)
    {"$ref": n}                              an object that stays in the submission's process
    {"$build": [name, args]}                 a test fixture from ``utils.testkit``, rebuilt there
    {"$gen": blob}                           a ``torch.Generator``'s state
    {"$rng": state}                          a ``numpy.random.Generator`` (PCG64) and its state
    {"$float": "nan" | "inf" | "-inf"}

Decoding never runs code and never unpickles: arrays are rebuilt from raw bytes with an
allowed dtype and a shape whose size matches the bytes. Sizes, counts and depth are
bounded, so a hostile peer can make decoding fail (``WireError``) but nothing more.
"""

from __future__ import annotations

import json
import math
import struct

import numpy as np

MAX_FRAME = 256 * 2**20  # bytes in one message, header and arrays together
MAX_ITEMS = 200_000  # containers and scalars in one message
MAX_DEPTH = 32
# Little-endian numeric dtypes only: no objects, no strings, no structured or void types.
DTYPES = {"|b1", "|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "<f2", "<f4", "<f8", "<c8", "<c16"}


class WireError(ValueError):
    """A frame that is not well-formed plain data."""


class Ref:
    """An object that lives in the submission's process, known here only by its number."""

    __slots__ = ("id",)

    def __init__(self, id_: int):
        self.id = id_

    def __repr__(self):
        return f"Ref({self.id})"


# --------------------------------------------------------------------------------------
# Encoding (both sides). ``on_object`` decides what to do with anything that is not data:
# the submission's side turns it into a Ref; the grader's side refuses it.


def encode(value, on_object) -> bytes:
    blobs: list[bytes] = []
    header = json.dumps(_enc(value, blobs, on_object, 0), allow_nan=False, separators=(",", ":")).encode()
    parts = [struct.pack("<I", len(header)), header, struct.pack("<I", len(blobs))]
    for b in blobs:
        parts += [struct.pack("<Q", len(b)), b]
    frame = b"".join(parts)
    if len(frame) > MAX_FRAME:
        raise WireError(f"message of {len(frame)} bytes is over the {MAX_FRAME} byte limit")
    return frame


def _array_tag(a: np.ndarray, blobs: list) -> list | None:
    a = np.asarray(a)
    dt = a.dtype.newbyteorder("<") if a.dtype.byteorder == ">" else a.dtype
    if dt.str not in DTYPES:
        return None
    blobs.append(np.ascontiguousarray(a, dtype=dt).tobytes())
    return [dt.str, [int(n) for n in a.shape], len(blobs) - 1]


def _enc(v, blobs, on_object, depth):
    if depth > MAX_DEPTH:
        raise WireError("data nested too deeply")
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return int(v)
    if isinstance(v, float):
        return float(v) if math.isfinite(v) else {"$float": repr(float(v))}
    if isinstance(v, Ref):
        return {"$ref": v.id}
    if isinstance(v, (np.ndarray, np.generic)):
        tag = _array_tag(v, blobs)
        if tag is not None:
            return {"$nd": tag, "scalar": True} if isinstance(v, np.generic) else {"$nd": tag}
        return _other(v, on_object)
    if isinstance(v, (list, tuple)):
        items = [_enc(x, blobs, on_object, depth + 1) for x in v]
        return items if isinstance(v, list) else {"$tuple": items}
    if isinstance(v, dict):
        if all(isinstance(k, (str, int)) and not isinstance(k, bool) for k in v):
            return {"$dict": [[k, _enc(x, blobs, on_object, depth + 1)] for k, x in v.items()]}
        return _other(v, on_object)
    torch = _torch()
    if torch is not None:
        if isinstance(v, torch.Tensor) and v.layout == torch.strided and v.dtype != torch.bfloat16:
            tag = _array_tag(v.detach().cpu().resolve_conj().resolve_neg().numpy(), blobs)
            if tag is not None:
                return {"$pt": tag + [bool(v.requires_grad)]}
        if isinstance(v, torch.Generator):
            blobs.append(v.get_state().numpy().tobytes())
            return {"$gen": len(blobs) - 1}
    if type(v) is np.random.Generator and type(v.bit_generator) is np.random.PCG64:
        return {"$rng": _enc(v.bit_generator.state, blobs, on_object, depth + 1)}
    remote = getattr(type(v), "__remote__", None)
    if remote is not None and type(v).__module__ == "utils.testkit":
        name, args = v.__remote__()
        return {"$build": [name, _enc(args, blobs, on_object, depth + 1)]}
    return _other(v, on_object)


def _other(v, on_object):
    ref = on_object(v)
    if not isinstance(ref, Ref):
        raise WireError(f"{type(v).__name__} is not plain data")
    return {"$ref": ref.id}


def _torch():
    import sys
    return sys.modules.get("torch")


# --------------------------------------------------------------------------------------
# Decoding (both sides): builds only the types listed in the module docstring.


def read_frame(stream) -> bytes:
    """One frame from a binary stream; ``EOFError`` when the stream ends before it."""
    head = _read_exact(stream, 4)
    n = struct.unpack("<I", head)[0]
    if n > MAX_FRAME:
        raise WireError("header over the size limit")
    body = [head, _read_exact(stream, n)]
    count_raw = _read_exact(stream, 4)
    count = struct.unpack("<I", count_raw)[0]
    if count > MAX_ITEMS:
        raise WireError("too many arrays")
    body.append(count_raw)
    total = n
    for _ in range(count):
        size_raw = _read_exact(stream, 8)
        size = struct.unpack("<Q", size_raw)[0]
        total += size
        if total > MAX_FRAME:
            raise WireError("message over the size limit")
        body += [size_raw, _read_exact(stream, size)]
    return b"".join(body)


def _read_exact(stream, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError("the stream ended inside a message")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def decode(frame: bytes, on_ref, on_build=None, want_torch: bool = True):
    """The value in ``frame``. ``on_ref(id)`` and ``on_build(name, args)`` make Refs and
    fixtures into objects of the receiving side (the grader never passes ``on_build``)."""
    try:
        (n,) = struct.unpack_from("<I", frame, 0)
        header = json.loads(frame[4:4 + n], parse_constant=_reject_constant)
        pos = 4 + n
        (count,) = struct.unpack_from("<I", frame, pos)
        pos += 4
        blobs = []
        for _ in range(count):
            (size,) = struct.unpack_from("<Q", frame, pos)
            pos += 8
            blobs.append(frame[pos:pos + size])
            if len(blobs[-1]) != size:
                raise WireError("truncated array")
            pos += size
        if pos != len(frame):
            raise WireError("trailing bytes")
    except (struct.error, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise WireError(f"malformed message: {type(e).__name__}") from None
    budget = [MAX_ITEMS]
    return _dec(header, blobs, on_ref, on_build, want_torch, 0, budget)


def _reject_constant(name):
    raise WireError(f"bare {name} in a message")


def _array(tag, blobs) -> np.ndarray:
    if not (isinstance(tag, list) and len(tag) >= 3):
        raise WireError("bad array tag")
    dtype, shape, index = tag[0], tag[1], tag[2]
    if dtype not in DTYPES or not isinstance(shape, list) or len(shape) > 32 or \
            not all(type(s) is int and 0 <= s < 2**40 for s in shape) or type(index) is not int or \
            not 0 <= index < len(blobs):
        raise WireError("bad array tag")
    dt = np.dtype(dtype)
    count = math.prod(shape)
    if count * dt.itemsize != len(blobs[index]):
        raise WireError("array size does not match its shape")
    return np.frombuffer(blobs[index], dtype=dt).reshape(shape).copy()


def _dec(h, blobs, on_ref, on_build, want_torch, depth, budget):
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise WireError("message too large or nested too deeply")
    if h is None or type(h) in (bool, str, float):
        return h
    if type(h) is int:
        return h
    if type(h) is list:
        return [_dec(x, blobs, on_ref, on_build, want_torch, depth + 1, budget) for x in h]
    if type(h) is not dict or len(h) not in (1, 2):
        raise WireError("unexpected object in a message")
    rec = lambda x: _dec(x, blobs, on_ref, on_build, want_torch, depth + 1, budget)  # noqa: E731
    if "$nd" in h:
        a = _array(h["$nd"], blobs)
        return a[()] if h.get("scalar") is True and a.ndim == 0 else a
    if "$pt" in h:
        tag = h["$pt"]
        a = _array(tag, blobs)
        if not want_torch:
            return a
        import torch
        t = torch.from_numpy(a)
        if len(tag) > 3 and tag[3] is True and (t.is_floating_point() or t.is_complex()):
            t.requires_grad_(True)
        return t
    if "$tuple" in h and type(h["$tuple"]) is list:
        return tuple(rec(x) for x in h["$tuple"])
    if "$dict" in h and type(h["$dict"]) is list:
        out = {}
        for pair in h["$dict"]:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) not in (str, int):
                raise WireError("bad dict entry")
            out[pair[0]] = rec(pair[1])
        return out
    if "$float" in h and h["$float"] in ("nan", "inf", "-inf"):
        return float(h["$float"])
    if "$ref" in h and type(h["$ref"]) is int:
        return on_ref(h["$ref"])
    if "$gen" in h and on_build is not None and type(h["$gen"]) is int and 0 <= h["$gen"] < len(blobs):
        import torch
        g = torch.Generator()
        g.set_state(torch.frombuffer(bytearray(blobs[h["$gen"]]), dtype=torch.uint8))
        return g
    if "$rng" in h and on_build is not None:
        state = rec(h["$rng"])
        bits = np.random.PCG64()
        try:
            bits.state = state
        except (TypeError, ValueError, KeyError) as e:
            raise WireError(f"bad generator state: {e}") from None
        return np.random.Generator(bits)
    if "$build" in h and on_build is not None and type(h["$build"]) is list and len(h["$build"]) == 2 \
            and type(h["$build"][0]) is str:
        return on_build(h["$build"][0], rec(h["$build"][1]))
    raise WireError("unexpected object in a message")
