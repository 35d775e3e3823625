"""The people signed up for an activity, or waiting for a place."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, CreatedAt, PersonData

if TYPE_CHECKING:
    from db.models.activities import Activity


class Signup(PersonData, CreatedAt, Base):
    """`status` is confirmed or waiting. Waitlist order is arrival order: the id, which the
    service assigns while holding the activity's lock."""

    __tablename__ = "signups"
    person_columns: ClassVar[dict[str, str]] = {"user_id": "delete"}
    __table_args__ = (UniqueConstraint("activity_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    status: Mapped[str] = mapped_column(String(12))

    activity: Mapped[Activity] = relationship(back_populates="signups")
