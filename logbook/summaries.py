"""Entry summaries such as: Ada updated "Dark mode": status proposed → planned.

A summary is a list of (text, is_label) parts, so that the API can quote
labels and the pages can set them in italics from one source.
"""

from logbook.models import Action

# The text before and after the target's label, for each action.
TEMPLATES = {
    Action.INITIATIVE_CREATED: ("{actor} created ", ""),
    Action.INITIATIVE_UPDATED: ("{actor} updated ", ": {changes}"),
    Action.INITIATIVE_DELETED: ("{actor} deleted ", ""),
    Action.VOTE_CAST: ("{actor} voted for ", ""),
    Action.VOTE_WITHDRAWN: ("{actor} withdrew their vote for ", ""),
    Action.MEMBER_ADDED: ("{actor} added ", " as {role}"),
    Action.MEMBER_CHANGED: ("{actor} changed the role of ", ": {changes}"),
    Action.MEMBER_REMOVED: ("{actor} removed ", " from the backlog"),
    Action.BACKLOG_CREATED: ("{actor} created backlog ", ""),
    Action.BACKLOG_UPDATED: ("{actor} updated backlog ", ": {changes}"),
    Action.BACKLOG_DELETED: ("{actor} deleted backlog ", ""),
    Action.TOKEN_CREATED: ("{actor} created token ", ""),
    Action.TOKEN_REVOKED: ("{actor} revoked token ", ""),
}

# Long text fields are reported as changed, without their values.
LONG_FIELDS = {"description"}


def summary_parts(entry) -> list[tuple[str, bool]]:
    before, after = TEMPLATES.get(entry.action, ("{actor} " + entry.action + " ", ""))
    values = {
        "actor": entry.actor_name or "The system",
        "changes": describe_changes(entry.changes),
        "role": (entry.changes.get("role") or [None, None])[1],
    }
    parts = [(before.format(**values), False), (entry.target_label, True)]
    if after:
        parts.append((after.format(**values), False))
    if entry.token_name:
        parts.append((f", via '{entry.token_name}' token", False))
    return parts


def describe_changes(changes: dict) -> str:
    descriptions = []
    for field, (old, new) in changes.items():
        if field in LONG_FIELDS:
            descriptions.append(f"{field} changed")
        else:
            descriptions.append(f"{field} {old} → {new}")
    return ", ".join(descriptions)
