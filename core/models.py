"""What models of every app share; nothing concrete lives here (core has no tables)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class TransitionEvent(models.Model):
    """One state change written by core.transitions.move: who, when, from what to what, and why.

    Each app's event model adds the foreign key to the moving row (named by ``subject``) and gives
    ``old_state``/``new_state`` its states' choices.
    """

    subject = ""
    old_state = models.CharField(max_length=16)
    new_state = models.CharField(max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{getattr(self, self.subject)}: {self.old_state} → {self.new_state}"
