"""Analysis: results per stakeholder group, coverage, salience, divergence, remedy and themes.

This room reads answers and testimonies; it never writes them. Counting is done
by the database (a few GROUP BY queries per view, through the collection rooms'
query modules); shaping and statistics in pandas; every figure that leaves the
officials' screens passes through ``suppression.suppress``.
"""

from flask import Blueprint, Flask

bp = Blueprint("analysis", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the analysis blueprint: officials' views, themes, the public results page."""
    from consult.analysis import models, views, views_public, views_themes  # noqa: F401  (they attach to ``bp``)

    app.register_blueprint(bp)
