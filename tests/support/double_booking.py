"""A double-booked slot in her calendar, written straight into the database."""

from __future__ import annotations

from bot.models import Checkin, Meeting


def same_slot_checkin(session, checkin: Checkin, **fields) -> Checkin:
    """Her check-in for a second meeting ("Hiring sync") at the time of ``checkin``'s,
    with ``fields`` changed; flushed, so it has its id."""
    meeting = session.get(Meeting, checkin.meeting_id)
    other = Meeting(**{**meeting.model_dump(exclude={"id"}), "name": "Hiring sync"})
    session.add(other)
    session.flush()
    second = Checkin(**{**checkin.model_dump(exclude={"id"}), "meeting_id": other.id, **fields})
    session.add(second)
    session.flush()
    return second
