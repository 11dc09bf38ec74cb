"""Authenticated encryption: round trip, tampering, wrong context, key rings and start-up checks."""

from __future__ import annotations

import base64

import pytest

from config import ConfigError, load_settings
from consult import create_app
from consult.testimonies import crypto


def _spec(*ids: str) -> str:
    return ",".join(crypto.new_key_spec(i) for i in ids)


def test_round_trip_and_key_id_in_envelope():
    ring = crypto.KeyRing.parse(_spec("k2"))
    envelope = ring.seal("Amenazaron a mi hermano".encode(), "testimonies/7/sealed_answers")
    assert crypto.key_id_of(envelope) == "k2"
    assert b"Amenazaron" not in envelope
    assert ring.open(envelope, "testimonies/7/sealed_answers").decode() == "Amenazaron a mi hermano"


def test_same_text_seals_differently_each_time():
    ring = crypto.KeyRing.parse(_spec("k1"))
    assert ring.seal(b"igual", "x/1/f") != ring.seal(b"igual", "x/1/f")


@pytest.mark.parametrize("position", [0, 1, 5, 20, -1])
def test_any_changed_byte_is_detected(position):
    ring = crypto.KeyRing.parse(_spec("k1"))
    envelope = bytearray(ring.seal(b"narrativa del testimonio", "testimonies/1/sealed_answers"))
    envelope[position] ^= 0x01
    with pytest.raises(crypto.CryptoError):
        ring.open(bytes(envelope), "testimonies/1/sealed_answers")


def test_truncated_or_foreign_data_is_refused():
    ring = crypto.KeyRing.parse(_spec("k1"))
    envelope = ring.seal(b"texto", "testimonies/1/sealed_answers")
    for broken in (b"", envelope[:10], b"plain text stored by mistake"):
        with pytest.raises(crypto.TamperedCiphertext):
            ring.open(broken, "testimonies/1/sealed_answers")


@pytest.mark.parametrize(
    "other", ["testimonies/2/sealed_answers", "testimonies/1/sealed_notes", "testimony_excerpts/1/sealed_text"]
)
def test_a_ciphertext_cannot_move_to_another_row_or_field(other):
    ring = crypto.KeyRing.parse(_spec("k1"))
    envelope = ring.seal("lo que pasó".encode(), "testimonies/1/sealed_answers")
    with pytest.raises(crypto.TamperedCiphertext):
        ring.open(envelope, other)


def test_a_relabelled_key_id_does_not_authenticate():
    # Two keys; re-label a ciphertext of k1 as k2 (same length ids): the header is authenticated.
    spec = _spec("k1", "k2")
    ring = crypto.KeyRing.parse(spec)
    first_only = crypto.KeyRing.parse(spec.split(",")[0])
    envelope = first_only.seal(b"secreto", "t/1/f")
    relabelled = envelope.replace(b"k1", b"k2", 1)
    with pytest.raises(crypto.TamperedCiphertext):
        ring.open(relabelled, "t/1/f")


def test_old_keys_still_open_and_unknown_keys_are_named():
    old = crypto.KeyRing.parse(_spec("k2025"))
    envelope = old.seal(b"antes", "t/1/f")
    rotated = crypto.KeyRing.parse(
        crypto.new_key_spec("k2026")
        + ","
        + ",".join(f"{k}:{base64.b64encode(v).decode()}" for k, v in old.keys.items())
    )
    assert rotated.current_id == "k2026"
    assert rotated.open(envelope, "t/1/f") == b"antes"
    assert crypto.key_id_of(rotated.seal(b"ahora", "t/1/f")) == "k2026"
    with pytest.raises(crypto.UnknownKey, match="k2025"):
        crypto.KeyRing.parse(_spec("k2026")).open(envelope, "t/1/f")


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "nokey",
        "k1:not-base64-!!",
        "k1:" + base64.b64encode(b"short").decode(),
        "bad id:" + "A" * 44,
        "k1:" + "A" * 43 + "=," + "k1:" + "B" * 43 + "=",
    ],
)
def test_malformed_key_rings_are_refused(spec):
    with pytest.raises(crypto.KeyConfigError):
        crypto.KeyRing.parse(spec)


def test_key_rings_accept_new_lines_and_standard_base64():
    key = base64.b64encode(bytes(range(32))).decode()
    ring = crypto.KeyRing.parse(f"a:{key}\nb:{crypto.new_key_spec('x').split(':', 1)[1]}\n")
    assert ring.ids == ["a", "b"] and ring.keys["a"] == bytes(range(32))


def test_production_refuses_to_start_without_testimony_keys(tmp_path):
    environ = {
        "CONSULT_SECRET_KEY": "s" * 40,
        "CONSULT_DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
        "CONSULT_AUDIT_KEY": "A" * 43 + "=",
    }
    with pytest.raises(ConfigError, match="CONSULT_TESTIMONY_KEYS"):
        load_settings("production", instance_path=tmp_path, environ=environ)
    settings = load_settings(
        "production", instance_path=tmp_path, environ={**environ, "CONSULT_TESTIMONY_KEYS": "k1:too-short"}
    )
    with pytest.raises(ConfigError, match="CONSULT_TESTIMONY_KEYS"):
        create_app(settings)
    good = load_settings(
        "production", instance_path=tmp_path, environ={**environ, "CONSULT_TESTIMONY_KEYS": _spec("k1")}
    )
    assert crypto.KeyRing.parse(create_app(good).config["CONSULT_TESTIMONY_KEYS"]).current_id == "k1"
    assert not (tmp_path / "testimony_keys").exists()


def test_development_makes_a_key_file_with_mode_0600_once(tmp_path):
    first = load_settings("development", instance_path=tmp_path, environ={})
    second = load_settings("development", instance_path=tmp_path, environ={})
    assert first.testimony_keys == second.testimony_keys
    assert (tmp_path / "testimony_keys").stat().st_mode & 0o777 == 0o600
    ring = crypto.KeyRing.parse(first.testimony_keys)
    assert len(ring.keys[ring.current_id]) == 32
    # The environment wins over the file.
    chosen = _spec("mine")
    assert (
        load_settings("development", instance_path=tmp_path, environ={"CONSULT_TESTIMONY_KEYS": chosen}).testimony_keys
        == chosen
    )


def test_new_key_command_prints_a_usable_entry(runner):
    result = runner.invoke(args=["testimonies", "new-key", "k2027"])
    assert result.exit_code == 0
    assert crypto.KeyRing.parse(result.output.strip()).current_id == "k2027"
    assert runner.invoke(args=["testimonies", "new-key", "bad id"]).exit_code != 0
