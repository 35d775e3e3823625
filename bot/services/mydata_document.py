"""The readable part of `/mydata export`: an HTML page a person can open and understand.

It says in sentences what we hold ("You joined on ...", "You signed up for ... on ..."), who
can see what, and who looked at what helps them take part. It names no table or column and
shows no id but the person's own; the complete machine-readable copy is the JSON beside it
(`bot.services.mydata.export`). Text from people is escaped (jinja2 autoescape).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment, select_autoescape
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.programme.catalogue import default_catalogue
from bot.services.vocabulary import AVAILABILITY, kind_words
from db.models import (
    Activity,
    AdjustmentView,
    Application,
    Attendance,
    BuddyEnrolment,
    BuddyPair,
    ExpenseClaim,
    FeedbackComment,
    FeedbackQuickRating,
    FeedbackResponse,
    Group,
    GroupMembership,
    Member,
    OutboxMessage,
    Payment,
    Signup,
    TrainingRecord,
)

A_COORDINATOR = "a coordinator"
WHERE_VIEWED = {"attendees": "the list of people coming to an activity"}

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>What we hold about you</title>
<style>body{font-family:sans-serif;font-size:1.2em;line-height:1.5;max-width:40em;margin:2em auto;padding:0 1em}</style>
</head>
<body>
<h1>What we hold about you</h1>
<p>This is everything the community bot holds about you, on {{ doc.made_on }}.
Your Discord id is {{ doc.user_id }}. The file my-data.json has the same things for a computer to read.</p>
{% for section in doc.sections %}
<h2>{{ section.heading }}</h2>
{% if section.lines %}<ul>{% for line in section.lines %}<li>{{ line }}</li>{% endfor %}</ul>
{% else %}<p>{{ section.empty }}</p>{% endif %}
{% endfor %}
<h2>Who can see what</h2>
<ul>
<li>The coordinators can see your name, what you sign up for, your hours and what you are owed.</li>
<li>Only you and the coordinators can see what helps you take part.</li>
<li>Feedback you gave with no name has nothing linking it to you, so it is not in this page.</li>
<li>Nothing about what you do here is posted in public.</li>
</ul>
<p>To change your details, use /profile. To delete everything, use /mydata delete.</p>
</body>
</html>
"""

_environment = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_page = _environment.from_string(_TEMPLATE)


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    empty: str
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Document:
    user_id: int
    made_on: str
    sections: list[Section]


def _day(value: datetime | date | None, zone: ZoneInfo) -> str:
    if value is None:
        return "an unknown day"
    if isinstance(value, datetime):
        value = value.astimezone(zone).date()
    return f"{value.day} {value:%B %Y}"


def _money(pence: int) -> str:
    return f"£{pence // 100}.{pence % 100:02d}"


def _hours(minutes: int) -> str:
    hours = minutes / 60
    return f"{hours:g} hour" if hours == 1 else f"{hours:g} hours"


async def readable_export(
    session: AsyncSession, user_id: int, now: datetime, zone: ZoneInfo
) -> str:
    """The HTML page: what we hold about this person, in sentences."""
    document = Document(
        user_id=user_id,
        made_on=_day(now, zone),
        sections=[
            await _about(session, user_id, zone),
            await _taking_part(session, user_id, zone),
            await _money_section(session, user_id, zone),
            await _training_and_groups(session, user_id, zone),
            await _buddies_and_feedback(session, user_id, zone),
            await _who_looked(session, user_id, zone),
            await _messages(session, user_id),
        ],
    )
    return str(_page.render(doc=document))


async def _about(session: AsyncSession, user_id: int, zone: ZoneInfo) -> Section:
    section = Section("About you", "We hold no profile for you.")
    for member in await session.scalars(select(Member).where(Member.user_id == user_id)):
        lines = section.lines
        lines.append(f"You joined on {_day(member.consented_at, zone)}.")
        lines.append(f"You agreed to version {member.consent_version} of our privacy notice.")
        if member.display_name:
            lines.append(f"The name we use for you: {member.display_name}.")
        if member.interests:
            liked = ", ".join(kind_words(kind) for kind in member.interests)
            lines.append(f"You like to take part in: {liked}.")
        if member.availability:
            free = ", ".join(AVAILABILITY.get(when, when) for when in member.availability)
            lines.append(f"You are usually free: {free}.")
        lines.append(f"Your adjustments: {member.adjustments or 'none given'}.")
        lines.append(
            "You get reminders by direct message."
            if member.wants_dms and not member.dms_closed
            else "You get reminders in your private thread."
        )
        if member.paused_until is not None:
            lines.append(f"You paused reminders until {_day(member.paused_until, zone)}.")
        if member.last_seen_at is not None:
            lines.append(f"You last used the bot on {_day(member.last_seen_at, zone)}.")
        if member.left_at is not None:
            lines.append(f"You left the server on {_day(member.left_at, zone)}.")
        if member.stay_asked_at is not None:
            lines.append(f"We asked if you want to stay on {_day(member.stay_asked_at, zone)}.")
    return section


async def _taking_part(session: AsyncSession, user_id: int, zone: ZoneInfo) -> Section:
    section = Section("What you took part in", "You have not signed up for anything.")
    lines = section.lines
    signups = await session.execute(
        select(Signup, Activity).join(Activity).where(Signup.user_id == user_id)
    )
    for signup, activity in signups:
        how = "you have a place" if signup.status == "confirmed" else "you are on the waiting list"
        lines.append(
            f"You signed up for {activity.title} on {_day(signup.created_at, zone)} ({how})."
        )
    applied = await session.execute(
        select(Application, Activity).join(Activity).where(Application.user_id == user_id)
    )
    for application, activity in applied:
        lines.append(
            f"You applied for {activity.title} on {_day(application.applied_at, zone)} "
            f"(now: {application.status})."
        )
    came = await session.execute(
        select(Attendance, Activity).join(Activity).where(Attendance.user_id == user_id)
    )
    for attendance, activity in came:
        if attendance.status == "attended":
            lines.append(
                f"You came to {activity.title} on {_day(activity.starts_at, zone)}: "
                f"{_hours(attendance.minutes)}."
            )
        else:
            lines.append(f"You were marked as not coming to {activity.title}.")
    led = await session.scalars(select(Activity).where(Activity.lead_user_id == user_id))
    for activity in led:
        lines.append(f"You lead {activity.title} on {_day(activity.starts_at, zone)}.")
    return section


async def _money_section(session: AsyncSession, user_id: int, zone: ZoneInfo) -> Section:
    section = Section("What you are owed and paid", "There is no money owed to you or paid.")
    for claim in await session.scalars(select(ExpenseClaim).where(ExpenseClaim.user_id == user_id)):
        section.lines.append(
            f"You claimed {_money(claim.amount_pence)} for {claim.what.replace('_', ' ')} "
            f"({claim.for_title}) on {_day(claim.claimed_at, zone)}. It is {claim.status}."
        )
    payments = await session.scalars(
        select(Payment).where(or_(Payment.user_id == user_id, Payment.paid_user_id == user_id))
    )
    for payment in payments:
        what = f"{_money(payment.amount_pence)} for {payment.for_title}"
        if payment.paid_at is not None:
            section.lines.append(f"We paid you {what} on {_day(payment.paid_at, zone)}.")
        else:
            section.lines.append(f"We owe you {what}, since {_day(payment.owed_since, zone)}.")
    return section


async def _training_and_groups(session: AsyncSession, user_id: int, zone: ZoneInfo) -> Section:
    section = Section("Training and groups", "You have no training or groups with us.")
    catalogue = default_catalogue()
    for record in await session.scalars(
        select(TrainingRecord).where(TrainingRecord.user_id == user_id)
    ):
        module = catalogue.find(record.module_key)
        name = module.name if module is not None else record.module_key.replace("_", " ")
        line = f"You finished the training {name} on {_day(record.completed_on, zone)}."
        if record.expires_on is not None:
            line += f" It runs out on {_day(record.expires_on, zone)}."
        section.lines.append(line)
    groups = await session.execute(
        select(GroupMembership, Group).join(Group).where(GroupMembership.user_id == user_id)
    )
    for membership, group in groups:
        line = f"You joined the group {group.name} on {_day(membership.started_at, zone)}."
        if membership.ended_at is not None:
            line += f" You left it on {_day(membership.ended_at, zone)}."
        section.lines.append(line)
    return section


async def _buddies_and_feedback(session: AsyncSession, user_id: int, zone: ZoneInfo) -> Section:
    section = Section("Buddies and feedback", "You have no buddy and no feedback with your name.")
    for enrolment in await session.scalars(
        select(BuddyEnrolment).where(BuddyEnrolment.user_id == user_id)
    ):
        section.lines.append(
            f"You joined the buddy programme as a {enrolment.role} on "
            f"{_day(enrolment.joined_at, zone)}."
        )
    pairs = await session.scalars(
        select(BuddyPair).where(
            or_(BuddyPair.buddy_user_id == user_id, BuddyPair.newcomer_user_id == user_id)
        )
    )
    for pair in pairs:
        side = "their buddy" if pair.buddy_user_id == user_id else "their newcomer"
        when = _day(pair.started_at, zone) if pair.started_at else "not yet"
        section.lines.append(f"You were paired with another member as {side} ({when}).")
    responses = await session.execute(
        select(FeedbackResponse, Activity).join(Activity).where(FeedbackResponse.user_id == user_id)
    )
    for response, activity in responses:
        line = f"Your feedback on {activity.title}"
        if response.rating is not None:
            line += f": {response.rating} out of 5"
        if response.worked:
            line += f". What worked: {response.worked}"
        if response.to_change:
            line += f". What to change: {response.to_change}"
        section.lines.append(line + ".")
    ratings = await session.execute(
        select(FeedbackQuickRating, Activity)
        .join(Activity)
        .where(FeedbackQuickRating.user_id == user_id)
    )
    for rating, activity in ratings:
        section.lines.append(f"You rated {activity.title} {rating.rating} out of 5.")
    comments = await session.execute(
        select(FeedbackComment, Activity).join(Activity).where(FeedbackComment.user_id == user_id)
    )
    for comment, activity in comments:
        section.lines.append(f"You wrote about {activity.title}: {comment.text}")
    return section


async def _who_looked(session: AsyncSession, user_id: int, zone: ZoneInfo) -> Section:
    section = Section(
        "Who looked at what helps you take part", "Nobody has looked at it through the bot."
    )
    views = await session.execute(
        select(AdjustmentView, Member.display_name)
        .outerjoin(
            Member,
            (Member.user_id == AdjustmentView.viewer_id)
            & (Member.guild_id == AdjustmentView.guild_id),
        )
        .where(AdjustmentView.subject_id == user_id)
        .order_by(AdjustmentView.viewed_at)
    )
    for view, name in views:
        where = WHERE_VIEWED.get(view.place, "a list for coordinators")
        section.lines.append(
            f"On {_day(view.viewed_at, zone)}, {name or A_COORDINATOR} saw it in {where}."
        )
    return section


async def _messages(session: AsyncSession, user_id: int) -> Section:
    section = Section("Messages", "We have no messages waiting to go to you.")
    waiting = list(
        await session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.user_id == user_id, OutboxMessage.sent_at.is_(None)
            )
        )
    )
    sent = list(
        await session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.user_id == user_id, OutboxMessage.sent_at.is_not(None)
            )
        )
    )
    if waiting:
        section.lines.append(f"We have {len(waiting)} messages waiting to go to you.")
    if sent:
        section.lines.append(f"We keep a note of {len(sent)} messages we sent you.")
    return section
