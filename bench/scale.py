"""make bench-scale: the pages at production scale, on a throwaway PostgreSQL cluster.

Run through scripts/with-postgres.sh (the Makefile does). Two organisations built the same
way (the demo's services, supply chains and one assessment per workflow state): "small" is
topped up to 10 assessments, "big" to 100,000 (10% decided, each with its frozen record)
with 5 million answer changes. Each page is timed in both, alternately, in this process;
the figure is big / small. The rows are written with COPY, outside the timing (indexes and
foreign-key triggers off meanwhile), and copied column by column from the demo's own rows,
so a column added to a model is filled from its demo row instead of breaking the bench.

Figures are merged into bench/results.json (other keys stay). Never fails because of a number.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import random
import re
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BIG = int(os.environ.get("SCALE_ASSESSMENTS", "100000"))
SMALL = 10
DECIDED_SHARE = 0.10
CHANGES = int(os.environ.get("SCALE_ANSWER_CHANGES", "5000000"))
RESCORE = int(os.environ.get("SCALE_RESCORE", "10000"))  # 0: no rescoring figure
# SCALE_REUSE=1: keep the bench_scale database of an earlier run on the same cluster (a cluster
# started by hand, not scripts/with-postgres.sh, which removes its own) and only migrate and
# measure: for iterating on a page without the ~2 minutes of setup.
REUSE = os.environ.get("SCALE_REUSE") == "1"
OWNERS = 50  # analysts in the big organisation; the measured one owns 1/50 of its assessments

# One line per page: (figure name, URL name, query string). Each is timed in the big and
# the small organisation alternately; the figures are <name>_page_ms_100k and
# <name>_page_ratio_100k. Add a page here (the open-conditions page, the home page's work
# queue) and it is measured at scale with the others.
PAGES = [
    ("list", "assessments:list", ""),
    ("list_in_progress", "assessments:list", "?status=in_progress"),
    ("portfolio", "portfolio:index", ""),
    ("reviews", "portfolio:reviews", ""),
    ("home", "core:home", ""),
]

RESULTS: dict[str, float | int | str] = {}
NOTES: dict[str, str] = {}


def _pg_database() -> None:
    """A fresh database on the throwaway cluster (scripts/with-postgres.sh points at "postgres")."""
    if os.environ.get("DATABASE_ENGINE") != "postgresql":
        sys.exit("bench/scale.py runs on PostgreSQL: scripts/with-postgres.sh .venv/bin/python bench/scale.py")
    import psycopg

    name = "bench_scale"
    kw = {k: os.environ[f"DATABASE_{k.upper()}"] for k in ("host", "port", "user")}
    global REUSE
    with psycopg.connect(dbname=os.environ.get("DATABASE_NAME", "postgres"), autocommit=True, **kw) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if REUSE and exists:
            print(f"  reusing the database {name}", file=sys.stderr)
        else:
            REUSE = False
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
    os.environ["DATABASE_NAME"] = name


_pg_database()
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.run import interleaved  # noqa: E402


def step(label: str, started: float) -> None:
    print(f"  {label}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)


# --- Rows by COPY, copied from a template row ---------------------------------------------------


def copy_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class RowTemplate:
    """One existing row in COPY text form, column by column; ``line`` swaps some columns.

    The id column is left out (the identity column numbers the new rows)."""

    def __init__(self, table: str, pk: int):
        with connection.cursor() as cur:
            cur.execute(f'SELECT * FROM "{table}" WHERE false')  # noqa: S608 - a table name from _meta
            columns = [c.name for c in cur.description]
            buf = io.BytesIO()
            with cur.copy(f'COPY (SELECT * FROM "{table}" WHERE id = %s) TO STDOUT', (pk,)) as copy:  # noqa: S608
                for block in copy:
                    buf.write(block)
        values = buf.getvalue().decode().rstrip("\n").split("\t")
        self.table = table
        self.values = {c: v for c, v in zip(columns, values, strict=True) if c != "id"}
        self.columns = list(self.values)

    def line(self, **override: str) -> str:
        return "\t".join(override.get(c, v) if c in override else v for c, v in self.values.items()) + "\n"

    def format_string(self, varying: tuple[str, ...]) -> str:
        """A str.format pattern with {name} where each varying column goes: ~1 µs a row."""
        parts = []
        for c, v in self.values.items():
            parts.append("{" + c + "}" if c in varying else v.replace("{", "{{").replace("}", "}}"))
        return "\t".join(parts) + "\n"


@contextlib.contextmanager
def indexes_deferred(table: str):
    """Drop the table's plain indexes (not those behind a primary key or unique constraint) for
    a bulk load and build them again after it: building an index once over millions of rows is
    several times faster than keeping it up to date row by row. Foreign-key triggers are off
    meanwhile (session_replication_role; the throwaway cluster's user is a superuser): each row
    otherwise looks up its assessment and user: 5 million answer changes took 124 s instead of
    50 s (a busy 2-core host). The rows are built from existing ids, so the keys hold."""
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
    loaded = time.perf_counter()
    yield
    step(f"  {table}: rows", loaded)
    built = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = origin")
        cur.execute("SET maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cur.execute(definition)
    step(f"  {table}: {len(indexes)} indexes", built)


def copy_lines(table: str, columns: list[str], lines, *, chunk: int = 20_000) -> int:
    """COPY the text lines into ``table``; returns how many."""
    n = 0
    cols = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
        batch = []
        for line in lines:
            batch.append(line)
            if len(batch) >= chunk:
                copy.write("".join(batch))
                n += len(batch)
                batch = []
        if batch:
            copy.write("".join(batch))
            n += len(batch)
    return n


def ts(value: dt.datetime) -> str:
    return value.isoformat()


# --- The two organisations ----------------------------------------------------------------------


def org_build(slug: str, total: int, *, owners: int) -> dict:
    """An organisation with the demo's services, chains and assessments, topped up to ``total``."""
    from procurement.assessments.demo import demo_assessments_seed
    from procurement.assessments.models import Assessment
    from procurement.assessments.services import assessments_newest_refresh
    from procurement.core.models import Membership, Organisation
    from procurement.vendors.demo import demo_supply_chain_seed

    User = get_user_model()
    org = Organisation.objects.create(name=f"Scale {slug}", slug=f"scale-{slug}")
    analyst = User.objects.create_user(f"{slug}-analyst", first_name="Ana", last_name=slug)
    reviewer = User.objects.create_user(f"{slug}-reviewer")
    Membership.objects.create(user=analyst, organisation=org, role="analyst")
    # The demo records a risk acceptance over a knockout: its approver needs executive authority.
    Membership.objects.create(
        user=reviewer, organisation=org, role="reviewer", authority=Membership.Authority.EXECUTIVE
    )
    people = [analyst]
    for i in range(owners - 1):
        u = User.objects.create_user(f"{slug}-owner-{i}")
        Membership.objects.create(user=u, organisation=org, role="analyst")
        people.append(u)
    demo_assessments_seed(org)
    demo_supply_chain_seed(org)
    demo = list(Assessment.objects.filter(organisation=org).order_by("pk"))
    templates = {}
    for a in demo:
        templates.setdefault(a.status, RowTemplate(Assessment._meta.db_table, a.pk))
    services = sorted({a.service_id for a in demo})
    rnd = random.Random(slug)  # noqa: S311 - data shape, not security
    now = timezone.now()
    open_statuses = [s for s in Assessment.OPEN if s in templates]
    final = [s for s in Assessment.FINAL if s in templates]
    extra = total - len(demo) - 1  # and the working assessment the section page and autosave use
    span = dt.timedelta(days=5 * 365)

    def rows(status_of):
        for i in range(extra):
            status = status_of(i)
            tpl = templates[status]
            created = now - span * (1 - i / max(extra, 1)) - dt.timedelta(days=30)
            over = {
                "organisation_id": str(org.pk),
                "service_id": str(services[i % len(services)]),
                "owner_id": str(people[i % len(people)].pk),
                "created_at": ts(created),
                "updated_at": ts(created + dt.timedelta(days=5)),
                "due_date": (created + dt.timedelta(days=30)).date().isoformat(),
                "is_newest": "f",  # marked below, once (at most one per service)
            }
            if status in Assessment.FINAL:
                over["decided_at"] = ts(created + dt.timedelta(days=20))
                # Filled below inside the database: 120 KB of JSON text per row through COPY
                # took ~9 ms a row to parse; copying the stored value takes ~2 ms.
                over["frozen_record"] = "{}"
            yield tpl.line(**over)

    def status_of(i: int) -> str:
        if rnd.random() < DECIDED_SHARE:
            return final[0] if rnd.random() < 0.8 else final[-1]
        return rnd.choice(open_statuses)

    any_tpl = next(iter(templates.values()))
    table = Assessment._meta.db_table
    with indexes_deferred(table):
        copy_lines(table, any_tpl.columns, rows(status_of))
    with connection.cursor() as cur:
        for status in final:
            source = next(a.pk for a in demo if a.status == status)
            cur.execute(
                f'UPDATE "{table}" t SET frozen_record = s.frozen_record FROM "{table}" s '  # noqa: S608
                "WHERE s.id = %s AND t.organisation_id = %s AND t.status = %s AND t.id > %s",
                [source, org.pk, status, demo[-1].pk],
            )
    assessments_newest_refresh(service_ids=services)
    return {"org": org, "user": analyst, "reviewer": reviewer, "people": people, "demo": demo}


def org_found(slug: str) -> dict:
    """The organisation ``org_build`` made in an earlier run (SCALE_REUSE)."""
    from procurement.assessments.models import Assessment
    from procurement.core.models import Organisation

    User = get_user_model()
    org = Organisation.objects.get(slug=f"scale-{slug}")
    return {
        "org": org,
        "user": User.objects.get(username=f"{slug}-analyst"),
        "reviewer": User.objects.get(username=f"{slug}-reviewer"),
        "demo": [],
        # working_assessment's, made last in the first run
        "working": Assessment.objects.filter(organisation=org).latest("pk"),
    }


def answer_changes_fill(org_info: dict, total: int) -> int:
    """``total`` answer changes spread over the organisation's assessments (COPY)."""
    from procurement.assessments.models import AnswerChange, Assessment
    from procurement.assessments.selectors import bank_structure

    template_pk = AnswerChange.objects.filter(assessment__organisation=org_info["org"]).values_list("pk", flat=True)[0]
    tpl = RowTemplate(AnswerChange._meta.db_table, template_pk)
    ids = list(Assessment.objects.filter(organisation=org_info["org"]).values_list("pk", flat=True))
    sample = org_info["demo"][-1]
    codes = list(bank_structure(sample.bank_version).question_index)
    varying = tuple(c for c in ("assessment_id", "question_code", "old_value", "new_value", "at") if c in tpl.values)
    pattern = tpl.format_string(varying)
    start = timezone.now() - dt.timedelta(days=5 * 365)
    per = total // len(ids) + 1
    values = ['"30"', '"90"', '"180"', '"categories"', '["a", "b"]', '"yes"', '"no"']

    # Strings built once: a row costs one str.format (~1.5 µs) instead of ~5 µs with a datetime each.
    offsets = [f".{k:06d}+00:00" for k in range(per)]
    olds, news = [values[k % 7] for k in range(per)], [values[(k + 1) % 7] for k in range(per)]

    def lines():
        n = 0
        for j, pk in enumerate(ids):
            minute = (start + dt.timedelta(minutes=j)).replace(microsecond=0, tzinfo=None).isoformat()
            for k in range(min(per, total - n)):
                yield pattern.format(
                    assessment_id=pk,
                    question_code=codes[(j + k) % len(codes)],
                    old_value=olds[k],
                    new_value=news[k],
                    at=minute + offsets[k],
                )
            n += per
            if n >= total:
                return

    with indexes_deferred(tpl.table):
        return copy_lines(tpl.table, tpl.columns, lines(), chunk=50_000)


def rescore_set(org_info: dict, n: int) -> list[int]:
    """``n`` in-progress assessments in the organisation, each given the submitted demo's answers (COPY)."""
    from procurement.assessments.models import Answer, Assessment

    if n == 0:
        return []
    source = next(a for a in org_info["demo"] if a.status == Assessment.Status.SUBMITTED)
    ids = list(
        Assessment.objects.filter(organisation=org_info["org"], status=Assessment.Status.IN_PROGRESS)
        .exclude(pk__in=[a.pk for a in org_info["demo"]])
        .order_by("pk")
        .values_list("pk", flat=True)[:n]
    )
    templates = [RowTemplate(Answer._meta.db_table, pk) for pk in source.answers.values_list("pk", flat=True)]

    def lines():
        for pk in ids:
            for tpl in templates:
                yield tpl.line(assessment_id=str(pk))

    with indexes_deferred(Answer._meta.db_table):
        copy_lines(Answer._meta.db_table, templates[0].columns, lines(), chunk=50_000)
    return ids


def working_assessment(org_info: dict):
    """A fresh in-progress assessment with the full demo profile answered, owned by the measured user."""
    from procurement.assessments import services
    from procurement.assessments.demo import profile_answers
    from procurement.assessments.models import Assessment

    src = next(a for a in org_info["demo"] if a.status == Assessment.Status.SUBMITTED)
    a = services.assessment_create(service=src.service, bank=src.bank_version.bank, by=org_info["user"])
    services.answers_save(
        assessment=a, values=profile_answers("lab-api-leased-capacity"), by=org_info["user"], base_revisions=None
    )
    return a


# --- What a browser posts -----------------------------------------------------------------------


class FormFields(HTMLParser):
    """The fields the section form would submit (no files), as autosave.js sends them through htmx."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.in_form = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "section-form":
            self.in_form = True
        if not self.in_form or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            if kind not in ("file", "submit", "button"):
                self.fields.append((name, a.get("value") or ("on" if kind in ("radio", "checkbox") else "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, "".join(self._text)))
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_fields(html: str) -> list[tuple[str, str]]:
    parser = FormFields()
    parser.feed(html)
    return parser.fields


# --- Figures ------------------------------------------------------------------------------------


def bench_pages(small: dict, big: dict) -> None:
    for name, url_name, query in PAGES:
        url = reverse(url_name) + query
        got = {}
        for side, info in (("small", small), ("big", big)):

            def get(client=info["client"], url=url):
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            got[side] = get
        t_small, t_big = interleaved(got["small"], got["big"], repeat=15)
        RESULTS[f"{name}_page_ms_10_pg"] = round(t_small * 1000, 2)
        RESULTS[f"{name}_page_ms_100k"] = round(t_big * 1000, 2)
        RESULTS[f"{name}_page_ratio_100k"] = round(t_big / t_small, 3)
        NOTES[f"{name}_page_ratio_100k"] = "goal <= 1.2" if name == "list" else "no goal set; expect <= 1.3"


def bench_section_and_autosave(small: dict, big: dict, section: str = "SUP") -> None:
    got, posts = {}, {}
    for side, info in (("small", small), ("big", big)):
        a = info["working"]
        url = reverse("assessments:section", args=[a.pk, section])
        client = info["client"]
        html = client.get(url).content.decode()
        fields = form_fields(html)
        names = {k for k, _ in fields}
        assert "revision" in names, "no revision field in the section form"
        # The number question the autosave changes each time (a real edit: a change row and a new revision).
        number = f"q-{section}-05"
        state = {"revision": dict(fields)["revision"], "i": 0}

        def get(client=client, url=url):
            assert client.get(url).status_code == 200

        def post(client=client, url=url, fields=fields, state=state, number=number):
            state["i"] += 1
            data: dict[str, list[str]] = {}
            for k, v in fields:
                data.setdefault(k, []).append(v)
            data["revision"] = [state["revision"]]
            data[number] = [str(30 + state["i"] % 300)]
            response = client.post(url, data, headers={"HX-Request": "true"})
            body = response.content.decode()
            assert response.status_code == 200 and "data-saved" in body, body[:500]
            match = re.search(r'name="revision" value="(\d+)"', body)
            if match:
                state["revision"] = match.group(1)

        got[side], posts[side] = get, post
    t_small, t_big = interleaved(got["small"], got["big"], repeat=25)
    RESULTS["section_page_ms_10_pg"] = round(t_small * 1000, 2)
    RESULTS["section_page_ms_100k"] = round(t_big * 1000, 2)
    RESULTS["section_page_ratio_100k"] = round(t_big / t_small, 3)

    client = big["client"]

    def stock():
        assert client.get("/bench/stock-form/").status_code == 200

    t_ours, t_stock = interleaved(got["big"], stock, repeat=25)
    RESULTS["section_page_vs_stock_100k"] = round(t_ours / t_stock, 3)
    RESULTS["stock_form_page_ms_pg"] = round(t_stock * 1000, 2)
    NOTES["section_page_vs_stock_100k"] = "goal <= 0.45 (section page at 100k on PostgreSQL / stock {{ form }} page)"

    t_small, t_big = interleaved(posts["small"], posts["big"], repeat=25)
    RESULTS["autosave_ms_10_pg"] = round(t_small * 1000, 2)
    RESULTS["autosave_ms_100k"] = round(t_big * 1000, 2)
    RESULTS["autosave_ratio_100k"] = round(t_big / t_small, 3)
    NOTES["autosave_ratio_100k"] = "no goal set; expect <= 1.3"


def bench_rescore(ids: list[int]) -> None:
    from procurement.assessments.models import Assessment
    from procurement.assessments.services import assessment_rescore

    rows = list(Assessment.objects.filter(pk__in=ids).select_related("service", "bank_version"))
    if not rows:
        return
    started = time.perf_counter()
    for a in rows:
        assessment_rescore(assessment=a)
    took = time.perf_counter() - started
    RESULTS[f"rescore_{len(rows)}_s_pg"] = round(took, 2)
    RESULTS["rescore_ms_each_pg"] = round(took / len(rows) * 1000, 2)


def table_sizes() -> None:
    from procurement.assessments.models import Answer, AnswerChange, Assessment

    with connection.cursor() as cur:
        for model in (Assessment, AnswerChange, Answer):
            cur.execute("SELECT pg_total_relation_size(%s)", [model._meta.db_table])
            RESULTS[f"pg_mb_{model._meta.model_name}"] = round(cur.fetchone()[0] / 2**20)
        cur.execute("SELECT pg_database_size(current_database())")
        RESULTS["pg_mb_database"] = round(cur.fetchone()[0] / 2**20)
        # The frozen records as stored: JSON text and compressed size, over a sample of 100.
        sample = Assessment.objects.filter(status__in=Assessment.FINAL).values_list("pk", flat=True)[:100]
        cur.execute(
            "SELECT avg(length(frozen_record::text)), avg(pg_column_size(frozen_record)) "
            "FROM assessments_assessment WHERE id = ANY(%s)",
            [list(sample)],
        )
        text, stored = cur.fetchone()
        RESULTS["scale_frozen_record_kb"] = round(text / 1024)
        RESULTS["scale_frozen_record_stored_kb"] = round(stored / 1024)


def main() -> None:
    from procurement.assessments.models import Answer, AnswerChange, Assessment

    started = time.perf_counter()
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    step("migrate", t)
    if REUSE:
        small, big = org_found("small"), org_found("big")
        answered = Assessment.objects.filter(
            organisation=big["org"], status=Assessment.Status.IN_PROGRESS, answers__isnull=False
        )
        ids = list(answered.distinct().order_by("pk").values_list("pk", flat=True)[:RESCORE]) if RESCORE else []
    else:
        t = time.perf_counter()
        small = org_build("small", SMALL, owners=1)
        big = org_build("big", BIG, owners=OWNERS)
        step(f"assessments ({BIG:,} + {SMALL})", t)
        t = time.perf_counter()
        n = answer_changes_fill(big, CHANGES)
        step(f"answer changes ({n:,})", t)
        t = time.perf_counter()
        ids = rescore_set(big, RESCORE)
        step(f"answers for {len(ids):,} assessments", t)
    for info in (small, big):
        if "working" not in info:
            info["working"] = working_assessment(info)
        info["client"] = Client()
        info["client"].force_login(info["user"])
    t = time.perf_counter()
    with connection.cursor() as cur:
        for model in (Assessment, AnswerChange, Answer):
            cur.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')
    step("vacuum analyze", t)
    RESULTS["scale_assessments"] = Assessment.objects.filter(organisation=big["org"]).count()
    RESULTS["scale_decided"] = Assessment.objects.filter(organisation=big["org"], status__in=Assessment.FINAL).count()
    RESULTS["scale_answer_changes"] = AnswerChange.objects.count()
    RESULTS["scale_setup_s"] = round(time.perf_counter() - started, 1)
    for name, fn, args in (
        ("sizes", table_sizes, ()),
        ("pages", bench_pages, (small, big)),
        ("section and autosave", bench_section_and_autosave, (small, big)),
        ("rescore", bench_rescore, (ids,)),
    ):
        t = time.perf_counter()
        try:
            fn(*args)
        except Exception as exc:  # report, never fail
            RESULTS[f"error_scale_{name.replace(' ', '_')}"] = f"{type(exc).__name__}: {exc}"[:300]
        step(name, t)
    RESULTS["bench_scale_total_s"] = round(time.perf_counter() - started, 1)
    out = ROOT / "bench" / "results.json"
    merged = json.loads(out.read_text()) if out.exists() else {}
    merged = {k: v for k, v in merged.items() if not k.startswith("error_scale_")}
    merged.update(RESULTS)
    out.write_text(json.dumps(merged, indent=2, sort_keys=True) + "\n")
    width = max(len(k) for k in RESULTS)
    print(f"{'figure':<{width}}  value")
    for key in sorted(RESULTS):
        note = f"   ({NOTES[key]})" if key in NOTES else ""
        print(f"{key:<{width}}  {RESULTS[key]}{note}")
    print(f"\nmerged into {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
