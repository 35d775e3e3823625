"""The involvement record's buttons, forms and screens: the role card form, choosing
applicants, marking attendance and hours, how to be paid, and the expense claim card."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Self

import discord
from discord.utils import format_dt

from bot.errors import InvalidInput, NotAllowed
from bot.permissions import is_coordinator, is_coordinator_of
from bot.services import outbox
from bot.services.involvement import attendance, choosing, claims, payments, role_cards
from bot.services.involvement.attendance import ATTENDED, LATE_CANCEL, NO_SHOW, Mark
from bot.services.involvement.common import NoticePayload, pounds
from bot.services.involvement.common import activity as activity_info
from bot.services.involvement.role_cards import Card
from bot.services.outbox import OutboxKind
from bot.ui.base import ExpiringView, GuardedButton, PersistentModal
from bot.ui.custom_ids import CustomId
from bot.ui.reply import reply
from bot.ui.text import plain, shown, shown_line

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.client import HealthBot

Interaction = discord.Interaction["HealthBot"]
OPTIONS = 25  # the most options a select can hold
STATUS_WORDS = {ATTENDED: "attended", NO_SHOW: "did not come", LATE_CANCEL: "cancelled late"}
CHOICE_WORDS = {
    payments.PAYMENT: "Payment",
    payments.VOUCHER: "Voucher",
    payments.NO_THANKS: "No thanks",
}

EXPIRED = "This list has timed out. Please run the command again to get a fresh one."


def _title(text: str) -> str:
    return text if len(text) <= 45 else text[:44] + "…"


def _name(user_id: int, display_name: str | None) -> str:
    return plain(display_name, 80) if display_name else f"Person {user_id}"


# -- role cards ---------------------------------------------------------------------------------


def _minutes_text(card: Card) -> str:
    if card.time_minutes is None:
        return ""
    return (
        f"{card.time_minutes} + {card.reading_minutes}"
        if card.reading_minutes
        else str(card.time_minutes)
    )


def _read_minutes(typed: str) -> tuple[int | None, int]:
    text = typed.strip()
    if not text:
        return None, 0
    found = re.fullmatch(r"(\d{1,5})\s*(?:\+\s*(\d{1,5}))?", text)
    if found is None:
        raise InvalidInput(
            "I could not read the time needed. Type minutes, like 90, or 90 + 30 with reading. "
            "Nothing was saved."
        )
    return int(found[1]), int(found[2] or 0)


class RoleCardForm(PersistentModal, prefix=CustomId.ROLE_CARD_FORM, fields=r"(?P<activity>[0-9]+)"):
    """The role card, pre-filled with what is stored; answered by its custom id after a
    restart (the fields the form does not show are read again from the stored card)."""

    def __init__(self, activity_id: int, title: str = "", card: Card | None = None) -> None:
        super().__init__(activity_id, title=_title(f"Role details: {title}"))
        self.activity_id = activity_id
        card = card or role_cards.NO_CARD

        def field(
            label: str, value: str | None, *, long: bool, most: int
        ) -> discord.ui.TextInput[Any]:
            item: discord.ui.TextInput[Any] = discord.ui.TextInput(
                custom_id=label,
                label=label,
                default=value or None,
                required=False,
                max_length=most,
                style=discord.TextStyle.paragraph if long else discord.TextStyle.short,
            )
            self.add_item(item)
            return item

        self.what = field("What you will do", card.what_you_do, long=True, most=1000)
        self.time = field(
            "Time needed in minutes (+ reading)", _minutes_text(card), long=False, most=20
        )
        self.support = field("Support offered", card.support, long=True, most=1000)
        self.contact = field("Who to contact", card.contact, long=False, most=200)
        self.difference = field("What difference it makes", card.difference, long=True, most=1000)

    @classmethod
    async def restore(cls, interaction: discord.Interaction[Any], match: re.Match[str]) -> Self:
        return cls(int(match["activity"]))

    async def on_submit(self, interaction: Interaction) -> None:  # type: ignore[override]
        assert interaction.guild_id is not None
        bot = interaction.client
        minutes, reading = _read_minutes(self.time.value)
        async with bot.db.sessions() as session:
            stored = await role_cards.get_card(session, self.activity_id)
        card = Card(
            **{
                **_card_values(stored),
                "what_you_do": self.what.value,
                "time_minutes": minutes,
                "reading_minutes": reading,
                "support": self.support.value,
                "contact": self.contact.value,
                "difference": self.difference.value,
            }
        )
        async with bot.db.sessions() as session, session.begin():
            await role_cards.set_card(
                session,
                interaction.guild_id,
                self.activity_id,
                card,
                bot.payment_settings,
                bot.clock.now(),
            )
        await reply(
            interaction,
            "Saved the role details. People see them from the announcement's Role details "
            "button, and before they sign up.",
        )


def _card_values(card: Card) -> dict[str, Any]:
    return {name: getattr(card, name) for name in card.__slots__}


async def open_role_form(interaction: Interaction, activity_id: int) -> None:
    assert interaction.guild_id is not None
    bot = interaction.client
    async with bot.db.sessions() as session:
        info = await activity_info(session, interaction.guild_id, activity_id)
        card = await role_cards.get_card(session, activity_id)
    await interaction.response.send_modal(RoleCardForm(activity_id, info.title, card))


def card_embed(title: str, card: Card, key_lines: list[str]) -> discord.Embed:
    embed = discord.Embed(title=plain(f"Role details: {title}", 256))
    for label, value in (
        ("What you will do", card.what_you_do),
        ("Support offered", card.support),
        ("Skills or experience wanted", card.skills),
        ("How people are chosen", card.how_chosen),
        ("What difference it makes", card.difference),
        ("How you will hear about it", card.hear_back),
    ):
        if value:
            embed.add_field(name=label, value=shown(value, 1024), inline=False)
    embed.add_field(name="Key points", value=shown("\n".join(key_lines), 1024), inline=False)
    return embed


class AddRoleDetailsButton(
    GuardedButton, prefix=CustomId.ADD_ROLE_DETAILS, fields=r"(?P<id>[0-9]+)"
):
    """On the coordinator's confirmation after `/activity create`."""

    def __init__(self, activity_id: int) -> None:
        super().__init__(activity_id, label="Add role details", style=discord.ButtonStyle.primary)
        self.activity_id = activity_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> AddRoleDetailsButton:
        return cls(int(match["id"]))

    async def run(self, interaction: Interaction) -> None:
        if not await is_coordinator(interaction):
            raise NotAllowed("Only coordinators can add role details.")
        await open_role_form(interaction, self.activity_id)


class RoleDetailsButton(GuardedButton, prefix=CustomId.ROLE_DETAILS, fields=r"(?P<id>[0-9]+)"):
    """On the announcement: the role card, shown only to the person who pressed."""

    def __init__(self, activity_id: int) -> None:
        super().__init__(activity_id, label="Role details")
        self.activity_id = activity_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> RoleDetailsButton:
        return cls(int(match["id"]))

    async def run(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        bot = interaction.client
        async with bot.db.sessions() as session:
            info = await activity_info(session, interaction.guild_id, self.activity_id)
            card = await role_cards.get_card(session, self.activity_id)
        key = role_cards.key_lines(card, info.duration_minutes, bot.payment_settings)
        await reply(interaction, embed=card_embed(info.title, card, key.lines()))


# -- fair choosing ------------------------------------------------------------------------------


async def choose_screen(
    bot: HealthBot, guild_id: int, activity_id: int, page: int = 0
) -> tuple[discord.Embed, discord.ui.View | None]:
    zone = (await bot.community(guild_id)).zone
    async with bot.db.sessions() as session:
        found = await choosing.applicants(session, guild_id, activity_id, bot.clock.now(), zone)
    embed = discord.Embed(title=plain(f"Applicants: {found.activity.title}", 256))
    if not found.people:
        embed.description = "Nobody is waiting for a decision. New applications show here."
        return embed, None
    suggested = set(found.suggestion)
    lines = []
    for number, person in enumerate(found.people, start=1):
        last = format_dt(person.last_took_part, "d") if person.last_took_part else "never"
        line = (
            f"{number}. {shown_line(_name(person.user_id, person.display_name), 80)}: "
            f"{person.attended_this_year} this year, last took part {last}"
        )
        if person.user_id in suggested:
            line += " (suggested)"
        if person.why:
            line += f"\n   Why: {shown_line(person.why, 300)}"
        lines.append(line)
    embed.description = (
        f"{max(found.places, 0)} places left, {len(found.people)} applied. The fair suggestion "
        "is ticked: fewest activities this year first, then longest since they took part.\n\n"
        + "\n".join(lines)
    )[:4096]
    view = ChooseView(activity_id, found, page)
    return embed, view


class ChooseView(ExpiringView):
    expired_text = EXPIRED
    """The applicants, 25 a page (Previous / Next keep what was picked on other pages), the
    fair suggestion ticked, and Confirm choice."""

    def __init__(
        self,
        activity_id: int,
        found: choosing.Applicants,
        page: int,
        picked: set[int] | None = None,
    ) -> None:
        super().__init__(timeout=30 * 60)
        self.activity_id, self.found = activity_id, found
        pages = max(-(-len(found.people) // OPTIONS), 1)
        self.page = min(max(page, 0), pages - 1)
        self.people = found.people[self.page * OPTIONS : (self.page + 1) * OPTIONS]
        self.picked: set[int] = set(found.suggestion) if picked is None else picked
        self.pick: discord.ui.Select[Any] = discord.ui.Select(
            placeholder="Who gets a place?",
            min_values=0,
            max_values=len(self.people),
            options=[
                discord.SelectOption(
                    label=plain(_name(person.user_id, person.display_name), 100),
                    value=str(person.user_id),
                    default=person.user_id in self.picked,
                )
                for person in self.people
            ],
        )
        self.pick.callback = self._picked  # type: ignore[method-assign, assignment]
        self.add_item(self.pick)
        confirm: discord.ui.Button[Any] = discord.ui.Button(
            label="Confirm choice", style=discord.ButtonStyle.success
        )
        confirm.callback = self._confirm  # type: ignore[method-assign, assignment]
        self.add_item(confirm)
        if pages > 1:
            for label, step in (("Previous", -1), ("Next", 1)):
                button: discord.ui.Button[Any] = discord.ui.Button(
                    label=label, disabled=not 0 <= self.page + step < pages
                )
                button.callback = self._turner(step)  # type: ignore[method-assign]
                self.add_item(button)

    def _turner(self, step: int) -> Any:
        async def turn(interaction: Interaction) -> None:
            view = ChooseView(self.activity_id, self.found, self.page + step, self.picked)
            await interaction.response.edit_message(view=view)

        return turn

    async def _picked(self, interaction: Interaction) -> None:
        here = {person.user_id for person in self.people}
        self.picked = (self.picked - here) | {int(value) for value in self.pick.values}
        await interaction.response.send_message(
            f"{len(self.picked)} picked. Press Confirm choice to tell them.", ephemeral=True
        )

    async def _confirm(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        if not await is_coordinator(interaction):
            raise NotAllowed("Only coordinators can choose who takes part.")
        bot = interaction.client
        now = bot.clock.now()
        async with bot.db.sessions() as session, session.begin():
            done = await choosing.choose(
                session, interaction.guild_id, self.activity_id, sorted(self.picked), now
            )
            title = done.activity.title
            for user_id in done.chosen:
                await notice(
                    session,
                    interaction.guild_id,
                    user_id,
                    f"chosen:{self.activity_id}:{user_id}",
                    now,
                    f"Good news: you have a place on {title}. "
                    "We will remind you before it starts. Use `/mine` to see it.",
                )
            for user_id in done.not_chosen:
                await notice(
                    session,
                    interaction.guild_id,
                    user_id,
                    f"not-chosen:{self.activity_id}:{user_id}",
                    now,
                    f"Thank you for applying for {title}. This time we could not offer you a "
                    "place. We chose fairly, and we hope to see you on another activity soon.",
                )
        bot.outbox.wake()
        await reply(
            interaction,
            f"Done. {len(done.chosen)} chosen and told. {len(done.not_chosen)} thanked.",
        )


# -- attendance ---------------------------------------------------------------------------------


async def attendance_screen(
    interaction: Interaction, guild_id: int, activity_id: int, *, coordinator: bool
) -> tuple[discord.Embed, discord.ui.View]:
    bot = interaction.client
    async with bot.db.sessions() as session:
        found = await attendance.sheet(
            session,
            guild_id,
            activity_id,
            by_user_id=interaction.user.id,
            is_coordinator=coordinator,
            now=bot.clock.now(),
        )
    usual = attendance.hours_words(found.usual_minutes)
    lines = [
        f"- {shown_line(_name(line.user_id, line.display_name), 80)}: "
        + (
            "not marked yet"
            if line.status is None
            else STATUS_WORDS[line.status]
            + (f", {attendance.hours_words(line.minutes)}" if line.status == ATTENDED else "")
        )
        for line in found.people
    ]
    embed = discord.Embed(
        title=plain(f"Who came: {found.activity.title}", 256),
        description=(
            f"Usual hours: {usual}. Pick people in the lists below to mark them. "
            "Change hours for one person with the last list.\n\n"
            + ("\n".join(lines) or "Nobody had a place.")
        )[:4096],
    )
    return embed, AttendanceView(guild_id, activity_id, found, coordinator)


class AttendanceView(ExpiringView):
    expired_text = EXPIRED

    def __init__(
        self, guild_id: int, activity_id: int, found: attendance.Sheet, coordinator: bool
    ) -> None:
        super().__init__(timeout=30 * 60)
        self.guild_id, self.activity_id, self.coordinator = guild_id, activity_id, coordinator
        people = found.people[:OPTIONS]
        self.names = {line.user_id: _name(line.user_id, line.display_name) for line in people}
        for status, placeholder in (
            (ATTENDED, "Mark who attended"),
            (NO_SHOW, "Mark who did not come"),
            (LATE_CANCEL, "Mark who cancelled late"),
        ):
            self.add_item(self._select(status, placeholder, people))
        if people:
            hours: discord.ui.Select[Any] = discord.ui.Select(
                placeholder="Change hours for",
                options=[
                    discord.SelectOption(label=plain(name, 100), value=str(user_id))
                    for user_id, name in self.names.items()
                ],
            )

            async def change(interaction: Interaction) -> None:
                user_id = int(hours.values[0])
                await interaction.response.send_modal(
                    HoursForm(activity_id, user_id, self.names[user_id])
                )

            hours.callback = change  # type: ignore[method-assign, assignment]
            self.add_item(hours)

    def _select(self, status: str, placeholder: str, people: Any) -> discord.ui.Select[Any]:
        pick: discord.ui.Select[Any] = discord.ui.Select(
            placeholder=placeholder,
            min_values=1,
            max_values=max(len(people), 1),
            options=[
                discord.SelectOption(
                    label=plain(self.names[line.user_id], 100), value=str(line.user_id)
                )
                for line in people
            ]
            or [discord.SelectOption(label="Nobody", value="0")],
            disabled=not people,
        )

        async def marked(interaction: Interaction) -> None:
            marks = [Mark(int(value), status) for value in pick.values]
            await save_marks(interaction, self.guild_id, self.activity_id, marks, self.coordinator)

        pick.callback = marked  # type: ignore[method-assign, assignment]
        return pick


async def save_marks(
    interaction: Interaction, guild_id: int, activity_id: int, marks: list[Mark], coordinator: bool
) -> None:
    bot = interaction.client
    now = bot.clock.now()
    zone = (await bot.community(guild_id)).zone
    async with bot.db.sessions() as session, session.begin():
        done = await attendance.mark(
            session,
            guild_id,
            activity_id,
            marks,
            by_user_id=interaction.user.id,
            is_coordinator=coordinator,
            now=now,
            settings=bot.payment_settings,
            zone=zone,
        )
        for entry in done:
            if entry.owed_pence is not None:
                await outbox.enqueue(
                    session,
                    guild_id=guild_id,
                    kind=OutboxKind.PAYMENT_CHOICE,
                    dedupe_key=f"{OutboxKind.PAYMENT_CHOICE}:{activity_id}:{entry.user_id}",
                    due_at=now,
                    user_id=entry.user_id,
                    activity_id=activity_id,
                )
    bot.outbox.wake()
    embed, view = await attendance_screen(
        interaction, guild_id, activity_id, coordinator=coordinator
    )
    if interaction.message is not None and interaction.type == discord.InteractionType.component:
        await interaction.response.edit_message(embed=embed, view=view)
    else:
        await reply(interaction, f"Saved {len(done)} marks.", embed=embed, view=view)


class HoursForm(
    PersistentModal,
    prefix=CustomId.HOURS_FORM,
    fields=r"(?P<activity>[0-9]+):(?P<user>[0-9]+)",
):
    """One person's hours; answered by its custom id after a restart (who may mark is
    checked again when it comes back)."""

    def __init__(self, activity_id: int, user_id: int, name: str = "") -> None:
        super().__init__(activity_id, user_id, title=_title(f"Hours for {name or 'them'}"))
        self.activity_id, self.user_id = activity_id, user_id
        self.hours: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="hours", label="Hours, in quarter hours (like 1.25)", max_length=6
        )
        self.add_item(self.hours)

    @classmethod
    async def restore(cls, interaction: discord.Interaction[Any], match: re.Match[str]) -> Self:
        return cls(int(match["activity"]), int(match["user"]))

    async def on_submit(self, interaction: Interaction) -> None:  # type: ignore[override]
        assert interaction.guild_id is not None
        minutes = read_hours(self.hours.value)
        await save_marks(
            interaction,
            interaction.guild_id,
            self.activity_id,
            [Mark(self.user_id, ATTENDED, minutes)],
            await is_coordinator(interaction),
        )


def read_hours(typed: str) -> int:
    found = re.fullmatch(r"\s*(\d{1,3})(?:\.(\d{1,2}))?\s*", typed)
    if found is None:
        raise InvalidInput(
            f"I could not read {typed.strip()[:10]!r} as hours. Type a number like 1.5. "
            "Nothing was saved."
        )
    minutes = int(found[1]) * 60 + round(int((found[2] or "0").ljust(2, "0")) * 60 / 100)
    return attendance.check_minutes(minutes)


class MarkAttendanceButton(
    GuardedButton, prefix=CustomId.MARK_ATTENDANCE, fields=r"(?P<guild>[0-9]+):(?P<id>[0-9]+)"
):
    """On the prompt after an activity ends (sent in a DM)."""

    def __init__(self, guild_id: int, activity_id: int) -> None:
        super().__init__(
            guild_id, activity_id, label="Mark who came", style=discord.ButtonStyle.primary
        )
        self.guild_id, self.activity_id = guild_id, activity_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> MarkAttendanceButton:
        return cls(int(match["guild"]), int(match["id"]))

    async def run(self, interaction: Interaction) -> None:
        bot = interaction.client
        coordinator = await is_coordinator_of(bot, self.guild_id, interaction.user.id)
        embed, view = await attendance_screen(
            interaction, self.guild_id, self.activity_id, coordinator=coordinator
        )
        await reply(interaction, embed=embed, view=view)


# -- payments -----------------------------------------------------------------------------------


class HowPaidButton(
    GuardedButton,
    prefix=CustomId.HOW_PAID,
    fields=r"(?P<guild>[0-9]+):(?P<id>[0-9]+):(?P<choice>payment|voucher|no_thanks)",
):
    def __init__(self, guild_id: int, payment_id: int, choice: str) -> None:
        super().__init__(guild_id, payment_id, choice, label=CHOICE_WORDS[choice])
        self.guild_id, self.payment_id, self.choice = guild_id, payment_id, choice

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> HowPaidButton:
        return cls(int(match["guild"]), int(match["id"]), match["choice"])

    async def run(self, interaction: Interaction) -> None:
        bot = interaction.client
        async with bot.db.sessions() as session, session.begin():
            owed = await payments.choose_how_paid(
                session, self.guild_id, interaction.user.id, self.payment_id, self.choice
            )
        if self.choice == payments.NO_THANKS:
            text = f"Thank you. You said no thanks to {pounds(owed.amount_pence)}. Nothing will be paid."
        else:
            text = (
                f"Thank you. You will get {pounds(owed.amount_pence)} as "
                f"{'a voucher' if self.choice == payments.VOUCHER else 'money'}. "
                "You can change this until it is paid."
            )
        await reply(interaction, text)


def how_paid_view(guild_id: int, payment_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for choice in payments.CHOICES:
        view.add_item(HowPaidButton(guild_id, payment_id, choice))
    return view


class PaidSelectView(ExpiringView):
    expired_text = EXPIRED

    def __init__(self, due: list[payments.DueLine]) -> None:
        super().__init__(timeout=30 * 60)
        lines = due[:OPTIONS]
        pick: discord.ui.Select[Any] = discord.ui.Select(
            placeholder="Which payments were made?",
            min_values=1,
            max_values=len(lines),
            options=[
                discord.SelectOption(
                    label=plain(
                        f"P{line.payment_id} {_name(line.user_id, line.display_name)} "
                        f"{pounds(line.amount_pence)}",
                        100,
                    ),
                    description=plain(line.for_title, 100),
                    value=str(line.payment_id),
                )
                for line in lines
            ],
        )

        async def picked(interaction: Interaction) -> None:
            await mark_paid(interaction, [int(value) for value in pick.values])

        pick.callback = picked  # type: ignore[method-assign, assignment]
        self.add_item(pick)


async def mark_paid(interaction: Interaction, payment_ids: list[int]) -> None:
    assert interaction.guild_id is not None
    if not await is_coordinator(interaction):
        raise NotAllowed("Only coordinators can mark payments made.")
    bot = interaction.client
    now = bot.clock.now()
    async with bot.db.sessions() as session, session.begin():
        notices = await payments.mark_paid(
            session, interaction.guild_id, payment_ids, interaction.user.id, now
        )
        for paid in notices:
            await notice(
                session,
                interaction.guild_id,
                paid.user_id,
                f"paid:{paid.payment_id}",
                now,
                paid.message,
            )
    bot.outbox.wake()
    await reply(interaction, f"Marked {len(notices)} paid. Each person is being told.")


# -- expense claims -----------------------------------------------------------------------------


def claim_embed(found: claims.Claim, receipt: discord.Attachment | None) -> discord.Embed:
    embed = discord.Embed(
        title=f"Expense claim C{found.claim_id}",
        description=(
            f"<@{found.user_id}> claims {pounds(found.amount_pence)} for {found.what.value}, "
            f"for {shown_line(found.for_title, 100)} ({format_dt(found.for_date, 'D')})."
        ),
    )
    if found.note:
        embed.add_field(name="Note", value=shown(found.note, 1024), inline=False)
    if receipt is not None:
        embed.add_field(name="Receipt", value=plain(receipt.filename, 200), inline=False)
        if (receipt.content_type or "").startswith("image/"):
            embed.set_image(url=receipt.url)
    embed.set_footer(text="The receipt is not stored. Approve or decline below.")
    return embed


def claim_view(claim_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ApproveClaimButton(claim_id))
    view.add_item(DeclineClaimButton(claim_id))
    return view


class ApproveClaimButton(GuardedButton, prefix=CustomId.CLAIM_APPROVE, fields=r"(?P<id>[0-9]+)"):
    def __init__(self, claim_id: int) -> None:
        super().__init__(claim_id, label="Approve", style=discord.ButtonStyle.success)
        self.claim_id = claim_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> ApproveClaimButton:
        return cls(int(match["id"]))

    async def run(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        if not await is_coordinator(interaction):
            raise NotAllowed("Only coordinators can decide expense claims.")
        bot = interaction.client
        now = bot.clock.now()
        async with bot.db.sessions() as session, session.begin():
            decided = await claims.approve(
                session, interaction.guild_id, self.claim_id, interaction.user.id, now
            )
            await notice(
                session,
                interaction.guild_id,
                decided.user_id,
                f"claim:{self.claim_id}",
                now,
                decided.message,
            )
        bot.outbox.wake()
        await interaction.response.edit_message(
            content=f"Approved by {interaction.user.mention}. It is now in `/payments due`.",
            view=None,
        )


class DeclineClaimButton(GuardedButton, prefix=CustomId.CLAIM_DECLINE, fields=r"(?P<id>[0-9]+)"):
    def __init__(self, claim_id: int) -> None:
        super().__init__(claim_id, label="Decline", style=discord.ButtonStyle.danger)
        self.claim_id = claim_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> DeclineClaimButton:
        return cls(int(match["id"]))

    async def run(self, interaction: Interaction) -> None:
        if not await is_coordinator(interaction):
            raise NotAllowed("Only coordinators can decide expense claims.")
        await interaction.response.send_modal(DeclineForm(self.claim_id))


class DeclineForm(PersistentModal, prefix=CustomId.DECLINE_FORM, fields=r"(?P<claim>[0-9]+)"):
    """Why a claim is declined; answered by its custom id after a restart."""

    def __init__(self, claim_id: int) -> None:
        super().__init__(claim_id, title="Decline the claim")
        self.claim_id = claim_id
        self.reason: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="reason",
            label="Why (the person is told)",
            style=discord.TextStyle.paragraph,
            max_length=claims.MAX_REASON,
        )
        self.add_item(self.reason)

    @classmethod
    async def restore(cls, interaction: discord.Interaction[Any], match: re.Match[str]) -> Self:
        return cls(int(match["claim"]))

    async def on_submit(self, interaction: Interaction) -> None:  # type: ignore[override]
        assert interaction.guild_id is not None
        bot = interaction.client
        now = bot.clock.now()
        async with bot.db.sessions() as session, session.begin():
            decided = await claims.decline(
                session,
                interaction.guild_id,
                self.claim_id,
                interaction.user.id,
                self.reason.value,
                now,
            )
            await notice(
                session,
                interaction.guild_id,
                decided.user_id,
                f"claim:{self.claim_id}",
                now,
                decided.message,
            )
        bot.outbox.wake()
        if interaction.message is not None:
            await interaction.response.edit_message(
                content=f"Declined by {interaction.user.mention}. The person is told why.",
                view=None,
            )
        else:
            await reply(interaction, "Declined. The person is told why.")


# -- telling people -----------------------------------------------------------------------------


async def notice(
    session: AsyncSession, guild_id: int, user_id: int, key: str, now: Any, text: str
) -> None:
    """A message to one person about their involvement, through the outbox."""
    await outbox.enqueue(
        session,
        guild_id=guild_id,
        kind=OutboxKind.INVOLVEMENT_NOTICE,
        dedupe_key=f"{OutboxKind.INVOLVEMENT_NOTICE}:{key}",
        due_at=now,
        user_id=user_id,
        payload=NoticePayload(text=text),
    )
