"""Analysis: results per stakeholder group, coverage, salience, divergence, remedy and themes.

This room reads answers and testimonies; it never writes them. Counting is done
by the database (one GROUP BY per view, through the collection rooms' query
modules); shaping and statistics in pandas; every figure that leaves the
officials' screens passes through ``suppression.suppress``.
"""

from flask import Blueprint, Flask

bp = Blueprint("analysis", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the analysis blueprint and its views."""
    import importlib

    for module in VIEW_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:  # a view module not written yet
            if error.name != module:
                raise
    app.register_blueprint(bp)


#: Modules that attach views to ``bp``.
VIEW_MODULES = (
    "consult.analysis.models",
    "consult.analysis.views",
    "consult.analysis.views_themes",
    "consult.analysis.views_public",
)
