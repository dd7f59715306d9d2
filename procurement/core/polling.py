"""How often a page polls for a file being generated in the worker (report PDFs, the board pack).

A render takes about a second, so the first polls come quickly (the download link shows
within a fifth of a second of the file being ready); a render still running after a few
seconds is slow for a reason (a queue, a busy worker), and the page then polls once a second.
Each status answer carries the next poll's number and delay (htmx ``load delay``).
"""

FAST_MS, FAST_POLLS = 200, 15  # the first 3 seconds
MEDIUM_MS, MEDIUM_POLLS = 500, 35  # up to about 13 seconds
SLOW_MS = 1000


def poll_delay_ms(polls: int) -> int:
    """The wait before poll number ``polls + 1``, given ``polls`` made so far."""
    if polls < FAST_POLLS:
        return FAST_MS
    if polls < MEDIUM_POLLS:
        return MEDIUM_MS
    return SLOW_MS


def poll_schedule(polls: int) -> dict:
    """Template context for the next poll: ``poll_next`` (its number) and ``poll_delay_ms``."""
    polls = max(polls, 0)
    return {"poll_next": polls + 1, "poll_delay_ms": poll_delay_ms(polls)}
