"""Web pages: a person's notification list, and the DG's office's delivery log per cycle. Thin."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, NotAllowed
from core.filters import valid_filters
from notifications import registry, selectors, services
from notifications.context_processors import demo_outbox_open
from notifications.filters import DeliveryFilter
from notifications.models import Delivery
from notifications.next_steps import next_steps
from notifications.rendering import build_message, title
from reviews import selectors as review_selectors
from reviews.models import ReviewCycle

PAGE_SIZE = 50


@login_required
def notification_list(request):
    page = Paginator(selectors.notification_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    items = [{"delivery": d, "title": title(d)} for d in page]
    return render(request, "notifications/list.html", {"page": page, "items": items})


@login_required
def notification_open(request, pk):
    delivery = get_object_or_404(selectors.notification_list(user=request.user), pk=pk)
    services.notifications_mark_read(user=request.user, ids=[delivery.pk])
    target = delivery.context.get("path", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


@login_required
@require_POST
def mark_read(request):
    services.notifications_mark_read(user=request.user)
    return redirect("notifications:list")


@login_required
def delivery_log_current(request):
    cycle = review_selectors.current_cycle()
    if cycle is None or not selectors.can_see_delivery_log(request.user):
        raise PermissionDenied
    return redirect("notifications:delivery_log", year=cycle.year)


@login_required
def delivery_log(request, year):
    if not selectors.can_see_delivery_log(request.user):
        raise PermissionDenied
    cycle = get_object_or_404(ReviewCycle, year=year)
    filters = valid_filters(DeliveryFilter, request.GET, queryset=selectors.delivery_log(cycle=cycle))
    state, kind = filters.form.cleaned_data.get("state") or None, filters.form.cleaned_data.get("kind") or None
    rows = filters.qs
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/delivery_log.html",
        {
            "cycle": cycle,
            "page": page,
            "items": [{"delivery": d, "title": title(d)} for d in page],
            "totals": selectors.delivery_totals(cycle=cycle),
            "states": Delivery.State.choices,
            "kinds": [(key, kind.label) for key, kind in registry.REGISTRY.items()],
            "state": state,
            "kind": kind,
        },
    )


@login_required
@require_POST
def delivery_resend(request, pk):
    delivery = get_object_or_404(Delivery.objects.select_related("cycle"), pk=pk)
    try:
        services.delivery_resend(actor=request.user, delivery=delivery)
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The notification will be sent again."))
    if delivery.cycle_id:
        return redirect("notifications:delivery_log", year=delivery.cycle.year)
    return redirect("notifications:list")


OUTBOX_SIZE = 30


@login_required
def demo_outbox(request):
    """The demo's outbox: the e-mails sent to the signed-in demo user, as they left (subject, address, text)."""
    if not demo_outbox_open(request.user):
        raise Http404
    rows = (
        selectors.notification_list(user=request.user)
        .filter(state=Delivery.State.SENT)
        .select_related("recipient")
        .order_by("-sent_at", "-pk")[:OUTBOX_SIZE]
    )
    mails = []
    for delivery in rows:
        message = build_message(delivery)
        mails.append(
            {
                "delivery": delivery,
                "subject": message.subject,
                "to": ", ".join(message.to),
                "body": message.body,
                "attachments": [a[0] for a in message.attachments],
            }
        )
    return render(request, "notifications/outbox.html", {"mails": mails})


@login_required
def home(request):
    """What to do next, for this person: each step a link to the page where it is done."""
    cycle, steps = next_steps(user=request.user)
    return render(request, "home.html", {"cycle": cycle, "steps": steps})
