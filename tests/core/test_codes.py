"""Codes a person writes down survive being typed back sloppily."""

from consult.core.codes import hash_code, new_code, normalise_code


def test_codes_are_grouped_random_and_hash_the_same_when_typed_sloppily():
    code = new_code()
    assert len(code) == 19 and code.count("-") == 3
    assert new_code() != code
    typed = " " + code.lower().replace("-", " ").replace("1", "l").replace("0", "o") + " "
    assert normalise_code(typed) == code.replace("-", "")
    assert hash_code(typed) == hash_code(code)
    assert len(hash_code(code)) == 64
