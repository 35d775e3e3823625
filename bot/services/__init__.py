"""The rules of each capability: an AsyncSession, plain values and `now` in, frozen dataclasses
out; never discord."""
