"""The involvement record through Discord: role cards, fair choosing, attendance and hours,
payments, expense claims and the finance export, and plain refusals of bad input."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

import openpyxl
from sqlalchemy import ColumnElement, func, select

from bot.cogs.involvement._cog import Involvement
from bot.services.involvement import choosing, role_cards
from bot.services.involvement.role_cards import Card
from db.models import Activity, Attendance, ExpenseClaim, Payment, RoleCard, Signup
from discord_sim import DiscordSimulator, SimInteraction, SimMessage, SimUser
from tests.e2e.harness import Community, ManualClock, RunningBot, running_cog
from tests.e2e.test_buddies import coordinators_thread
from tests.e2e.test_reminders import T0, add_member, settle

ENDED = T0 - timedelta(days=2)  # an activity that started two days before "now"
ERASE_LABEL = "Yes, delete everything"


def guild_id(running: RunningBot) -> int:
    return running.bot.guilds[0].id


async def now_is(running: RunningBot, moment: datetime = T0) -> None:
    running.bot.clock = ManualClock(moment)


async def member(running: RunningBot, community: Community, name: str) -> SimUser:
    user = community.new_citizen(name)
    await add_member(running, user, display_name=name)
    return user


async def activity(
    running: RunningBot,
    starts_at: datetime,
    people: list[SimUser] = (),  # type: ignore[assignment]
    *,
    title: str,
    lead: SimUser | None = None,
    capacity: int = 10,
    card: Card | None = None,
) -> int:
    async with running.bot.db.sessions() as session, session.begin():
        row = Activity(
            guild_id=guild_id(running),
            title=title,
            kind="education",
            starts_at=starts_at,
            capacity=capacity,
            lead_user_id=lead.id if lead else None,
        )
        row.signups = [Signup(user_id=user.id, status="confirmed") for user in people]
        session.add(row)
        await session.flush()
        if card is not None:
            await role_cards.set_card(
                session, row.guild_id, row.id, card, running.bot.payment_settings, T0
            )
        return row.id


async def count(running: RunningBot, model: type[Any], *where: ColumnElement[bool]) -> int:
    async with running.bot.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def dm(sim: DiscordSimulator, user: SimUser, containing: str) -> SimMessage:
    return await sim.wait_for(
        lambda: next((m for m in sim.dm_messages(user) if containing in m.text), None),
        what=f"a DM to {user.name} saying {containing!r}",
    )


# -- role cards ---------------------------------------------------------------------------------


async def test_the_role_form_saves_the_card(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await now_is(running)
    activity_id = await activity(running, T0 + timedelta(days=5), title="Module review")
    opened = await sim.slash(
        community.guild, community.coordinator, "activity role", {"activity": str(activity_id)}
    )
    saved = await sim.fill_modal(
        opened,
        {
            "What you will do": "Read two pages and tell us what is unclear.",
            "Time needed in minutes (+ reading)": "60 + 30",
            "Who to contact": "Sam in the education team",
        },
    )
    assert saved.ephemeral
    assert "Saved the role details" in saved.text
    async with running.bot.db.sessions() as session:
        card = await role_cards.get_card(session, activity_id)
    assert (card.time_minutes, card.reading_minutes) == (60, 30)
    assert card.contact == "Sam in the education team"


async def test_an_unreadable_time_on_the_role_form_is_refused_and_nothing_is_saved(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await now_is(running)
    activity_id = await activity(running, T0 + timedelta(days=5), title="Lecture review")
    opened = await sim.slash(
        community.guild, community.coordinator, "activity role", {"activity": str(activity_id)}
    )
    refused = await sim.fill_modal(opened, {"Time needed in minutes (+ reading)": "an hour"})
    assert refused.ephemeral
    assert "I could not read the time needed" in refused.text
    assert await count(running, RoleCard, RoleCard.activity_id == activity_id) == 0


async def create(
    sim: DiscordSimulator, community: Community, title: str, **options: str
) -> tuple[SimInteraction, SimMessage]:
    """`/activity create` as the coordinator; the confirmation and the announcement."""
    values = {"title": title, "when": "2026-12-08 14:00", "kind": "education", "capacity": 5}
    reply = await sim.slash(
        community.guild, community.coordinator, "activity create", {**values, **options}
    )
    await reply.wait_followup()
    announcement = await sim.wait_for(
        lambda: next(
            (m for m in sim.channel_messages(community.announcements) if title in m.text), None
        ),
        what=f"the announcement of {title}",
    )
    return reply, announcement


async def test_role_details_are_added_after_create_and_shown_from_the_announcement(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await now_is(running)
    reply, announcement = await create(
        sim, community, "Panel of readers", choose="coordinators", payment="review"
    )
    confirmation = reply.followups[-1]
    form = await sim.click(
        community.coordinator, confirmation, confirmation.custom_id("Add role details")
    )
    await sim.fill_modal(
        form, {"What you will do": "Read a short leaflet and say what is unclear."}
    )
    reader = await member(running, community, "rory_reader")
    details = await sim.click(reader, announcement, announcement.custom_id("Role details"))
    assert details.ephemeral
    assert "Read a short leaflet" in details.text
    assert "Payment: £30.00" in details.text
    assert "Coordinators choose fairly" in announcement.text


async def test_the_announcement_counts_applications(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await now_is(running)
    _, announcement = await create(sim, community, "Counted panel", choose="coordinators")
    assert "0 applied so far" in announcement.text
    person = await member(running, community, "abe_applies")
    form = await sim.click(person, announcement, announcement.custom_id("Sign up"))
    await sim.fill_modal(form, {})
    await sim.wait_for(
        lambda: "1 applied so far" in announcement.text or None, what="the count of 1"
    )


async def test_signing_up_shows_the_key_lines_before_confirming(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await now_is(running)
    _, announcement = await create(sim, community, "Paid focus group", payment="hourly")
    person = await member(running, community, "kim_keylines")
    shown = await sim.click(person, announcement, announcement.custom_id("Sign up"))
    assert shown.ephemeral
    assert "Time needed: 1 hour" in shown.text
    assert "Payment: £25.00 an hour" in shown.text
    assert "Expenses: we pay back travel" in shown.text
    assert await count(running, Signup, Signup.user_id == person.id) == 0
    assert shown.original is not None
    placed = await sim.click(person, shown.original, shown.original.custom_id("Confirm sign-up"))
    await placed.wait_followup()
    assert "You have a place at **Paid focus group**" in placed.text


async def test_an_activity_without_a_card_signs_up_at_once(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await now_is(running)
    _, announcement = await create(sim, community, "Plain coffee morning")
    assert "Role details" not in [c.get("label") for c in announcement.all_components()]
    person = await member(running, community, "nell_nocard")
    placed = await sim.click(person, announcement, announcement.custom_id("Sign up"))
    await placed.wait_followup()
    assert "You have a place at **Plain coffee morning**" in placed.text


# -- fair choosing ------------------------------------------------------------------------------


async def test_coordinators_choose_three_of_six_fairly_and_everyone_is_told(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await now_is(running)
    regular = await member(running, community, "rita_regular")
    past = await activity(running, T0 - timedelta(days=20), [regular], title="Earlier panel")
    async with running.bot.db.sessions() as session, session.begin():
        session.add(
            Attendance(
                activity_id=past, user_id=regular.id, status="attended", minutes=60, marked_at=T0
            )
        )
    activity_id = await activity(
        running,
        T0 + timedelta(days=10),
        title="Curriculum panel",
        capacity=3,
        card=Card(choose="coordinators"),
    )
    people = [regular] + [await member(running, community, f"applicant_{n}") for n in range(5)]
    for person in people:
        async with running.bot.db.sessions() as session, session.begin():
            await choosing.apply(session, guild_id(running), activity_id, person.id, None, T0)
    screen = await sim.slash(
        community.guild, community.coordinator, "activity choose", {"activity": str(activity_id)}
    )
    assert "3 places left, 6 applied" in screen.text
    assert "rita\\_regular: 1 this year" in screen.text
    assert screen.text.count("(suggested)") == 3
    assert screen.original is not None
    done = await sim.click(
        community.coordinator, screen.original, screen.original.custom_id("Confirm choice")
    )
    assert "3 chosen and told. 3 thanked." in done.text
    await settle(running)
    for person in people[1:4]:
        await dm(sim, person, "you have a place on Curriculum panel")
    await dm(sim, regular, "Thank you for applying for Curriculum panel")
    assert await count(running, Signup, Signup.activity_id == activity_id) == 3


async def test_choosing_more_people_than_places_is_refused(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await now_is(running)
    activity_id = await activity(
        running,
        T0 + timedelta(days=10),
        title="Small panel",
        capacity=1,
        card=Card(choose="coordinators"),
    )
    people = [await member(running, community, f"keen_{n}") for n in range(2)]
    for person in people:
        async with running.bot.db.sessions() as session, session.begin():
            await choosing.apply(session, guild_id(running), activity_id, person.id, None, T0)
    screen = await sim.slash(
        community.guild, community.coordinator, "activity choose", {"activity": str(activity_id)}
    )
    assert screen.original is not None
    await sim.choose(
        community.coordinator, screen.original, "Who gets a place?", ["keen_0", "keen_1"]
    )
    refused = await sim.click(
        community.coordinator, screen.original, screen.original.custom_id("Confirm choice")
    )
    assert refused.ephemeral
    assert "has 1 places left, and 2 people were picked" in refused.text
    assert await count(running, Signup, Signup.activity_id == activity_id) == 0


async def test_signing_up_for_a_chosen_activity_is_an_application(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await now_is(running)
    activity_id = await activity(
        running, T0 + timedelta(days=10), title="Chosen talk", card=Card(choose="coordinators")
    )
    person = await member(running, community, "amy_applies")
    form = await sim.slash(community.guild, person, "signup", {"activity": str(activity_id)})
    applied = await sim.fill_modal(form, {"Why you would like to (optional)": "I was a carer."})
    assert "Your application for **Chosen talk** is in" in applied.text
    assert await count(running, Signup, Signup.activity_id == activity_id) == 0


# -- attendance ---------------------------------------------------------------------------------


async def test_the_lead_is_prompted_after_the_end_and_marks_who_came(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await now_is(running)
    lead = await member(running, community, "lola_lead")
    came = await member(running, community, "carl_came")
    activity_id = await activity(
        running, T0 + timedelta(hours=2), [came], title="Seminar", lead=lead
    )
    await running_cog(running, Involvement).plan_prompts()
    await settle(running)
    assert not [m for m in sim.dm_messages(lead) if "Seminar" in m.text]
    await now_is(running, T0 + timedelta(hours=4))
    await running_cog(running, Involvement).plan_prompts()
    await settle(running)
    prompt = await dm(sim, lead, "**Seminar**")
    assert "Please mark who came" in prompt.text
    screen = await sim.click(lead, prompt, prompt.custom_id("Mark who came"))
    assert "carl\\_came: not marked yet" in screen.text
    assert screen.original is not None
    marked = await sim.choose(lead, screen.original, "Mark who attended", ["carl_came"])
    assert "carl\\_came: attended, 1 hour" in marked.text
    assert (
        await count(
            running,
            Attendance,
            Attendance.activity_id == activity_id,
            Attendance.status == "attended",
        )
        == 1
    )
    mine = await sim.slash(community.guild, came, "mine")
    assert "1 hour this year, 1 hour in total" in mine.text


async def test_hours_outside_0_to_24_are_refused_and_nothing_is_written(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await now_is(running)
    person = await member(running, community, "hana_hours")
    activity_id = await activity(running, ENDED, [person], title="Long day")
    screen = await sim.slash(
        community.guild,
        community.coordinator,
        "activity attendance",
        {"activity": str(activity_id)},
    )
    assert screen.original is not None
    form = await sim.choose(
        community.coordinator, screen.original, "Change hours for", ["hana_hours"]
    )
    refused = await sim.fill_modal(form, {"Hours, in quarter hours (like 1.25)": "25"})
    assert refused.ephemeral
    assert "Hours must be from 0 to 24" in refused.text
    assert await count(running, Attendance, Attendance.activity_id == activity_id) == 0


async def test_attendance_before_the_end_is_refused(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await now_is(running)
    activity_id = await activity(running, T0 - timedelta(minutes=10), title="Running now")
    refused = await sim.slash(
        community.guild,
        community.coordinator,
        "activity attendance",
        {"activity": str(activity_id)},
    )
    assert refused.ephemeral
    assert "has not ended yet" in refused.text


async def test_someone_not_the_lead_cannot_mark_attendance(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await now_is(running)
    lead, other = (
        await member(running, community, "leo_lead"),
        await member(running, community, "otto_other"),
    )
    activity_id = await activity(running, ENDED, [other], title="Led workshop", lead=lead)
    refused = await sim.slash(
        community.guild, other, "activity attendance", {"activity": str(activity_id)}
    )
    assert refused.ephemeral
    assert "Only the lead of Led workshop or a coordinator" in refused.text
    assert await count(running, Attendance, Attendance.activity_id == activity_id) == 0


# -- payments -----------------------------------------------------------------------------------


async def test_a_paid_activity_owes_a_fee_the_person_picks_a_voucher_and_is_told_when_paid(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await now_is(running)
    paid = await member(running, community, "pat_paid")
    activity_id = await activity(
        running, ENDED, [paid], title="Paid review", card=Card(payment_rate="review")
    )
    screen = await sim.slash(
        community.guild,
        community.coordinator,
        "activity attendance",
        {"activity": str(activity_id)},
    )
    assert screen.original is not None
    await sim.choose(community.coordinator, screen.original, "Mark who attended", ["pat_paid"])
    await settle(running)
    asked = await dm(sim, paid, "How would you like it?")
    assert "£30.00" in asked.text
    assert "no thanks" in asked.text
    chose = await sim.click(paid, asked, asked.custom_id("Voucher"))
    assert "as a voucher" in chose.text
    due = await sim.slash(community.guild, community.coordinator, "payments due")
    assert "£30.00 for Paid review (fee, voucher)" in due.text
    picker = await sim.slash(community.guild, community.coordinator, "payments paid")
    assert picker.original is not None
    [option] = [
        o["label"]
        for c in picker.original.all_components()
        for o in c.get("options") or []
        if "pat_paid" in o["label"]
    ]
    done = await sim.choose(
        community.coordinator, picker.original, "Which payments were made?", [option]
    )
    assert "Marked 1 paid" in done.text
    await settle(running)
    told = await dm(sim, paid, "Good news: your payment of £30.00")
    assert "as a voucher" in told.text
    again = await sim.choose(
        community.coordinator, picker.original, "Which payments were made?", [option]
    )
    assert again.ephemeral
    assert "already marked as paid" in again.text


async def test_the_export_spreadsheet_has_a_row_per_payment(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await now_is(running)
    person = await member(running, community, "erin_export")
    activity_id = await activity(
        running, ENDED, [person], title="Exported talk", card=Card(payment_rate="half_day")
    )
    screen = await sim.slash(
        community.guild,
        community.coordinator,
        "activity attendance",
        {"activity": str(activity_id)},
    )
    assert screen.original is not None
    await sim.choose(community.coordinator, screen.original, "Mark who attended", ["erin_export"])
    export = await sim.slash(
        community.guild,
        community.coordinator,
        "payments export",
        {"from": "2026-11-01", "to": "2026-12-31"},
    )
    await export.wait_followup()
    files = dict(export.files)
    [xlsx_name] = [name for name in files if name.endswith(".xlsx")]
    assert [name for name in files if name.endswith(".csv")]
    sheet = openpyxl.load_workbook(io.BytesIO(files[xlsx_name])).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "reference"
    [line] = [row for row in rows if "Exported talk" in row]
    assert "erin_export" in line
    assert 75 in line or 75.0 in line


# -- expense claims -----------------------------------------------------------------------------


async def claim(
    sim: DiscordSimulator, community: Community, user: SimUser, activity_id: int, amount: str
) -> str:
    reply = await sim.slash(
        community.guild,
        user,
        "claim",
        {"activity": str(activity_id), "amount": amount, "what": "travel", "note": "Bus fare"},
    )
    assert reply.ephemeral
    return reply.text


async def claim_card(sim: DiscordSimulator, community: Community, amount: str) -> SimMessage:
    def find() -> SimMessage | None:
        thread = coordinators_thread(community)
        if thread is None:
            return None
        return next((m for m in reversed(thread.messages) if f"claims {amount}" in m.text), None)

    return await sim.wait_for(find, what=f"the claim card for {amount}")


async def test_an_approved_claim_is_told_and_joins_the_payments_due(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await now_is(running)
    person = await member(running, community, "cleo_claims")
    activity_id = await activity(running, ENDED, [person], title="Travel day")
    assert "is with the coordinators" in await claim(sim, community, person, activity_id, "12.50")
    card = await claim_card(sim, community, "£12.50")
    approved = await sim.click(community.coordinator, card, card.custom_id("Approve"))
    assert "Approved" in approved.text
    await settle(running)
    await dm(sim, person, "Your expense claim of £12.50 for Travel day was approved")
    due = await sim.slash(community.guild, community.coordinator, "payments due")
    assert "£12.50 for Travel day (expense" in due.text


async def test_a_declined_claim_tells_the_person_the_reason(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await now_is(running)
    person = await member(running, community, "dan_declined")
    activity_id = await activity(running, ENDED, [person], title="Online meeting")
    await claim(sim, community, person, activity_id, "7.77")
    card = await claim_card(sim, community, "£7.77")
    form = await sim.click(community.coordinator, card, card.custom_id("Decline"))
    await sim.fill_modal(form, {"Why (the person is told)": "Online meetings have no travel."})
    await settle(running)
    told = await dm(sim, person, "was not approved")
    assert "Online meetings have no travel." in told.text


async def test_bad_claims_are_refused_plainly_and_nothing_is_written(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await now_is(running)
    person = await member(running, community, "bea_bad")
    mine = await activity(running, ENDED, [person], title="Her activity")
    other = await activity(running, ENDED, title="Not hers")
    before = await count(running, ExpenseClaim)
    assert "could not read '-5' as an amount" in await claim(sim, community, person, mine, "-5")
    assert "must be more than £0" in await claim(sim, community, person, mine, "0")
    assert "One claim can be up to £500.00" in await claim(sim, community, person, mine, "900")
    assert "only claim for an activity you had a place on" in await claim(
        sim, community, person, other, "5"
    )
    assert await count(running, ExpenseClaim) == before
    assert await count(running, Payment, Payment.user_id == person.id) == 0


async def test_deleting_data_with_money_owed_warns_first_and_notes_coordinators(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await now_is(running)
    person = await member(running, community, "olive_owed")
    activity_id = await activity(
        running, ENDED, [person], title="Owed review", card=Card(payment_rate="review")
    )
    screen = await sim.slash(
        community.guild,
        community.coordinator,
        "activity attendance",
        {"activity": str(activity_id)},
    )
    assert screen.original is not None
    await sim.choose(community.coordinator, screen.original, "Mark who attended", ["olive_owed"])
    warning = await sim.slash(community.guild, person, "mydata delete")
    assert "**Before you delete**: you have £30.00 still to be paid to you" in warning.text
    assert warning.original is not None
    await sim.click(person, warning.original, warning.original.custom_id(ERASE_LABEL))
    await settle(running)

    def note() -> SimMessage | None:
        thread = coordinators_thread(community)
        return (
            next((m for m in thread.messages if "Someone deleted their data" in m.text), None)
            if thread
            else None
        )

    found = await sim.wait_for(note, what="the note to coordinators")
    assert "1 payment(s), £30.00" in found.text
    assert "olive" not in found.text


async def test_coordinators_get_one_summary_when_a_payment_waits_too_long(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await now_is(running)
    person = await member(running, community, "walt_waits")
    activity_id = await activity(
        running, ENDED, [person], title="Slow payment", card=Card(payment_rate="review")
    )
    screen = await sim.slash(
        community.guild,
        community.coordinator,
        "activity attendance",
        {"activity": str(activity_id)},
    )
    assert screen.original is not None
    await sim.choose(community.coordinator, screen.original, "Mark who attended", ["walt_waits"])
    cog = running_cog(running, Involvement)
    await now_is(running, T0 + timedelta(days=10))
    assert await cog.prompt_late_payments() == 0
    await now_is(running, T0 + timedelta(days=22))
    assert await cog.prompt_late_payments() == 1
    assert await cog.prompt_late_payments() == 0
    await settle(running)

    def summary() -> SimMessage | None:
        thread = coordinators_thread(community)
        return (
            next((m for m in thread.messages if "have waited more than 21 days" in m.text), None)
            if thread
            else None
        )

    found = await sim.wait_for(summary, what="the late payments summary")
    assert "`/payments due`" in found.text


async def test_more_than_25_applicants_are_shown_a_page_at_a_time(
    sim: DiscordSimulator, community: Community, running: RunningBot
) -> None:
    await now_is(running)
    activity_id = await activity(
        running,
        T0 + timedelta(days=10),
        title="Popular panel",
        capacity=2,
        card=Card(choose="coordinators"),
    )
    people = [await member(running, community, f"many_{n:02d}") for n in range(27)]
    async with running.bot.db.sessions() as session, session.begin():
        for person in people:
            await choosing.apply(session, guild_id(running), activity_id, person.id, None, T0)
    screen = await sim.slash(
        community.guild, community.coordinator, "activity choose", {"activity": str(activity_id)}
    )
    assert screen.original is not None
    [select] = [c for c in screen.original.all_components() if c.get("type") == 3]
    assert len(select["options"]) == 25
    await sim.click(community.coordinator, screen.original, screen.original.custom_id("Next"))
    [second] = [c for c in screen.original.all_components() if c.get("type") == 3]
    assert len(second["options"]) == 2
