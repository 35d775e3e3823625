"""The one vocabulary for activity kinds and availability: what the activity `kind` option
offers, what a profile's interests and a buddy's interests may be, and the words for "when
are you usually free". Every cog, service and form reads them from here."""

from __future__ import annotations

# The kinds of activity; people choose among the same kinds as interests.
ACTIVITY_KINDS: tuple[str, ...] = (
    "education",
    "research",
    "policy",
    "recruitment",
    "training",
    "governance",
    "social",
)
INTEREST_KINDS = ACTIVITY_KINDS

# When people are usually free, with the words shown for each.
AVAILABILITY: dict[str, str] = {
    "weekday_daytime": "Weekday daytime",
    "weekday_evenings": "Weekday evenings",
    "weekends": "Weekends",
}
AVAILABILITY_KINDS: tuple[str, ...] = tuple(AVAILABILITY)


def kind_words(kind: str) -> str:
    """How a kind is shown to people ("education" -> "Education")."""
    return kind.capitalize()
