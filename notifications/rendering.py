"""Turn a delivery row into an e-mail (plain text + HTML, attachments) in the recipient's language."""

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from core.i18n import pick
from notifications import registry


def language_of(user):
    return user.language or settings.LANGUAGE_CODE


def site_host():
    return settings.SITE_URL.split("//")[-1].split("/")[0].split(":")[0] or "localhost"


def message_context(delivery, language, *, recipient=None):
    """The template context: the stored context with names in ``language`` and absolute links."""
    context = dict(delivery.context)
    for key in ("deadline", "previous_deadline", "meeting_date", "date"):
        if isinstance(context.get(key), str):
            context[key] = datetime.date.fromisoformat(context[key])
    context["unit_name"] = pick(context.get("unit"), language)
    for unit in context.get("units", ()):
        unit["unit_name"] = pick(unit.get("unit"), language)
        unit["link"] = settings.SITE_URL.rstrip("/") + unit.get("path", "/")
    for item in context.get("milestones", ()):
        item["link"] = settings.SITE_URL.rstrip("/") + item.get("path", "/")
    for flag in context.get("flags", ()):
        flag["kind_name"] = pick(flag.get("kind"), language)
    context["kind_name"] = pick(context.get("kind"), language)
    context["link"] = settings.SITE_URL.rstrip("/") + context.get("path", "/")
    context["recipient"] = recipient
    context["language"] = language
    context["site_url"] = settings.SITE_URL
    return context


def title(delivery, language=None):
    """The message's one-line title (the e-mail subject, the in-app list entry), in ``language``."""
    kind = registry.get(delivery.kind)
    with translation.override(language or translation.get_language()):
        if kind is None:
            return delivery.kind
        return kind.subject(message_context(delivery, translation.get_language()))  # no query per row


def build_message(delivery, *, connection=None):
    kind = registry.get(delivery.kind)
    language = language_of(delivery.recipient)
    with translation.override(language):
        context = message_context(delivery, language, recipient=delivery.recipient)
        context["subject"] = subject = kind.subject(context)
        context["text_direction"] = "rtl" if translation.get_language_bidi() else "ltr"
        text = render_to_string(f"notifications/email/{kind.key}.txt", context)
        html = render_to_string(f"notifications/email/{kind.key}.html", context)
        attachments = kind.attachments(context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.recipient.email],
        connection=connection,
        # The same message always carries the same Message-ID, so a copy sent again after a crash
        # is recognised as the same message by mail clients.
        headers={"Message-ID": f"<notification-{delivery.pk}@{site_host()}>", "Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message
