import os

import psycopg
import pytest
from django.conf import settings


def pytest_configure(config):
    """The tests run on PostgreSQL only; say how to get one when none answers."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise pytest.UsageError(f"Tests need PostgreSQL; DATABASE_URL points at {db['ENGINE']}.")
    try:
        psycopg.connect(
            host=db.get("HOST") or None, port=db.get("PORT") or None, user=db.get("USER") or None,
            password=db.get("PASSWORD") or None, dbname="postgres", connect_timeout=5,
        ).close()
    except psycopg.OperationalError as exc:
        raise pytest.UsageError(
            f"No PostgreSQL server answers at {db.get('HOST')}:{db.get('PORT') or 5432} ({exc}).\n"
            "Start one (e.g. `pg_ctlcluster 15 main start`, or `docker run -p 5432:5432 "
            "-e POSTGRES_HOST_AUTH_METHOD=trust postgres:16`) or set DATABASE_URL, then run `make test` again."
        ) from exc
    os.makedirs(settings.MEDIA_ROOT, exist_ok=True)
    os.makedirs(settings.STATIC_ROOT, exist_ok=True)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (kept filter sidebars, throttle counters, app lists)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def staff_user(db, django_user_model):
    return django_user_model.objects.create_user("staff", "staff@example.com", "pw", is_staff=True)


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "pw")


@pytest.fixture
def admin_client_logged_in(client, superuser):
    client.force_login(superuser)
    return client


def user_in_role(django_user_model, username: str, role: str):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username, f"{username}@example.com", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """`--dist loadgroup`: pytest-xdist 3.8 tags the tests of an xdist_group by setting `item._nodeid`, which
    pytest 9 no longer reads (the id is `item._id`), so the groups were silently spread over the workers. Tag
    them on the id pytest uses, as xdist would (`<nodeid>@<group>`)."""
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import coerce_node_id

    for item in items:
        names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                        for m in item.iter_markers("xdist_group")})
        suffix = f"@{'_'.join(names)}"
        if names and not item.nodeid.endswith(suffix):
            item._id = coerce_node_id(f"{item.nodeid}{suffix}")
