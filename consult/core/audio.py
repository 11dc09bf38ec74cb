"""Audio: speech synthesised with eSpeak NG, and recordings checked and re-encoded to Ogg Opus.

Both run in-process from wheels (``espeakng-loader`` ships libespeak-ng and its
voices; ``av`` ships FFmpeg's libraries), so neither ``make run`` nor a server
needs a system package, and nothing reaches the network.

Every sound consult keeps or serves is mono Ogg Opus at 24 kHz: small enough
for a cheap phone on a weak network (about 3 KB a second at 24 kbit/s), played
by every current browser. Re-encoding an upload also drops whatever the
original carried besides sound (container metadata such as a phone's location
or its model), which matters for recordings made by the people consulted.
"""

from __future__ import annotations

import ctypes
import functools
import io
import threading
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.error
from flask_babel import lazy_gettext as _l

#: What consult stores and serves.
MIME_TYPE = "audio/ogg"
EXTENSION = "ogg"
SAMPLE_RATE = 24_000
BIT_RATE = 24_000


class AudioError(ValueError):
    """An upload that is not usable sound; ``message`` is translated for the person who sent it."""

    def __init__(self, message) -> None:  # noqa: ANN001  (a lazy string)
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Sound:
    """Encoded audio: the bytes (Ogg Opus), their MIME type and the length in seconds."""

    data: bytes
    seconds: float
    mime_type: str = MIME_TYPE


# --- Re-encoding ------------------------------------------------------------------------------


def _encode(frames: list[av.AudioFrame]) -> Sound:
    """Ogg Opus bytes for decoded frames, resampled to mono 24 kHz."""
    out = io.BytesIO()
    with av.open(out, mode="w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=SAMPLE_RATE)
        stream.bit_rate = BIT_RATE
        stream.layout = "mono"
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        samples = 0
        for frame in frames:
            frame.pts = None
            for converted in resampler.resample(frame):
                samples += converted.samples
                for packet in stream.encode(converted):
                    container.mux(packet)
        for converted in resampler.resample(None):
            samples += converted.samples
            for packet in stream.encode(converted):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return Sound(out.getvalue(), samples / SAMPLE_RATE)


def transcode(data: bytes, *, max_seconds: float, min_seconds: float = 0.2) -> Sound:
    """Check that ``data`` is sound of a usable length and re-encode it to mono Ogg Opus.

    Accepts whatever FFmpeg decodes (a phone's M4A/AAC or 3GP, a browser's WebM or
    Ogg Opus, MP3, WAV, FLAC…) but only the first audio stream of it. Raises
    ``AudioError`` with a translated message for data that is not audio, is
    empty, or is longer than ``max_seconds`` (decoding stops there, so a long
    file costs no more than the limit).
    """
    if not data:
        raise AudioError(_l("The file is empty."))
    frames: list[av.AudioFrame] = []
    seconds = 0.0
    try:
        with av.open(io.BytesIO(data), mode="r", metadata_errors="ignore") as container:
            streams = container.streams.audio
            if not streams:
                raise AudioError(_l("This file holds no sound. Please send a sound recording."))
            stream = streams[0]
            for frame in container.decode(stream):
                seconds += frame.samples / (frame.sample_rate or SAMPLE_RATE)
                if seconds > max_seconds:
                    raise AudioError(_too_long(max_seconds))
                frames.append(frame)
    except AudioError:
        raise
    except (av.error.FFmpegError, ValueError, OSError, IndexError) as error:
        raise AudioError(_l("This file is not a sound recording consult can read.")) from error
    if seconds < min_seconds:
        raise AudioError(_l("The recording is empty or too short."))
    return _encode(frames)


def _too_long(max_seconds: float):  # noqa: ANN202  (a lazy string)
    if max_seconds < 120:
        return _l(
            "The recording is longer than %(seconds)d seconds. Please send a shorter one.", seconds=int(max_seconds)
        )
    return _l(
        "The recording is longer than %(minutes)d minutes. Please send a shorter one.", minutes=int(max_seconds // 60)
    )


def duration_of(data: bytes) -> float:
    """The length in seconds of encoded audio that consult stored (0 when unreadable)."""
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            stream = container.streams.audio[0]
            return sum(frame.samples / frame.sample_rate for frame in container.decode(stream))
    except (av.error.FFmpegError, ValueError, OSError, IndexError):
        return 0.0


# --- Synthesis ----------------------------------------------------------------------------------

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_CHARS_UTF8 = 1
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

# eSpeak NG keeps one global state per process: one synthesis at a time.
_lock = threading.Lock()
_engine: dict[str, object] = {}

#: eSpeak NG voices for language codes whose plain code would choose another variety.
#: Latin-American Spanish and Brazilian Portuguese are the varieties of the territories.
_VOICE_FOR = {"es": "es-419", "pt": "pt-br"}


def _library():
    """The loaded eSpeak NG library, initialised once with the wheel's voice data."""
    if "lib" not in _engine:
        import espeakng_loader  # noqa: PLC0415  (loaded on the first synthesis only)

        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_Synth.restype = ctypes.c_int
        data_parent = str(Path(espeakng_loader.get_data_path()).parent).encode()
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_parent, 0)
        if rate <= 0:
            raise RuntimeError("eSpeak NG could not start")
        _engine["lib"] = lib
        _engine["rate"] = rate
        _engine["chunks"] = []

        def collect(wav, count, _events):  # noqa: ANN001
            if wav and count > 0:
                _engine["chunks"].append(ctypes.string_at(wav, count * 2))
            return 0

        _engine["callback"] = _CALLBACK(collect)
        lib.espeak_SetSynthCallback(_engine["callback"])
    return _engine["lib"]


@functools.cache
def _voices(data_path: str) -> dict[str, str]:
    """eSpeak NG's voice files by lower-case name (read once: the wheel's data does not change)."""
    return {path.name.lower(): path.name for path in (Path(data_path) / "lang").rglob("*") if path.is_file()}


def voice_for(language: str) -> str | None:
    """The eSpeak NG voice for a language code (``gn``, ``qu``, ``es``, ``pt-BR``…), or ``None`` when it has none."""
    import espeakng_loader  # noqa: PLC0415

    code = language.lower()
    wanted = [_VOICE_FOR.get(code, code)]
    if "-" in code:
        wanted.append(code.split("-")[0])
    known = _voices(espeakng_loader.get_data_path())
    for name in wanted:
        if name in known:
            return name
    return None


def synthesise(text: str, language: str) -> Sound:
    """``text`` spoken by eSpeak NG in ``language``, as Ogg Opus.

    Raises ``LookupError`` when eSpeak NG has no voice for the language (the
    caller then offers no synthesised prompt rather than a wrong accent).
    """
    voice = voice_for(language)
    if voice is None:
        raise LookupError(language)
    with _lock:
        lib = _library()
        if lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise LookupError(language)
        _engine["chunks"] = []
        encoded = text.encode("utf-8") + b"\0"
        lib.espeak_Synth(encoded, len(encoded), 0, 0, 0, _CHARS_UTF8, None, None)
        lib.espeak_Synchronize()
        pcm = b"".join(_engine["chunks"])
        rate = int(_engine["rate"])
    if not pcm:
        raise LookupError(language)
    frame = av.AudioFrame(format="s16", layout="mono", samples=len(pcm) // 2)
    frame.planes[0].update(pcm)
    frame.sample_rate = rate
    frame.time_base = Fraction(1, rate)
    return _encode([frame])


# --- Serving ------------------------------------------------------------------------------------


def sound_response(data: bytes, *, cache_control: str = "no-store"):  # noqa: ANN201  (a Flask response)
    """``data`` (Ogg Opus) as a response to the current request, with byte ranges.

    A browser's player asks for pieces (to learn an Ogg file's length it reads the last page):
    Werkzeug answers ``Range`` with 206, ``Content-Range`` and a 416 for a range it cannot serve.
    """
    from flask import current_app, request  # noqa: PLC0415  (synthesis and re-encoding need no app)

    response = current_app.response_class(data, mimetype=MIME_TYPE)
    response.headers["Cache-Control"] = cache_control
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request, accept_ranges=True, complete_length=len(data))
