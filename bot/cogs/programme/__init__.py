"""The co-production programme: training people hold and groups such as the advisory group."""

from __future__ import annotations

from bot.client import HealthBot
from bot.cogs.programme._cog import Training
from bot.cogs.programme._groups import Groups
from bot.cogs.programme._messages import ProgrammeMessages
from bot.cogs.programme._views import (
    AnswerButton,
    AskToJoinButton,
    LeaveButton,
    TermButton,
    WhyForm,
    next_step,
)
from bot.ui.base import register_modal


async def setup(bot: HealthBot) -> None:
    training = Training(bot)
    await bot.add_cog(training)
    await bot.add_cog(Groups(bot))
    bot.add_dynamic_items(AskToJoinButton, AnswerButton, LeaveButton, TermButton)
    register_modal(bot, WhyForm)
    ProgrammeMessages(bot).register()
    bot.add_mine_section(50, training.mine_section)
    bot.erasure_steps.append(training.erase)
    bot.next_steps.append(next_step)
