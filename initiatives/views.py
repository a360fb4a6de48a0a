"""Pages for backlogs, initiatives, votes and members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from initiatives import services
from initiatives.forms import (
    BacklogForm,
    InitiativeForm,
    MemberForm,
    RoleForm,
    StatusFilterForm,
)
from initiatives.models import EDITING_ROLES, Backlog, Role

INITIATIVES_PER_PAGE = 100


def get_backlog(request, backlog_id) -> Backlog:
    return get_object_or_404(Backlog.objects.reachable_by(request.user), pk=backlog_id)


def require_role(backlog: Backlog, roles) -> None:
    if backlog.role not in roles:
        raise PermissionDenied


@login_required
def dashboard(request):
    backlogs = Backlog.objects.reachable_by(request.user).order_by("name", "id")
    return render(request, "initiatives/dashboard.html", {"backlogs": backlogs})


@login_required
def backlog_create(request):
    form = BacklogForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        backlog = services.create_backlog(request.user, **form.cleaned_data)
        return redirect("backlog", backlog.pk)
    return render(request, "initiatives/backlog_form.html", {"form": form})


@login_required
def backlog_detail(request, backlog_id):
    backlog = get_backlog(request, backlog_id)
    filter_form = StatusFilterForm(request.GET)
    initiatives = (
        backlog.initiatives.with_voted(request.user).select_related("author").ranked()
    )
    if filter_form.is_valid() and filter_form.cleaned_data["status"]:
        initiatives = initiatives.filter(status=filter_form.cleaned_data["status"])

    page = Paginator(initiatives, INITIATIVES_PER_PAGE).get_page(
        request.GET.get("page")
    )

    context = {
        "backlog": backlog,
        "initiatives": page,
        "filter_form": filter_form,
        "can_edit": backlog.role in EDITING_ROLES,
        "is_owner": backlog.role == Role.OWNER,
    }
    return render(request, "initiatives/backlog_detail.html", context)


@login_required
def backlog_edit(request, backlog_id):
    backlog = get_backlog(request, backlog_id)
    require_role(backlog, {Role.OWNER})
    form = BacklogForm(request.POST or None, instance=backlog)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("backlog", backlog.pk)
    return render(
        request, "initiatives/backlog_form.html", {"form": form, "backlog": backlog}
    )


@login_required
def backlog_delete(request, backlog_id):
    backlog = get_backlog(request, backlog_id)
    require_role(backlog, {Role.OWNER})
    if request.method == "POST":
        backlog.delete()
        messages.success(request, f"Deleted the backlog “{backlog.name}”.")
        return redirect("dashboard")
    return render(request, "initiatives/backlog_delete.html", {"backlog": backlog})


@login_required
def initiative_create(request, backlog_id):
    backlog = get_backlog(request, backlog_id)
    require_role(backlog, EDITING_ROLES)
    form = InitiativeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.backlog = backlog
        form.instance.author = request.user
        form.save()
        return redirect("backlog", backlog.pk)
    return render(
        request, "initiatives/initiative_form.html", {"form": form, "backlog": backlog}
    )


@login_required
def initiative_edit(request, backlog_id, initiative_id):
    backlog = get_backlog(request, backlog_id)
    initiative = get_object_or_404(backlog.initiatives, pk=initiative_id)
    require_role(backlog, EDITING_ROLES)
    form = InitiativeForm(request.POST or None, instance=initiative)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("backlog", backlog.pk)
    context = {
        "form": form,
        "backlog": backlog,
        "initiative": initiative,
        "is_owner": backlog.role == Role.OWNER,
    }
    return render(request, "initiatives/initiative_form.html", context)


@login_required
@require_POST
def initiative_delete(request, backlog_id, initiative_id):
    backlog = get_backlog(request, backlog_id)
    initiative = get_object_or_404(backlog.initiatives, pk=initiative_id)
    require_role(backlog, {Role.OWNER})

    initiative.delete()
    messages.success(request, f"Deleted “{initiative.title}”.")
    return redirect("backlog", backlog.pk)


@login_required
@require_POST
def vote(request, backlog_id, initiative_id):
    backlog = get_backlog(request, backlog_id)
    initiative = get_object_or_404(backlog.initiatives, pk=initiative_id)

    services.cast_vote(initiative, request.user)
    return redirect_back_to_backlog(request, backlog)


@login_required
@require_POST
def unvote(request, backlog_id, initiative_id):
    backlog = get_backlog(request, backlog_id)
    initiative = get_object_or_404(backlog.initiatives, pk=initiative_id)

    services.withdraw_vote(initiative, request.user)
    return redirect_back_to_backlog(request, backlog)


def redirect_back_to_backlog(request, backlog):
    # Keep the status filter the person was looking at.
    status = StatusFilterForm(request.POST)
    if status.is_valid() and status.cleaned_data["status"]:
        return redirect(
            f"/backlogs/{backlog.pk}?status={status.cleaned_data['status']}"
        )
    return redirect("backlog", backlog.pk)


@login_required
def members(request, backlog_id):
    backlog = get_backlog(request, backlog_id)
    require_role(backlog, {Role.OWNER})
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, role = form.cleaned_data["user"], form.cleaned_data["role"]
        try:
            _, created = services.set_member_role(backlog, user, role)
        except services.LastOwnerError as error:
            form.add_error("role", error.message)
        else:
            verb = "Added" if created else "Changed the role of"
            messages.success(request, f"{verb} {user.display_name}: {role}.")
            return redirect("members", backlog.pk)

    memberships = backlog.memberships.select_related("user").order_by("user__email")
    context = {
        "backlog": backlog,
        "memberships": memberships,
        "form": form,
        "roles": RoleForm,
    }
    return render(request, "initiatives/members.html", context)


@login_required
@require_POST
def member_role(request, backlog_id, user_id):
    backlog = get_backlog(request, backlog_id)
    require_role(backlog, {Role.OWNER})
    membership = get_object_or_404(
        backlog.memberships.select_related("user"), user_id=user_id
    )
    form = RoleForm(request.POST)

    if form.is_valid():
        try:
            services.set_member_role(
                backlog, membership.user, form.cleaned_data["role"]
            )
        except services.LastOwnerError as error:
            messages.error(request, error.message)
    return redirect("members", backlog.pk)


@login_required
@require_POST
def member_remove(request, backlog_id, user_id):
    backlog = get_backlog(request, backlog_id)
    require_role(backlog, {Role.OWNER})
    membership = get_object_or_404(
        backlog.memberships.select_related("user"), user_id=user_id
    )

    try:
        services.remove_member(membership)
    except services.LastOwnerError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Removed {membership.user.display_name}.")
    return redirect("members", backlog.pk)
