"""XLSForm import and export (the format of KoboToolbox, ODK, SurveyCTO and Ona).

```python
from consult.surveys.xlsform import import_xlsform, export_xlsform, XLSFormError
result = import_xlsform(data, filename="form.xlsx")  # ImportResult: definition, errors, warnings, version
data = export_xlsform(definition)                     # .xlsx bytes that pyxform converts
```

What is and is not supported, and how consult's own question types travel
through XLSForm, is in docs/xlsform.md.
"""

from consult.surveys.xlsform.kobo import import_kobo_asset, is_kobo_asset
from consult.surveys.xlsform.reader import import_xlsform
from consult.surveys.xlsform.report import ImportResult, Issue, XLSFormError
from consult.surveys.xlsform.writer import export_xlsform as export

__all__ = [
    "ImportResult",
    "Issue",
    "XLSFormError",
    "export_xlsform",
    "import_kobo_asset",
    "import_xlsform",
    "is_kobo_asset",
]


def export_xlsform(definition: dict, *, form_id: str | None = None) -> bytes:
    """The instrument ``definition`` as an XLSForm workbook (.xlsx bytes); see ``writer.export_xlsform``."""

    return export(definition, form_id=form_id)
