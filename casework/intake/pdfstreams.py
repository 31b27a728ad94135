"""Decode PDF streams through their compression filters, within a budget of bytes.

The decoders are written here rather than taken from qpdf because qpdf's decoders have
no output limit: a 300 MB Flate bomb or a run-length bomb would be inflated whole before
its size could be seen. Flate uses zlib with ``max_length``; the rest are small.
Image codecs (DCT, JPX, JBIG2, CCITT) are left encoded: unpacking them is a viewer's
business and bounded by the image's size.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib

import pikepdf

from casework.intake.coded import N_, CodedText

MB = 1024 * 1024
Buffer = bytes | bytearray

_FLATE = {"/FlateDecode", "/Fl"}
_HEX = {"/ASCIIHexDecode", "/AHx"}
_A85 = {"/ASCII85Decode", "/A85"}
_LZW = {"/LZWDecode", "/LZW"}
_RUN_LENGTH = {"/RunLengthDecode", "/RL"}
_GENERAL = _FLATE | _HEX | _A85 | _LZW | _RUN_LENGTH
_CHUNK = 1 * MB


class TooMuch(Exception):
    """A stream inflated past the file's budget."""


class Budget:
    """How many inflated bytes the file may still produce."""

    def __init__(self, size: int, max_inflated: int, max_ratio: int, ratio_floor: int) -> None:
        self.max_inflated, self.max_ratio = max_inflated, max_ratio
        self.total = min(max_inflated, max(ratio_floor, max_ratio * size))
        self.left = self.total

    def spend(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise TooMuch

    def message(self) -> str:
        if self.total >= self.max_inflated:
            return CodedText.of(
                N_("inflates to more than %(mb)s MB when decompressed (a decompression bomb?)"),
                mb=self.max_inflated // MB,
            )
        return CodedText.of(
            N_(
                "inflates to more than %(ratio)s times its size when decompressed "
                "(a decompression bomb?)"
            ),
            ratio=f"{self.max_ratio:,}",
        )


def _filters(stream: pikepdf.Stream) -> list[str]:
    value = stream.stream_dict.get("/Filter")
    if isinstance(value, pikepdf.Name):
        return [str(value)]
    if isinstance(value, pikepdf.Array):
        return [str(v) for v in value if isinstance(v, pikepdf.Name)]
    return []


def decode(stream: pikepdf.Stream, room: int, *, keep: bool) -> tuple[Buffer, int]:
    """(data, length) of the stream through its compression filters; TooMuch past ``room``.

    With ``keep=False`` a final Flate stage is only counted, so measuring a 90 MB stream
    holds 1 MB at a time.
    """
    filters = _filters(stream)
    data: Buffer = stream.read_raw_bytes()
    for index, name in enumerate(filters):
        last = index == len(filters) - 1 or filters[index + 1] not in _GENERAL
        if name in _FLATE:
            data, count = _inflate(data, room, keep=keep or not last)
            if last and not keep:
                return b"", count
        elif name in _HEX:
            data = _unhex(data)
        elif name in _A85:
            data = _un85(data)
        elif name in _LZW:
            data = _unlzw(data, room, _early_change(stream, index))
        elif name in _RUN_LENGTH:
            data = _unrun(data, room)
        else:
            break
    return data, len(data)


def _inflate(data: Buffer, room: int, *, keep: bool) -> tuple[Buffer, int]:
    """Inflate zlib (or raw deflate) data, refusing past ``room`` bytes; broken tails end it."""
    for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS):
        inflater = zlib.decompressobj(wbits)
        out = bytearray()  # grows in place: no second copy of a large stream
        count = 0
        pending = data
        try:
            while True:
                chunk = inflater.decompress(pending, _CHUNK)
                count += len(chunk)
                if count > room:
                    raise TooMuch
                if keep:
                    out += chunk
                pending = inflater.unconsumed_tail
                if inflater.eof or (not chunk and not pending):
                    break
        except zlib.error:
            if count == 0 and wbits > 0:
                continue  # try raw deflate
        return out, count
    return b"", 0


def _unhex(data: Buffer) -> Buffer:
    text = re.sub(rb"\s", b"", data.split(b">", 1)[0])
    try:
        return binascii.unhexlify(text + b"0" * (len(text) % 2))
    except (binascii.Error, ValueError):
        return b""


def _un85(data: Buffer) -> Buffer:
    text = re.sub(rb"\s", b"", data.split(b"~>", 1)[0])
    if text.startswith(b"<~"):
        text = text[2:]
    try:
        return base64.a85decode(text)
    except ValueError:
        return b""


def _unrun(data: Buffer, room: int) -> Buffer:
    """RunLengthDecode: a length byte, then that many literal bytes or one repeated byte."""
    out = bytearray()
    at, end = 0, len(data)
    while at < end:
        length = data[at]
        if length == 128:
            break
        if length < 128:
            out += data[at + 1 : at + 2 + length]
            at += 2 + length
        else:
            out += data[at + 1 : at + 2] * (257 - length)
            at += 2
        if len(out) > room:
            raise TooMuch
    return out


def _early_change(stream: pikepdf.Stream, index: int) -> int:
    parms = stream.stream_dict.get("/DecodeParms")
    if isinstance(parms, pikepdf.Array):
        parms = parms[index] if index < len(parms) else None
    value = parms.get("/EarlyChange", 1) if isinstance(parms, pikepdf.Dictionary) else 1
    return 0 if value == 0 else 1


def _unlzw(data: Buffer, room: int, early: int) -> Buffer:
    """LZWDecode (9- to 12-bit codes, 256 clears the table, 257 ends); broken data ends it."""
    table = [bytes([i]) for i in range(256)] + [b"", b""]
    out = bytearray()
    bits = held = 0
    width = 9
    previous = b""
    for byte in data:
        bits = (bits << 8) | byte
        held += 8
        while held >= width:
            held -= width
            code = (bits >> held) & ((1 << width) - 1)
            bits &= (1 << held) - 1
            if code == 256:
                del table[258:]
                width, previous = 9, b""
                continue
            if code == 257:
                return out
            if code < len(table):
                entry = table[code]
                if previous and len(table) < 4096:
                    table.append(previous + entry[:1])
            elif code == len(table) and previous:
                entry = previous + previous[:1]
                table.append(entry)
            else:
                return out
            out += entry
            if len(out) > room:
                raise TooMuch
            previous = entry
            if len(table) + early >= 1 << width and width < 12:
                width += 1
    return out
