import contextlib
import copy
import datetime as _dt
import gc
import io
import json
import os
import pickle
import shutil
from pathlib import Path

import pytest
from django.utils import timezone as _timezone

from procurement.assessments import services as _assessment_services
from procurement.assessments.demo import profile_answers as _profile_answers
from procurement.core.models import Membership, Organisation
from procurement.questionbank import document as _bankdoc
from procurement.vendors.models import AIService as _AIService
from procurement.vendors.models import Provider as _Provider
from procurement.vendors.models import Vendor as _Vendor

# Playwright's sync API runs an event loop in the test thread; Django must allow
# ORM calls from it when browser tests share the process with live_server.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_BANK = ROOT / "fixtures" / "banks" / "ai-vendor-due-diligence.yaml"
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "correct-horse-battery"

SMALL_BANK = """\
format: 1
bank: {slug: small, name: Small bank}
version:
  changelog: first
  rule_params:
    tier: {domains: [IN-01]}
sections:
- code: IN
  title: Intake
  weight: 0
  audience: buyer
  questions:
  - code: IN-01
    text: How critical is the use?
    type: single_choice
    choices:
    - {value: low, label: Low, points: 1}
    - {value: high, label: High, points: 4}
- code: OPS
  title: Operations
  weight: 2
  questions:
  - code: OPS-01
    text: Is there a fallback?
    help: A tested fallback shortens outages.
    type: yes_no
    weight: major
    critical: true
    points: {yes: 0, partial: 2, no: 4}
  - code: OPS-02
    text: Notice period in days
    type: number
    unit: days
    bands:
    - {from: 0, to: 90, points: 4}
    - {from: 90, to: null, points: 0}
  - code: OPS-03
    text: Which fallback?
    type: single_choice
    show_if: {question: OPS-01, in: [yes, partial]}
    choices:
    - {value: other_cloud, label: Another cloud, points: 0}
    - {value: manual, label: Manual process, points: 2}
  - code: OPS-04
    text: Attestation expiry
    type: date
    bands:
    - {from: null, to: 0, points: 4}
    - {from: 0, to: null, points: 0}
  - code: OPS-05
    text: Describe the runbook
    type: text
"""


# --- What runs where (README, Quickstart) ----------------------------------------------
# `make test` runs two shares side by side, one per core. A database test whose result depends on
# the database runs on PostgreSQL, the production database: queries and their counts, constraints,
# locking and races, migrations, what the database refuses (bad input), and who may reach what
# (the access matrices). Those are the modules in DATABASE_MODULES, every `test_services.py` and
# `test_models.py` (services do the writes the constraints guard), and any test that counts
# queries or runs outside a test transaction. The ones where SQLite, the database of `make run`,
# behaves differently in a way the app must handle run on SQLite too (ALSO_ON_SQLITE): what it
# refuses, its locking, and date arithmetic in SQL. Every other test runs once (`_once`), on the
# side that evens out the two runs' time: whole modules go, heaviest first, to the side with less
# work so far, weighed with the seconds a test of that module took on each side in the last
# measured run (tests/durations.json, rewritten by `make test-durations`). Both shares compute the
# same split from the same collection. Without the option every test runs.

PDF_MODULES = {"tests/reports/test_pdf.py", "tests/reports/test_pdf_tagged.py"}
SHARES = ("all", "sqlite", "postgres")
DATABASE_MODULES = {
    "tests/test_access_matrix.py",  # who may reach what, every URL and persona
    "tests/api/test_api_access_matrix.py",
    "tests/api/test_api.py",  # filters, paging and id ranges each database reads its own way
    "tests/test_bad_input.py",  # what the database refuses: NUL bytes, long text, huge numbers
    "tests/assessments/test_checks.py",  # stored text the database accepts
    "tests/assessments/test_concurrency.py",
    "tests/core/test_database.py",
    "tests/core/test_outbox.py",  # sent once, with two senders
    "tests/core/test_tokens.py",
    "tests/portal/test_services.py",
    "tests/portfolio/test_obligations.py",  # date arithmetic in SQL
    "tests/portfolio/test_calendar.py",
    "tests/portfolio/test_reassessment.py",  # one open reassessment per decision, in the database
    "tests/portfolio/test_send_notifications.py",  # run twice, sent once
    "tests/questionbank/test_limits.py",
    "tests/reports/test_render_reliability.py",  # leases, killed workers, retries
    "tests/vendors/test_bulk.py",
    "tests/vendors/test_contracts.py",
    "tests/vendors/test_documents.py",  # one copy per vendor by sha256
    "tests/vendors/test_history.py",
    "tests/vendors/test_supply.py",
}
# Database tests that run on SQLite as well: where SQLite answers differently and `make run`
# depends on the app handling it. test_bad_input runs fewer examples there (its FUZZ settings).
ALSO_ON_SQLITE = {
    "tests/test_bad_input.py",  # SQLite refuses other things (integers past 64 bits)
    "tests/assessments/test_checks.py",
    "tests/assessments/test_concurrency.py",  # SQLite locks the whole database
    "tests/core/test_database.py",
    "tests/core/test_outbox.py",
    "tests/portfolio/test_obligations.py",  # SQLite's date functions are not PostgreSQL's
    "tests/portfolio/test_calendar.py",
}
DATABASE_NAMES = {"test_services.py", "test_models.py"}
# Fixtures that make a test depend on the database itself: query counts, and work outside a test
# transaction (threads, workers, locking).
DATABASE_FIXTURES = {"django_assert_num_queries", "django_assert_max_num_queries", "transactional_db"}
DURATIONS = Path(__file__).resolve().parent / "durations.json"
# Seconds a test takes when its module is not in tests/durations.json yet (per share there).
GUESS = {"browser": 15.0, "pdf": 2.0, "db": 0.35, "none": 0.02}
# The PostgreSQL share starts later: the cluster starts (the migrations that build its test
# database are in the seconds of the first module that uses it). 25 s left it 20 s short of the
# SQLite share in two clean-clone runs (2026-11-27: 327 against 347 s).
POSTGRES_HEAD_START = 5.0


def pytest_configure(config):
    """The cyclic garbage collector, tuned for a long run: what exists once Django and the test
    modules are loaded is frozen out of its scans, and it runs after 50,000 new objects instead
    of 700. The tests allocate many short-lived cycles (querysets, template contexts,
    WeasyPrint boxes); with the defaults it rescanned the long-lived ones thousands of times.
    3-4% less CPU for tests/assessments, portfolio and questionbank (docs/performance.md)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 1_000)


def pytest_addoption(parser):
    parser.addoption(
        "--share",
        choices=SHARES,
        default="all",
        help="the part of the suite this run takes (make test: sqlite and postgres side by side)",
    )


# pytest-django's database fixtures; pytest-django refuses database access to any test
# without one of them (or the django_db marker), so the rest cannot depend on it.
DB_FIXTURES = {
    "_django_db_helper",
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def _module(item) -> str:
    return item.nodeid.split("::")[0]


# Session fixtures that cost more than most modules: every test that uses one runs on the same
# side, so it is built once (served_env: production static files, about 10 s of CPU).
SHARED_ONCE = ("served_env",)


def _group(item) -> str:
    """What goes to one side as a whole: the tests of a costly session fixture, else a module."""
    fixtures = getattr(item, "fixturenames", ())
    return next((f"fixture {name}" for name in SHARED_ONCE if name in fixtures), _module(item))


def _uses_db(item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(DB_FIXTURES & fixtures)


def _database_test(item) -> bool:
    """Its result depends on the database (see "What runs where")."""
    if not _uses_db(item) or item.get_closest_marker("browser"):
        return False
    module = _module(item)
    fixtures = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    return (
        module in DATABASE_MODULES
        or Path(module).name in DATABASE_NAMES
        or bool(DATABASE_FIXTURES & fixtures)
        or bool(marker and marker.kwargs.get("transaction"))
    )


def _pinned(item) -> tuple[str, ...]:
    """The shares that run the test whatever the balance: PostgreSQL for a database test, both
    for one in ALSO_ON_SQLITE, SQLite for a browser test that starts from the demo data (it gets a
    copy of the database seeded once, tests/browser/conftest.py); none for a test that runs once,
    where it evens out the time."""
    if "seed_demo" in getattr(item, "fixturenames", ()):
        return ("sqlite",)
    if not _database_test(item):
        return ()
    return ("sqlite", "postgres") if _module(item) in ALSO_ON_SQLITE else ("postgres",)


def _guess(item) -> float:
    if item.get_closest_marker("browser"):
        return GUESS["browser"]
    if item.get_closest_marker("pdf"):
        return GUESS["pdf"]
    return GUESS["db"] if _uses_db(item) else GUESS["none"]


def _seconds(measured: dict, item, share: str) -> float:
    """What a test of the item's module took on that share in the last measured run (the other
    share's figure, or a guess, when it did not run there)."""
    figures = measured.get(_module(item), {})
    other = "postgres" if share == "sqlite" else "sqlite"
    return figures.get(share) or figures.get(other) or _guess(item)


def _split(items) -> dict[str, str]:
    """Module (or group, `_group`) -> the share ("sqlite" or "postgres") that runs its tests that run once.

    Each share starts with the tests pinned to it (`_pinned`) and, for PostgreSQL, its start;
    then the once-only modules, heaviest first, each go where they would end soonest."""
    measured = json.loads(DURATIONS.read_text()) if DURATIONS.exists() else {}
    load = {"sqlite": 0.0, "postgres": POSTGRES_HEAD_START}
    weight: dict[str, dict[str, float]] = {}
    for item in items:
        if _pinned(item):
            for share in _pinned(item):
                load[share] += _seconds(measured, item, share)
        else:
            module = weight.setdefault(_group(item), {"sqlite": 0.0, "postgres": 0.0})
            for share in load:
                module[share] += _seconds(measured, item, share)
    side = {}
    for module in sorted(weight, key=lambda m: (-max(weight[m].values()), m)):
        side[module] = min(load, key=lambda s: (load[s] + weight[module][s], s))
        load[side[module]] += weight[module][side[module]]
    _estimate.update(load)
    return side


_estimate: dict[str, float] = {}


def pytest_report_collectionfinish(config, start_path, items):
    share = config.getoption("--share")
    if share != "all" and _estimate:
        other = "postgres" if share == "sqlite" else "sqlite"
        return (
            f"{share} share: {len(items)} tests, about {_estimate[share]:.0f} s by tests/durations.json"
            f" (the {other} share about {_estimate[other]:.0f} s)"
        )
    return None


@pytest.hookimpl(tryfirst=True)  # before -m reads the pdf marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        if _module(item) in PDF_MODULES:
            item.add_marker(pytest.mark.pdf)
    share = config.getoption("--share")
    if share == "all":
        return
    side = _split(items)
    keep = [item for item in items if share in _pinned(item) or (not _pinned(item) and side[_group(item)] == share)]
    if len(keep) < len(items):
        kept = set(map(id, keep))
        config.hook.pytest_deselected(items=[item for item in items if id(item) not in kept])
        items[:] = keep


# `make test-durations`: each share writes the seconds each module's tests took (setup, call and
# teardown) to the file TEST_DURATIONS_OUT names; scripts/test_durations.py turns the two files
# into tests/durations.json (seconds per test, by module).
_durations: dict[str, list[float]] = {}


def pytest_runtest_logreport(report):
    seconds, tests = _durations.setdefault(report.nodeid.split("::")[0], [0.0, 0])
    _durations[report.nodeid.split("::")[0]] = [seconds + report.duration, tests + (report.when == "call")]


def pytest_sessionfinish(session):
    out = os.environ.get("TEST_DURATIONS_OUT")
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(_durations, indent=1, sort_keys=True))


# --- The shipped bank is parsed once per run --------------------------------------
# Parsing the 1,400-line shipped bank with the strict YAML loader is most of the cost of
# loading it (~80 %), and dozens of fixtures load it. parse_document is a pure function
# of the bytes, so the first parse of exactly these bytes is kept (pickled) and later calls
# get a fresh copy (unpickling is 5x faster than deepcopy); any other input (and every
# failure) goes through the real parser.
_SHIPPED_RAW = SHIPPED_BANK.read_bytes()
_shipped_parsed: dict[tuple, bytes] = {}


@pytest.fixture(scope="session", autouse=True)
def _shipped_bank_parsed_once():
    real = _bankdoc.parse_document

    def parse_document(raw, *args, **kwargs):
        as_bytes = raw.encode() if isinstance(raw, str) else raw
        if args or as_bytes != _SHIPPED_RAW:
            return real(raw, *args, **kwargs)
        key = (type(raw), kwargs.get("max_bytes"))  # `source` only names the file in problems
        if key not in _shipped_parsed:
            _shipped_parsed[key] = pickle.dumps(real(raw, **kwargs), pickle.HIGHEST_PROTOCOL)
        return pickle.loads(_shipped_parsed[key])  # noqa: S301 (our own bytes, this process)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_bankdoc, "parse_document", parse_document)
        yield


@pytest.fixture
def small_bank_yaml() -> str:
    return SMALL_BANK


@pytest.fixture
def shipped_bank_bytes() -> bytes:
    return SHIPPED_BANK.read_bytes()


@pytest.fixture
def org(db) -> Organisation:
    return make_org()


@pytest.fixture
def other_org(db) -> Organisation:
    return make_org(name="Other Corp", slug="other")


def make_org(*, name: str = "Acme Buyer", slug: str = "acme") -> Organisation:
    return Organisation.objects.create(name=name, slug=slug)


@pytest.fixture
def personas(db, django_user_model, org, other_org) -> dict:
    """One user per role in `org`, an admin of another organisation, and site staff."""
    return make_personas(django_user_model, org, other_org)


def make_personas(user_model, org: Organisation, other_org: Organisation) -> dict:
    """The `personas` fixture's users, for a world built outside a test (rolled_back_after_the_module).

    Written in two inserts, as `membership_set` would leave them (an organisation admin is staff,
    for the bank editor); the service itself is tested in tests/core. Nine users and seven
    memberships one by one cost 13 ms a test on PostgreSQL, and most database tests use them."""
    role, executive = Membership.Role, Membership.Authority.EXECUTIVE
    # username -> (organisation, role, authority); None: no membership.
    plan = {name: (org, name, None) for name in role.values}
    plan |= {
        "outsider": (other_org, role.ADMIN, None),
        "staff": None,
        # A reviewer with executive authority: accepts risk and decides what needs it.
        "approver": (org, role.REVIEWER, executive),
        "nobody": None,
    }
    people = {}
    for username, membership in plan.items():
        staff = username == "staff"
        user = user_model(username=username, is_superuser=staff)
        user.is_staff = staff or (membership is not None and membership[1] == role.ADMIN)
        user.set_password(PASSWORD)
        people[username] = user
    user_model.objects.bulk_create(people.values())
    Membership.objects.bulk_create(
        Membership(user=people[username], organisation=o, role=r, **({"authority": a} if a is not None else {}))
        for username, (o, r, a) in ((u, m) for u, m in plan.items() if m is not None)
    )
    return people


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, _shipped_bank_parsed_once):
    """The test database starts with the shipped bank published, as after `make run`'s load_bank:
    dozens of fixtures need it, and its 1,300 rows cost 0.15-0.25 s a test to insert. Tests roll
    back to this state; after a transactional test empties the tables, `shipped_version` loads
    it again."""
    from procurement.questionbank.services import bank_load

    with django_db_blocker.unblock():
        bank_load(raw=_SHIPPED_RAW, source=str(SHIPPED_BANK))


@contextlib.contextmanager
def rolled_back_after_the_module(django_db_blocker):
    """Rows written inside stay for the rest of a module and are rolled back after its last test.

    Each test's own transaction (pytest-django's `db`) opens inside this one as a savepoint, as in
    Django's TestCase with setUpTestData, so a test still sees exactly these rows and never another
    test's writes. For costly worlds that many tests of a module only read (the demo seed, about
    3 s). Not for modules with transactional tests (they flush the tables)."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic._from_testcase = True  # nested durable blocks behave as in a TestCase
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def demo_seeded_for_the_module(django_db_setup, django_db_blocker):
    """`seed_demo` run once per module, rolled back after it (see rolled_back_after_the_module)."""
    from django.core.management import call_command

    with rolled_back_after_the_module(django_db_blocker):
        call_command("seed_demo", stdout=io.StringIO())
        yield


def module_world(build, *names: str) -> tuple:
    """Fixtures for a module whose tests share one costly world: ``build()`` (a dict of rows and
    objects) runs once, before the module's first test, and is rolled back after its last
    (rolled_back_after_the_module); each test gets its own deep copy as ``world``, so what one
    test changes on an object is not seen by the next (as Django's TestCase does with
    setUpTestData). Each of ``names`` becomes a fixture of that copy's entry, in place of the
    fixture of that name (``org``, ``personas`` ...) for the module's tests and the fixtures
    they use. Use it as ``module_world_rows, world, org = module_world(build, "org")``."""

    @pytest.fixture(scope="module", name="module_world_rows")
    def rows(django_db_setup, django_db_blocker):
        with rolled_back_after_the_module(django_db_blocker):
            yield build()

    @pytest.fixture(name="world")
    def world(db, module_world_rows) -> dict:
        return copy.deepcopy(module_world_rows)

    def entry(name: str):
        @pytest.fixture(name=name)
        def fixture(world):
            return world[name]

        return fixture

    return (rows, world, *map(entry, names))


def decided_world() -> dict:
    """The `decided` fixture's assessment, with the organisations and personas it needs, for
    module_world."""
    from django.contrib.auth import get_user_model

    org, other_org = make_org(), make_org(name="Other Corp", slug="other")
    personas = make_personas(get_user_model(), org, other_org)
    decided = make_decided(org, personas, load_shipped_version())
    return {"org": org, "other_org": other_org, "personas": personas, "decided": decided}


@pytest.fixture
def no_banks(db):
    """For tests of loading banks into an empty database: the preloaded shipped bank is removed
    (inside the test's transaction, so the next test has it again)."""
    from procurement.questionbank.models import QuestionBank

    QuestionBank.objects.all().delete()


@pytest.fixture
def shipped_version(db):
    return load_shipped_version()


def load_shipped_version():
    """The shipped bank's version (loaded at the start of the run; again after a flush)."""
    from procurement.questionbank.services import bank_load

    return bank_load(raw=SHIPPED_BANK.read_bytes(), source=str(SHIPPED_BANK)).version


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# Debian's Chromium, as its headless shell (Debian's package chromium-headless-shell, built from the
# same chromium source as the browser: the same Blink and V8 without the browser's window layer).
# The browser tests take 25% less CPU with it than with /usr/bin/chromium (234 against 313 s for
# tests/browser; docs/performance.md, "The suite, session 35"). Without it, the full browser.
CHROMIUM = shutil.which("chromium-headless-shell") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


# --- Assessments shared by the assessments and reports tests ---------------------


@pytest.fixture
def service(org, personas):
    return make_service(org, personas)


def make_service(org, personas):
    vendor = _Vendor.objects.create(organisation=org, name="Frontier Lab", owner=personas["analyst"])
    return _AIService.objects.create(
        vendor=vendor, name="Frontier API", model_name="fx-1", model_provider="Frontier Lab"
    )


@pytest.fixture
def providers(org):
    """Four providers of `org`, one of each kind a chain test needs."""
    return make_providers(org)


def make_providers(org) -> dict:
    make = lambda name, kind, owner="": _Provider.objects.create(organisation=org, name=name, kind=kind, owner=owner)  # noqa: E731
    return {
        "lab": make("Frontier Lab", "model_lab"),
        "cloud": make("Hyperscale Cloud", "hyperscaler", "Hyperscale Inc"),
        "rival": make("Rival DC", "colocation", "Rival AI"),
        "neo": make("Neo GPU", "gpu_cloud"),
    }


@pytest.fixture
def other_service(other_org):
    vendor = _Vendor.objects.create(organisation=other_org, name="Elsewhere AI")
    return _AIService.objects.create(vendor=vendor, name="Elsewhere API")


@pytest.fixture
def assessment(service, shipped_version, personas):
    return make_assessment(service, shipped_version, personas)


def make_assessment(service, shipped_version, personas):
    return _assessment_services.assessment_create(
        service=service, bank=shipped_version.bank, by=personas["analyst"], reviewers=[personas["reviewer"]]
    )


@pytest.fixture
def complete_assessment(assessment, personas):
    return make_complete(assessment, personas)


def make_complete(assessment, personas):
    """`assessment` with every answer of the leased-capacity profile."""
    _assessment_services.answers_save(
        assessment=assessment,
        values=_profile_answers("lab-api-leased-capacity"),
        by=personas["analyst"],
        base_revisions=None,
    )
    return assessment


@pytest.fixture
def in_review(complete_assessment, personas):
    _assessment_services.assessment_submit(assessment=complete_assessment, by=personas["analyst"])
    _assessment_services.assessment_start_review(assessment=complete_assessment, by=personas["reviewer"])
    complete_assessment.refresh_from_db()
    return complete_assessment


@pytest.fixture
def other_assessment(other_service, shipped_version):
    return _assessment_services.assessment_create(service=other_service, bank=shipped_version.bank, by=None)


@pytest.fixture
def decided(org, personas, shipped_version):
    """The thin-SaaS profile, reviewed with an override, a finding and a comment, then rejected."""
    return make_decided(org, personas, shipped_version)


def make_decided(org, personas, shipped_version):
    vendor = _Vendor.objects.create(organisation=org, name="ClaimsBot Ltd")
    service = _AIService.objects.create(vendor=vendor, name="ClaimsBot SaaS")
    a = _assessment_services.assessment_create(service=service, bank=shipped_version.bank, by=personas["analyst"])
    _assessment_services.answers_save(
        assessment=a, values=_profile_answers("thin-saas-reseller"), by=personas["analyst"], base_revisions=None
    )
    _assessment_services.assessment_submit(assessment=a, by=personas["analyst"])
    _assessment_services.assessment_start_review(assessment=a, by=personas["reviewer"])
    _assessment_services.override_set(
        assessment=a, question_code="SUP-03", points=2, reason="Two regions of one cloud", by=personas["reviewer"]
    )
    _assessment_services.finding_add(
        assessment=a,
        kind="condition",
        text="Disclose the model",
        owner_user=personas["analyst"],
        due_date=None,
        by=personas["reviewer"],
    )
    _assessment_services.comment_add(
        assessment=a, question_code="MOD-09", body="Asked twice; no answer", by=personas["reviewer"]
    )
    return _assessment_services.assessment_decide(
        assessment=a,
        by=personas["reviewer"],
        approve=False,
        note="Three knockouts",
        authenticated_at=_timezone.now(),
    )


@pytest.fixture
def accept_residual(personas):
    """Records, as the approver, the residual-risk acceptance an executive-acceptance
    recommendation needs."""

    def _accept(assessment, *, by=None, days: int = 90):
        return _assessment_services.acceptance_record(
            assessment=assessment,
            by=by or personas["approver"],
            scope="residual",
            reason="Accepted for the pilot",
            expires_on=_timezone.localdate() + _dt.timedelta(days=days),
            authenticated_at=_timezone.now(),
        )

    return _accept


@pytest.fixture
def rejected_against(org, personas, shipped_version):
    """The hyperscaler profile (the engine recommends approve), rejected by the reviewer with a
    note: a decision that departs from the recommendation."""
    vendor = _Vendor.objects.create(organisation=org, name="Hyperscale Cloud")
    service = _AIService.objects.create(vendor=vendor, name="Managed model")
    a = _assessment_services.assessment_create(service=service, bank=shipped_version.bank, by=personas["analyst"])
    _assessment_services.answers_save(
        assessment=a, values=_profile_answers("hyperscaler-pinned-region"), by=personas["analyst"], base_revisions=None
    )
    _assessment_services.assessment_submit(assessment=a, by=personas["analyst"])
    _assessment_services.assessment_start_review(assessment=a, by=personas["reviewer"])
    return _assessment_services.assessment_decide(
        assessment=a,
        by=personas["reviewer"],
        approve=False,
        note="The exit terms are not signed",
        authenticated_at=_timezone.now(),
    )


@pytest.fixture
def approved_with_acceptance(in_review, personas, accept_residual):
    """The leased-capacity profile (executive risk acceptance required): the approver accepts
    the residual risk, then approves."""
    accept_residual(in_review)
    return _assessment_services.assessment_decide(
        assessment=in_review, by=personas["approver"], approve=True, note="", authenticated_at=_timezone.now()
    )
