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
    # Every module that attaches routes or hooks to ``bp`` is imported here, and
    # only here (tests/core/test_rooms.py holds each room to it). Inside the
    # function because those modules import ``bp`` from this package.
    from consult.analysis import (  # noqa: F401
        models,  # noqa: F401  (the tables)
        views,
        views_public,
        views_themes,
    )

    app.register_blueprint(bp)
