"""Plans: from a consultation's analysis to an action plan, public comment, "you said, we did" and monitoring.

This room sits at the top (DESIGN.md) beside exports: it reads analysis results
and the collection rooms' query doors and writes plans, their versions, comments
and monitoring updates. Every view checks the territory and role of who asks;
everything public passes through the analysis room's suppression.
"""

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from consult.accounts.navigation import register_territory_link

bp = Blueprint("plans", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the plans blueprint (officials', library, public, moderation, documents and monitoring views)."""
    # Every module that attaches routes, hooks or template helpers to ``bp`` is
    # imported here, and only here (tests/core/test_rooms.py holds each room to
    # it). Inside the function because those modules import ``bp`` from this package.
    from consult.plans import (  # noqa: F401  # noqa: F401  (the CLI, the library's seed step, the tables)
        cli,
        demo,
        models,
        views_documents,
        views_library,
        views_moderation,
        views_monitoring,
        views_official,
        views_public,
    )

    # The lower rooms' public pages link to the plan through this global, without importing plans.
    from consult.plans.public_links import plan_links, plan_links_for

    register_territory_link("plans.index", _l("Action plans"))
    register_territory_link("plans.comment_plans", _l("Comments on action plans"))
    app.register_blueprint(bp)
    app.cli.add_command(cli.plans_cli)
    app.jinja_env.globals["plan_links"] = plan_links
    app.jinja_env.globals["plan_links_for"] = plan_links_for
