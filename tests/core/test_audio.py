"""Audio: eSpeak NG speaks the territories' languages from the wheel, and uploads are checked and re-encoded."""

from __future__ import annotations

import io
import math
import wave

import av
import pytest

from consult.core import audio


def _wav(seconds: float, rate: int = 16_000) -> bytes:
    """A sine tone as a WAV file, the way a recorder app might send it."""
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        frames = bytearray()
        for i in range(int(seconds * rate)):
            value = int(12000 * math.sin(2 * math.pi * 440 * i / rate))
            frames += value.to_bytes(2, "little", signed=True)
        file.writeframes(bytes(frames))
    return out.getvalue()


def _codec(data: bytes) -> tuple[str, str, int, int]:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        return container.format.name, stream.codec_context.name, stream.codec_context.sample_rate, stream.channels


@pytest.mark.parametrize("language", ["gn", "qu", "es", "pt", "en", "pt-BR"])
def test_espeak_speaks_the_territories_languages(language):
    sound = audio.synthesise("Ñande yvy, ñande y. Agua y tierra.", language)
    assert sound.mime_type == "audio/ogg"
    assert 1.0 < sound.seconds < 10
    assert _codec(sound.data) == ("ogg", "opus", 48000, 1) or _codec(sound.data)[1] == "opus"
    # Small for a weak network: well under 8 KB a second.
    assert len(sound.data) < 8_000 * sound.seconds


def test_a_language_espeak_does_not_speak_is_refused_not_faked():
    assert audio.voice_for("mzh") is None
    with pytest.raises(LookupError):
        audio.synthesise("Wichí lhämtes", "mzh")


def test_latin_american_varieties_are_chosen():
    assert audio.voice_for("es") == "es-419"
    assert audio.voice_for("pt") == "pt-br"
    assert audio.voice_for("gn") == "gn"


def test_a_recording_is_re_encoded_to_small_mono_opus():
    original = _wav(3.0)
    sound = audio.transcode(original, max_seconds=60)
    assert _codec(sound.data)[1] == "opus"
    assert abs(sound.seconds - 3.0) < 0.1
    assert len(sound.data) < len(original) / 5
    assert abs(audio.duration_of(sound.data) - 3.0) < 0.1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"%PDF-1.4 not a sound" * 20, "This file is not a sound recording consult can read."),
        (_wav(0.05), "The recording is empty or too short."),
    ],
)
def test_what_is_not_usable_sound_is_refused_with_a_message(data, message):
    with pytest.raises(audio.AudioError) as caught:
        audio.transcode(data, max_seconds=60)
    assert str(caught.value.message) == message


def test_a_recording_over_the_limit_is_refused():
    with pytest.raises(audio.AudioError) as caught:
        audio.transcode(_wav(4.0), max_seconds=2)
    assert str(caught.value.message) == "The recording is longer than 2 seconds. Please send a shorter one."
