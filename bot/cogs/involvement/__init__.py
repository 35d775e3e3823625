"""The involvement record: role cards, fair choosing, attendance and hours, payments and
expense claims."""

from __future__ import annotations

from bot.client import HealthBot
from bot.cogs.involvement._cog import Involvement, add_to_activity_group
from bot.cogs.involvement._messages import InvolvementMessages
from bot.cogs.involvement._views import (
    AddRoleDetailsButton,
    ApproveClaimButton,
    DeclineClaimButton,
    DeclineForm,
    HoursForm,
    HowPaidButton,
    MarkAttendanceButton,
    RoleCardForm,
    RoleDetailsButton,
)
from bot.ui.applications import ApplyForm
from bot.ui.base import register_modal


async def setup(bot: HealthBot) -> None:
    cog = Involvement(bot)
    await bot.add_cog(cog)
    add_to_activity_group(bot)
    bot.add_dynamic_items(
        AddRoleDetailsButton,
        ApproveClaimButton,
        DeclineClaimButton,
        HowPaidButton,
        MarkAttendanceButton,
        RoleDetailsButton,
    )
    for form in (RoleCardForm, HoursForm, DeclineForm, ApplyForm):
        register_modal(bot, form)
    InvolvementMessages(bot).register()
    bot.add_mine_section(40, cog.mine_section)
    bot.erasure_steps.append(cog.erase)
