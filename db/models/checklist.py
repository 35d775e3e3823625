"""Which co-production checklist items are done for an activity (the items live in
config/checklist.toml; a row here means that item is ticked)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, PersonData


class ChecklistTick(PersonData, Base):
    __tablename__ = "checklist_ticks"
    # Who ticked it is forgotten on erasure; that the item was done stays true.
    person_columns: ClassVar[dict[str, str]] = {"ticked_by": "nullify"}
    __table_args__ = (UniqueConstraint("activity_id", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    item_key: Mapped[str] = mapped_column(String(40))
    ticked_by: Mapped[int | None] = mapped_column(BigInteger)
    ticked_at: Mapped[datetime]
