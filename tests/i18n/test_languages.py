"""Any language by its code: checked and named from CLDR/IANA data, with the nearest interface language."""

from __future__ import annotations

import pytest

from consult.i18n.languages import (
    code_for_name,
    default_interface_language,
    endonym,
    is_content_language,
    name_in,
    normalise,
    suggested_names,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("mzh", "mzh"),  # Wichí: an ISO 639-3 code only
        ("guc", "guc"),  # Wayuunaiki
        ("quy", "quy"),
        ("gn", "gn"),
        ("ht", "ht"),
        ("wba", "wba"),  # Warao
        ("pt-br", "pt-BR"),
        ("ES", "es"),
        ("es_419", "es-419"),
        (" qu ", "qu"),
    ],
)
def test_valid_codes_are_kept_in_their_standard_form(given, expected):
    assert normalise(given) == expected


@pytest.mark.parametrize("given", ["", None, "xx", "qaa", "und", "zxx", "x-foo", "Quechua", "q u", "es;drop", "a" * 50])
def test_codes_that_name_no_language_are_refused(given):
    assert normalise(given) is None
    assert not is_content_language(given)


def test_names_come_from_the_language_data():
    assert endonym("qu") == "Runasimi"
    assert endonym("gn") == "Avañe’ẽ"
    assert endonym("es") == "Español"
    assert endonym("mzh").startswith("Wichí")
    assert name_in("gn", "es") == "Guaraní"
    assert name_in("ht", "en") == "Haitian Creole"
    assert suggested_names("arn") == {
        "endonym": "Mapudungun",
        "es": "Mapuche",
        "en": "Mapuche",
        "pt": "Mapudungun",
    }


@pytest.mark.parametrize(
    ("name", "code"),
    [("English", "en"), ("english", "en"), ("English (en)", "en"), ("Chinese", "zh"), ("Español", "es"), ("fr", "fr")],
)
def test_language_names_map_to_codes_when_certain(name, code):
    assert code_for_name(name) == code


@pytest.mark.parametrize("name", ["Wichi", "", None, "Unknown (zz)", "not a language"])
def test_uncertain_names_are_not_guessed(name):
    assert code_for_name(name) is None


def test_the_interface_is_the_nearest_catalogue():
    assert default_interface_language("en") == "en"
    assert default_interface_language("pt-BR") == "pt"
    assert default_interface_language("yrl") == "pt"  # Nheengatu, spoken in Brazil
    assert default_interface_language("mzh") == "es"
    assert default_interface_language("gn") == "es"
