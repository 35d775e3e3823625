"""Feedback on activities: the public post, quick ratings, thread comments and the form.

Anonymous means unlinkable. A form is stored as two rows that share nothing but the activity:
`feedback_givers` says "this person gave feedback on this activity" (to refuse a second form
and to reach them with "you said, we did"), and `feedback_responses` holds what was said, with
`user_id` only when the person chose to be named. Neither table has a timestamp, and response
ids are random (on SQLite the id is the rowid), so neither insert order nor time can pair a
response with its giver. What remains: arithmetic (if only one person gave feedback on an
activity, the anonymous answer is theirs; coordinators see how many gave, never which answer),
and on PostgreSQL the physical row position (`ctid`), which roughly follows insert order in
both tables and is visible to someone with raw SQL access to the database, not through the bot.
"""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, CreatedAt, PersonData
from db.types import EncryptedText

# 64-bit on PostgreSQL; SQLite's INTEGER is 64-bit too and only that spelling is the rowid.
RandomId = BigInteger().with_variant(Integer(), "sqlite")


class FeedbackPost(Base):
    """The "How did it go?" post for an activity and its thread. The row is made when the
    activity's feedback is planned; the ids are filled in once the post is out."""

    __tablename__ = "feedback_posts"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    guild_id: Mapped[int] = mapped_column(BigInteger)
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    thread_id: Mapped[int | None] = mapped_column(BigInteger, index=True)


class FeedbackGiver(PersonData, Base):
    """This person sent the form for this activity; deliberately nothing else."""

    __tablename__ = "feedback_givers"
    person_columns: ClassVar[dict[str, str]] = {"user_id": "delete"}

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    user_id: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=False, index=True
    )


class FeedbackResponse(PersonData, Base):
    """One form. `user_id` is None when anonymous; no timestamp; `id` is random."""

    __tablename__ = "feedback_responses"
    person_columns: ClassVar[dict[str, str]] = {"user_id": "delete"}

    id: Mapped[int] = mapped_column(RandomId, primary_key=True, autoincrement=False)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    rating: Mapped[int | None]
    worked: Mapped[str | None] = mapped_column(EncryptedText)
    to_change: Mapped[str | None] = mapped_column(EncryptedText)
    anonymous: Mapped[bool]
    user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)


class FeedbackQuickRating(PersonData, CreatedAt, Base):
    """good / okay / not good from a button or a reaction on the post: one per person, the
    latest wins. `source` says which, so removing a reaction only undoes a reaction."""

    __tablename__ = "feedback_quick_ratings"
    person_columns: ClassVar[dict[str, str]] = {"user_id": "delete"}
    __table_args__ = (UniqueConstraint("activity_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    rating: Mapped[int]
    source: Mapped[str] = mapped_column(String(10))  # button | reaction


class FeedbackComment(PersonData, CreatedAt, Base):
    """A participant's reply in the feedback post's thread."""

    __tablename__ = "feedback_comments"
    person_columns: ClassVar[dict[str, str]] = {"user_id": "delete"}

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    message_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    text: Mapped[str] = mapped_column(EncryptedText)
