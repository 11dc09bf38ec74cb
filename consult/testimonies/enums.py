"""The vocabularies of the testimonies room: stable codes with translated labels."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class OnBehalfOf(str, enum.Enum):
    """For whom a testimony speaks."""

    SELF = "self"
    FAMILY = "family"
    COMMUNITY = "community"

    @property
    def label(self):
        """The translated name."""
        return ON_BEHALF_LABELS[self]


ON_BEHALF_LABELS = {
    OnBehalfOf.SELF: _l("One person"),
    OnBehalfOf.FAMILY: _l("A family"),
    OnBehalfOf.COMMUNITY: _l("A community"),
}


class TestimonyStatus(str, enum.Enum):
    """Where a testimony is."""

    __test__ = False  # not a pytest test class, despite the name

    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    WITHDRAWN = "withdrawn"
    PURGED = "purged"

    @property
    def label(self):
        """The translated name."""
        return STATUS_LABELS[self]


STATUS_LABELS = {
    TestimonyStatus.SUBMITTED: _l("Received"),
    TestimonyStatus.IN_REVIEW: _l("Being reviewed"),
    TestimonyStatus.WITHDRAWN: _l("Withdrawn"),
    TestimonyStatus.PURGED: _l("Deleted after the retention period"),
}

#: Statuses whose content is gone.
CLOSED_STATUSES = (TestimonyStatus.WITHDRAWN, TestimonyStatus.PURGED)


class ConsentUse(str, enum.Enum):
    """A use a submitter may allow; the values are the consent question's option codes."""

    AGGREGATE = "aggregate"
    QUOTE = "quote"
    PUBLISH = "publish"
    SHARE_AUTHORITIES = "share_authorities"

    @property
    def label(self):
        """The translated name of the use (the wording actually shown is stored with each record)."""
        return CONSENT_LABELS[self]


CONSENT_LABELS = {
    ConsentUse.AGGREGATE: _l("Counted with other testimonies in the analysis"),
    ConsentUse.QUOTE: _l("Quoted without names, after removing details that identify anyone"),
    ConsentUse.PUBLISH: _l("Published"),
    ConsentUse.SHARE_AUTHORITIES: _l("Shared with a named authority"),
}


class Actor(str, enum.Enum):
    """Who did something to a testimony."""

    SUBMITTER = "submitter"
    CSO = "cso"
    STAFF = "staff"
    SYSTEM = "system"

    @property
    def label(self):
        """The translated name."""
        return ACTOR_LABELS[self]


ACTOR_LABELS = {
    Actor.SUBMITTER: _l("The person who sent it, with the receipt code"),
    Actor.CSO: _l("The organisation that sent it"),
    Actor.STAFF: _l("Staff of the territory"),
    Actor.SYSTEM: _l("An automatic task"),
}


class ExcerptStatus(str, enum.Enum):
    """Where a quotable excerpt is in moderation."""

    PROPOSED = "proposed"
    #: One moderator approved it; a second, different one must approve before it can be used.
    AWAITING_SECOND = "awaiting_second"
    #: Approved by two different moderators: usable outside moderation.
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self):
        """The translated name."""
        return EXCERPT_LABELS[self]


EXCERPT_LABELS = {
    ExcerptStatus.PROPOSED: _l("Proposed"),
    ExcerptStatus.AWAITING_SECOND: _l("Awaiting a second approval"),
    ExcerptStatus.APPROVED: _l("Approved"),
    ExcerptStatus.REJECTED: _l("Rejected"),
}
