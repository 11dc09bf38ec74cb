"""Plans: from a consultation's analysis to an action plan, public comment, "you said, we did" and monitoring.

This room sits at the top (DESIGN.md) beside exports: it reads analysis results
and the collection rooms' query doors and writes plans, their versions, comments
and monitoring updates. Every view checks the territory and role of who asks;
everything public passes through the analysis room's suppression.
"""

from flask import Blueprint, Flask

bp = Blueprint("plans", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the plans blueprint (officials', library, public, moderation, documents and monitoring views)."""
    from flask_babel import lazy_gettext as _l

    from consult.accounts.navigation import register_territory_link
    from consult.plans import (  # noqa: F401  (they attach to ``bp``; demo adds the library's seed step)
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

    register_territory_link("plans.index", _l("Action plans"))
    register_territory_link("plans.comment_plans", _l("Comments on action plans"))
    app.register_blueprint(bp)
    app.cli.add_command(cli.plans_cli)
    # The lower rooms' public pages link to the plan through this global, without importing plans.
    from consult.plans.public_links import plan_links

    app.jinja_env.globals["plan_links"] = plan_links
