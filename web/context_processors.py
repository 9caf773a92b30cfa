from casework.roles import roles_of


def staff(request):
    """The user's roles, for menus: what a role may do is still checked by the services."""
    user = getattr(request, "user", None)
    return {"user_roles": roles_of(user) if user is not None else set()}
