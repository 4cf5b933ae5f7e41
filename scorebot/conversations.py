"""A member's plain message in their direct chat goes to the one conversation it continues (see
`domain.conversations`): the feature carrying that conversation takes it, or the bot asks which one.

A feature carrying conversations says so with three members: `topic` (a `Topic`),
`open_conversations(ctx) -> list[int]` (the numbers open with `ctx.sender`) and
`carry_on(ctx, number, said)`. None of them decides on its own that a message is theirs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scorebot.domain import conversation_words as words
from scorebot.domain import keys
from scorebot.domain.conversations import Ask, Conversation, chosen, held, owner, replied_to, unheld
from scorebot.store.marks import marks
from scorebot.store.remembered import remembered

if TYPE_CHECKING:
    from scorebot.context import Context  # a feature may carry conversations (see above)
    from scorebot.feature import Feature


def continue_conversation(ctx: Context, features: list[Feature]) -> bool:
    """Pass the message on to the conversation it continues, or ask; False when none is open."""
    carriers = {feature.topic: feature for feature in features if getattr(feature, "topic", None)}
    said = ctx.signal.body
    reply_to = getattr(ctx.signal, "reply_to", None)
    replied = replied_to(remembered.key_of(reply_to)) if reply_to else None
    if replied is not None and replied.topic not in carriers:
        replied = None
    waiting = keys.held_words(ctx.room.room_id)
    asked = unheld(marks.get(waiting))
    if asked and replied is None:
        kept, choices = asked
        picked = chosen(said, choices)
        if picked is None:
            marks.set(waiting, held(f"{kept}\n{said}", choices))
            ctx.reply(words.not_a_choice(len(choices)))
            return True
        marks.forget(waiting)
        carriers[picked.topic].carry_on(ctx, picked.number, kept)
        return True
    open_now = [Conversation(topic, number) for topic, feature in carriers.items()
                for number in feature.open_conversations(ctx)]
    found = owner(replied, open_now)
    if found is None:
        return False
    if isinstance(found, Ask):
        marks.set(waiting, held(said, found.choices))
        ctx.reply(words.which_one(found.choices))
        return True
    carriers[found.topic].carry_on(ctx, found.number, said)
    return True
