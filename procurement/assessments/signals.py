"""Signals this layer sends for the layers above it, which it may not import.

Sent explicitly by the services (never from ``save()``), inside their transactions, so a
receiver's writes commit or roll back with the change.
"""

from django.dispatch import Signal

# A message was added to a clarification thread (``clarification``: the new row). The portal
# tells the vendor contacts about the team's replies.
clarification_added = Signal()

# An assessment was approved or rejected and its record frozen (``assessment``: the decided
# row). Reports queues its PDF on commit, so the decided report is ready when first clicked.
assessment_decided = Signal()

# An open assessment's record changed (``assessment``: the row). ``settled`` is True when it
# reached a point where people will want its report (submitted, in review, the vendor
# submitted): reports renders the draft PDF ahead of the click, at once when settled, otherwise
# after a quiet period following the last change.
assessment_changed = Signal()
