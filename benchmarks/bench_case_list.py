"""Benchmark (run on demand: `make bench`): what the case list costs against its bare SQL.

Creates a PostgreSQL database (thrown away at the end; with --keep-db kept under a name
printed, and reused by the next run with the same --cases), migrates it, seeds the
calendar, the power list and the workflow library as `make run` does (tests/support.py,
reused, as bench_cases and bench_intake do), and serves the app in-process as the
non-superuser application role with row-level security forced, as production does.

The data set: 100 districts, each created with the platform's own functions
(onboarding.create_tenant, the demo's nine agencies with their officers through
onboarding.add_agency, and a machine client of zhzf per district through
idp.admin.create_machine_client, so that tokens are real), and --cases cases spread
evenly over them (default 20,000, i.e. 200 per district, for `make bench`; the issue's
scales are --cases 100000 and --cases 1000000). PostgreSQL generates the cases itself,
set-based (INSERT … SELECT generate_series, 20,000 rows a statement, bounded memory,
progress printed) as the owner role (FORCE ROW LEVEL SECURITY lifted on the three
tables for the time of it, see generate()), as valid rows of `enforcement_case` with one
`case_party` (a person with a GB 11643 ID number, a company or an individual business
with a GB 32100 credit code, Chinese names from pools drawn here) and two
`case_officer`s each. The rows come in the order cases arrive over three years, the
districts interleaved, so that a district's cases are spread over the table's pages as
in a shared production table (not one district's block after another's); 60 % of a
district's cases are at the comprehensive enforcement bureau (zhzf), the rest at the
market, environment and emergency bureaus. A case of the last 180 days is a draft, open
at a stage of the general procedure or closed; an older one mostly closed or archived
(~18 % open in all); an open case's next deadline is 10 days ago to 89 days ahead
(~10 % of open cases overdue). The facts name the party (当事人王建华在…), so that the
API's q — which looks in the case number and the facts, not the parties' names — finds a
party too. Then VACUUM ANALYZE, as a well-kept database would have.

Measured, for one district (the 50th), as two viewers — an officer of zhzf (agency
bound: the list is zhzf's cases) and the district's legal-affairs office (district
wide: every case of the district) — each with a bearer token from the district's issuer:

  list      GET /api/v1/cases (first page, nearest deadline first)
  search    GET /api/v1/cases?q=<two characters> (the commonest two-character party
            name of zhzf's cases in the district: most Chinese names are two or three)
  overdue   GET /api/v1/cases?overdue=true
  page 50   GET /api/v1/cases?page=50
  console   GET /console/cases/?q=<the same name> (searches the parties' names)

each --repeat times in the app (Flask test client, no socket) and, interleaved, the
same SQL run directly: the count and the page statements the app sent (captured from
the SQLAlchemy engine with an event listener, parameters included), replayed with
psycopg as the application role in one transaction with the same `app.tenant_id`
binding, every row fetched. It prints p50/p95 of both and the ratio, the statements,
transactions and pool checkouts one request makes, and the time inside statements —
the rest of a request is Python. It also prints the database's LC_CTYPE and whether
pg_trgm can be installed (nothing is added or changed here). --statements lists one
request's statements with their times; --profile adds a cProfile of the officer's list.

"Before" figures, 2026-12-07, the app at main 4a748fb (this file's first commit is on
top of it), PostgreSQL 15.20, LC_CTYPE C.UTF-8 (pg_trgm available, not installed; under
C.UTF-8 it does make trigrams of CJK, under C none), 2 cores shared with other work
(load 3–6, so single p95s are noisy), --repeat 50; ms, app p95 / bare SQL p95 (ratio):

                      100,000 cases           1,000,000 cases       app p95 growth
  officer of zhzf     (612 cases listed)      (6,042 cases listed)
    list              38.2 / 13.5  (2.8x)      49.6 / 32.1  (1.5x)     1.3x
    search, 2 chars   25.6 /  4.8  (5.3x)      58.8 / 37.7  (1.6x)     2.3x
    overdue           29.4 /  4.0  (7.3x)      65.8 / 36.0  (1.8x)     2.2x
    page 50 *         31.4 /  9.0  (3.5x)     141.7 / 88.7  (1.6x)     4.5x
    console search    52.0 / 15.2  (3.4x)     140.2 / 68.8  (2.0x)     2.7x
  legal-affairs       (1,000 cases listed)    (10,000 cases listed)
    list              40.1 /  7.8  (5.1x)      44.7 / 30.3  (1.5x)     1.1x
    search, 2 chars   39.1 /  9.8  (4.0x)      50.6 / 33.8  (1.5x)     1.3x
    overdue           32.3 /  3.7  (8.7x)      28.3 / 10.4  (2.7x)     0.9x
    page 50           48.8 / 17.8  (2.7x)     120.4 / 103.9 (1.2x)     2.5x
    console search    44.1 / 19.4  (2.3x)     232.0 / 187.5 (1.2x)     5.3x
  * at 100,000 the officer's 612 cases end at page 31: page 50 is empty there.

Before and after, 2026-12-07 17:10–18:10 UTC, one run each (--keep-db, --repeat 50):
BEFORE = main at dbf9ae1 (from a worktree at this branch's point), AFTER = branch `cost`
at 25cc150 (migration 20261207_0130 applied to the same kept databases). The machine was
far busier than above: load average 14–18 on 2 cores throughout (other sessions'
suites and benchmarks; during the first two minutes of AFTER at 1,000,000 also a test
run of this branch), so absolute times are 3–10x the quiet figures above and single
p95s swing by 2x; compare ratios, statement counts and p50s rather than milliseconds.
ms, app p95 / bare SQL p95 (ratio):

                          BEFORE 100,000      BEFORE 1,000,000    AFTER 100,000      AFTER 1,000,000
  officer of zhzf
    list                 432 /  89 (4.8x)    458 / 197 (2.3x)     64 / 19 (3.4x)    208 /  89 (2.3x)
    search, 2 chars      464 / 120 (3.9x)    498 / 280 (1.8x)     43 / 14 (3.0x)    283 / 224 (1.3x)
    overdue              406 /  76 (5.3x)    296 / 146 (2.0x)     71 / 19 (3.7x)    319 / 116 (2.8x)
    page 50              422 / 109 (3.9x)    664 / 330 (2.0x)     72 / 29 (2.5x)    469 / 283 (1.7x)
    console search       509 / 128 (4.0x)    582 / 319 (1.8x)    141 / 62 (2.3x)   1124 /1020 (1.1x)
    after (keyset) *         —                   —               100 / 21 (4.9x)    479 / 171 (2.8x)
  legal-affairs
    list                 549 /  81 (6.8x)    269 / 117 (2.3x)     48 / 17 (2.8x)    376 / 124 (3.0x)
    search, 2 chars      311 /  73 (4.3x)    564 / 247 (2.3x)    121 / 50 (2.4x)    554 / 421 (1.3x)
    overdue              304 /  55 (5.5x)    456 / 116 (3.9x)     65 / 24 (2.7x)    180 / 204 (0.9x)
    page 50              568 / 148 (3.8x)    725 / 332 (2.2x)    144 / 56 (2.6x)     82 /  34 (2.4x)
    console search       757 / 170 (4.4x)   1591 /1208 (1.3x)    150 / 72 (2.1x)    868 / 839 (1.0x)
    after (keyset) *         —                   —                52 / 21 (2.5x)     70 /  34 (2.0x)
  * the rows of page 50 asked for by `after` (the `next` of page 49; for the officer at
    100,000, whose list has 30 pages, of page 29).

  one request         13 statements (district-wide 12, console 14) in 4 transactions on
                      4 pool checkouts  →  AFTER: 2–3 statements (set_config, the agency
                      of an agency-bound caller, the page with its count) in 1
                      transaction on 1 checkout; +2 when the 0.5 s auth_epoch poll falls
                      in the request, +1 (count) for a page past the end, console +1-2
                      (the first party's name, the matters' names).

What changed (platform/auth/cache.py, platform/api/paging.py, platform/cases/listing.py):
the token is checked in the request's session through a per-process cache of the
district, its keys and the officer's status (auth_epoch, bumped by the writes that change
them, polled every 0.5 s); the page and its count are one statement (count as an
uncorrelated scalar subquery, an InitPlan); the list loads no relationship or JSON it
does not show; ix_case_list_agency/district serve "my agency (district), nearest
deadline first" so page 1 and a keyset page read 20 index entries (officer list at
1,000,000, p50: 247 → 130 ms, bare SQL 102 → 20 ms; district page 50 p50 413 → 48 ms).

Not reached: the goal (≤ 2x bare SQL, ≤ 1.3x growth) is not shown by these noisy runs,
and the search is not index-served for the application role. The bigram and trigram GIN
indexes exist and PostgreSQL uses them for a role without row-level security (EXPLAIN at
1,000,000: 25 ms for the officer's two-character search, BitmapAnd of
ix_case_search_bigrams and ix_case_list_agency), but under RLS a condition can become an
index condition only if all its functions are LEAKPROOF, and arraycontains (@>),
textlike, lower, textcat, the pg_trgm support functions and yimen_bigrams are not (only
a superuser may mark a function LEAKPROOF; marking these four in a scratch test did not
change the plan either). So for the application role a search reads the agency's
(district's) rows through the list index and filters them: ~6,000 (10,000) rows and
their bigrams at 1,000,000, the "search" and "console search" rows above. The way that
works under RLS is an equality lookup (texteq is leakproof): a table of (tenant_id,
bigram, case_id) kept by a trigger, searched with `bigram = ANY(...)` on a btree — next.

Then (2026-12-07 evening, main after a1eb465 and the reach index of 20261207_0210), the
same machine under load 6–7 (five helpers' test runs), --repeat 30, p50 ms of the bare
SQL (app p50 beside it), officer of zhzf:

                        100,000 (a1eb465)    1,000,000 before 0210    1,000,000 after 0210
    list                 27.4 (81.2)          138.2 (174.5)            31.8 (88.2)
    search, 2 chars       7.4 (58.1)           12.2 (88.5)             6.5 (41.2)
    console search        7.6 (135.1)           3.5 (51.9)             4.4 (64.5)

- Search (migration 20261207_0180): case_search_term, every distinct bigram of a case's
  number, facts and parties' names (47 a case here: 4.7 million rows and 568 MB with
  its key at 100,000, 47.7 million and 5.8 GB at 1,000,000), looked up by equality —
  an index condition for the application role, whose plan reads pk_case_search_term
  (tests/integration/test_case_list.py reads it) — then rechecked with LIKE. The
  two-character search's SQL no longer grows with the district (~150 ms under RLS at
  1,000,000 before).
- The officer's list: the participations behind the agency scope were read from the
  heap and misestimated 100-fold; a partial index (tenant_id, agency_id, case_id) WHERE
  until IS NULL and dependency statistics let the page walk ix_case_list_district and
  stop (EXPLAIN ANALYZE at 1,000,000: 306 → 33 ms).
- Not shown: app p95 ≤ 2x bare SQL. Under this load the Python of a request (~30–50 ms:
  token, guard, marshmallow) dominates the indexed queries, so app/SQL ratios of 2–6x
  at p50 are mostly fixed cost, and p95s are noise; re-measure on an idle machine.

pg_trgm needs a database whose LC_CTYPE classifies CJK characters as letters (C.UTF-8,
zh_CN.UTF-8, en_US.UTF-8): under LC_CTYPE=C it ignores them. The bigram indexes do not
depend on the locale.

Before, one request: 13 statements (12 district-wide; the console 14) in 4 transactions on 4
pool checkouts — the tenant by slug, the signing keys and the officer's status (token
validation) each in a transaction of its own, then set_config, the agency, the count,
the page and three selectin loads (case_party, case_officer, case_pause) that the list
does not show — against 2 statements in 1 transaction bare. At 100,000 the SQL is a
third of the request (officer's list: p50 26 ms, 11.5 ms in statements, cProfile: 37 %
waiting on PostgreSQL; token validation ~1/4 of the rest, ORM loading and marshmallow
the others); at 1,000,000 the bare SQL itself grows (55 % waiting): no index serves
the order (next_deadline IS NULL, next_deadline, created_at DESC) within a district, so
the page reads all the district's (agency's) cases, ~10,000 heap pages, and sorts them
(page 1 ~15 ms, page 50 ~100 ms keeping 1,000 rows); q scans the district's facts
with LIKE (~24 ms) and the console's party search adds a scan of the district's
parties with ILIKE (~90 ms, pages not cached: shared_buffers 128 MB, the case table
589 MB with its indexes).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from pathlib import Path

DISTRICTS = 100
MEASURED = 50  # the district measured (0-based)
SHARE = (("zhzf", 12), ("scjg", 4), ("sthj", 2), ("yjgl", 2))  # of 20 slots
OPEN_STAGES = (
    "investigation",
    "investigation",
    "investigation",
    "correction_order",
    "prior_notice",
    "statement",
    "legal_review",
    "decision",
    "service",
    "execution",
)

SURNAMES = "王王王李李李张张张刘刘陈陈杨杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏飞斌宇浩凯"
    "秀兰志刚海燕春梅晓东俊峰雪梅丹波宁欣怡子轩梓涵浩然一诺雨桐思远佳琪博文嘉怡"
)
BRANDS = "金鑫隆盛祥瑞华源恒通鸿达宏远顺发永昌兴旺福来德润新丰泰康和美嘉禾"
TRADES = (
    "餐饮管理有限公司",
    "建筑工程有限公司",
    "商贸有限公司",
    "物业管理有限公司",
    "渣土运输有限公司",
    "装饰工程有限公司",
)
SHOPS = ("小吃店", "烧烤店", "便利店", "五金店", "洗车行", "水果店", "理发店")
STREETS = (
    "中山路",
    "人民路",
    "解放路",
    "建设路",
    "和平路",
    "长江路",
    "新华路",
    "珠江路",
    "文化路",
    "青年路",
    "北京路",
    "胜利路",
)
# (what the facts say, the catalog matter it is): tenants/powers/catalog.py
VIOLATIONS = (
    ("经营餐馆，未安装油烟净化设施直排油烟。", "CG-0014"),
    ("擅自占用城市道路设摊经营。", "CG-0011"),
    ("进行建筑施工，未采取有效防尘降尘措施。", "CG-0017"),
    ("运输渣土未采取密闭措施，沿途遗撒。", "CG-0018"),
    ("未经同意擅自设置大型户外广告，影响市容。", "CG-0008"),
    ("随意倾倒、堆放生活垃圾。", "CG-0019"),
)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- the data set ---------------------------------------------------------------------


class Pools:
    """Names, ID numbers and credit codes with valid check characters (GB 11643,
    GB 32100) — people and firms registered anywhere among the districts — drawn once
    in Python and indexed by the generating SQL."""

    def __init__(self, divisions: list[str], seed: int = 2026, size: int = 6000) -> None:
        from stdnum.cn import ric, uscc

        from yimen.platform.demo import organisation_code

        rnd = random.Random(seed)
        self.persons, self.id_numbers, self.phones = [], [], []
        for _ in range(size):
            given = rnd.choice(GIVEN) + (rnd.choice(GIVEN) if rnd.random() < 0.7 else "")
            self.persons.append(rnd.choice(SURNAMES) + given)
            born = f"{rnd.randint(1955, 2003)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"
            body = f"{rnd.choice(divisions)}{born}{rnd.randint(0, 999):03d}"
            self.id_numbers.append(body + ric.calc_check_digit(body))
            self.phones.append("13" + "".join(rnd.choice("0123456789") for _ in range(9)))
        self.orgs, self.org_codes = [], []
        for k in range(size // 4):
            self.orgs.append(f"{rnd.choice(BRANDS)}{rnd.choice(BRANDS)}{rnd.choice(TRADES)}")
            body = "91" + rnd.choice(divisions) + organisation_code(f"MA{k:06X}")
            self.org_codes.append(body + uscc.calc_check_digit(body))
        self.shops, self.shop_codes = [], []
        for k in range(size // 4):
            self.shops.append(
                f"{rnd.choice(STREETS)[:2]}{rnd.choice(SURNAMES)}记{rnd.choice(SHOPS)}"
            )
            body = "92" + rnd.choice(divisions) + organisation_code(f"GT{k:06X}")
            self.shop_codes.append(body + uscc.calc_check_digit(body))


# Rows i = 1..total in the order cases arrive: district i % 100 (interleaved, so that a
# district's cases are spread over the table's pages as in a shared production table),
# created from three years ago (i = 1) to now; a case of the last 180 days is a draft
# (10 %), open (85 %) or closed; an older one open (5 %, long-running), closed or
# archived. An open case's next deadline is 10 days ago to 89 days ahead (~10 % overdue).
GENERATE = """
WITH src AS MATERIALIZED (
    SELECT i, gen_random_uuid() AS id, i %% %(districts)s AS d, r.u, r.k, r.slot, r.p, r.o,
           r.s, r.st, r.v, r.due, r.stage,
           now() - make_interval(secs => (1.0 - i::float8 / %(total)s::int) * 1080 * 86400)
               AS created
    FROM generate_series(%(first)s::int, %(last)s::int) AS i,
    LATERAL (SELECT random() AS u, random() AS k,
                    (floor(random() * 20))::int + 1 AS slot,
                    (floor(random() * %(np)s))::int + 1 AS p,
                    (floor(random() * %(no)s))::int + 1 AS o,
                    (floor(random() * %(no)s))::int + 1 AS s,
                    (floor(random() * 12))::int + 1 AS st,
                    (floor(random() * 6))::int + 1 AS v,
                    (floor(random() * 100))::int - 10 AS due,
                    (floor(random() * 10))::int + 1 AS stage
             WHERE i > 0) AS r
), c AS (
    SELECT src.*, d * 20 + slot AS ds,
           CASE WHEN k < 0.55 THEN 'person' WHEN k < 0.8 THEN 'organisation'
                ELSE 'individual_business' END AS kind,
           CASE WHEN k < 0.55 THEN (%(persons)s::text[])[p]
                WHEN k < 0.8 THEN (%(orgs)s::text[])[o]
                ELSE (%(shops)s::text[])[s] END AS name,
           CASE WHEN created > now() - interval '180 days' THEN
                    CASE WHEN u < 0.1 THEN 'draft' WHEN u < 0.95 THEN 'open' ELSE 'closed' END
                ELSE CASE WHEN u < 0.05 THEN 'open' WHEN u < 0.5 THEN 'closed'
                          ELSE 'archived' END END AS status,
           (%(counties)s::text[])[d + 1] || (%(streets)s::text[])[st] || (i %% 300 + 1) || '号'
               AS place
    FROM src
), cases AS (
    INSERT INTO enforcement_case (
        id, tenant_id, agency_id, number, procedure, matter_code, stage, status, facts,
        place, violation_started_on, discovered_on, workflow_pin, filed_on, decided_on,
        closed_on, penalty_kinds, fine_fen, next_deadline, next_deadline_label,
        created_by, created_at, version)
    SELECT id, (%(tenants)s::uuid[])[d + 1], (%(agencies)s::uuid[])[ds],
           CASE WHEN status = 'draft' THEN NULL ELSE (%(stems)s::text[])[ds] || '〔'
                || extract(year FROM created AT TIME ZONE 'Asia/Shanghai') || '〕'
                || (i / %(districts)s + 1) || '号' END,
           'general', (%(codes)s::text[])[v],
           CASE status WHEN 'draft' THEN 'filing' WHEN 'open' THEN (%(stages)s::text[])[stage]
                WHEN 'closed' THEN 'closure' ELSE 'archive' END,
           status,
           '当事人' || name || '在' || place || (%(violations)s::text[])[v],
           place, (created - interval '3 days')::date, (created - interval '1 day')::date,
           (%(pins)s::text[])[d + 1],
           CASE WHEN status = 'draft' THEN NULL ELSE created::date END,
           CASE WHEN status IN ('closed', 'archived') THEN (created + interval '40 days')::date END,
           CASE WHEN status IN ('closed', 'archived') THEN (created + interval '75 days')::date END,
           CASE WHEN status IN ('closed', 'archived') THEN '["fine"]'::json ELSE '[]'::json END,
           CASE WHEN status IN ('closed', 'archived') THEN (1 + (i %% 50)) * 100000 END,
           CASE WHEN status IN ('draft', 'open') THEN %(today)s::date + due END,
           CASE status WHEN 'draft' THEN '立案审批' WHEN 'open' THEN '办案期限' ELSE '' END,
           (%(officers1)s::text[])[ds], created, 1
    FROM c
    RETURNING id
), parties AS (
    INSERT INTO case_party (
        id, tenant_id, case_id, position, kind, name, id_number, credit_code,
        credit_code_confirmed, legal_representative, address, phone)
    SELECT gen_random_uuid(), (%(tenants)s::uuid[])[d + 1], id, 0, kind, name,
           CASE WHEN kind = 'person' THEN (%(id_numbers)s::text[])[p] ELSE '' END,
           CASE WHEN kind = 'organisation' THEN (%(org_codes)s::text[])[o]
                WHEN kind = 'individual_business' THEN (%(shop_codes)s::text[])[s]
                ELSE '' END,
           false,
           CASE WHEN kind = 'person' THEN '' ELSE (%(persons)s::text[])[p] END,
           place, (%(phones)s::text[])[p]
    FROM c
), participants AS (
    -- the case's agency takes part as its lead (case_participant: what an agency's
    -- officer lists and reads, kernel/db/agency_scope.py), as cases.service.new_draft does
    INSERT INTO case_participant (id, tenant_id, case_id, agency_id, role, since)
    SELECT gen_random_uuid(), (%(tenants)s::uuid[])[d + 1], id, (%(agencies)s::uuid[])[ds],
           'lead', created
    FROM c
)
INSERT INTO case_officer (
    id, tenant_id, case_id, officer_id, position, recused, recusal_reason, recusal_decided_by)
SELECT gen_random_uuid(), (%(tenants)s::uuid[])[d + 1], id, officer, position, false, '', ''
FROM c, LATERAL (VALUES ((%(first_officers)s::uuid[])[ds], 0),
                        ((%(second_officers)s::uuid[])[ds], 1)) AS o(officer, position)
"""


def _districts(server, count: int, public_url: str) -> list[dict]:
    """The districts with the platform's functions: create_tenant, the demo's agencies
    and officers (add_agency), an officer machine client of zhzf each."""
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from tests import support
    from yimen.platform.demo import agency_specs
    from yimen.platform.idp.admin import create_machine_client
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Tenant
    from yimen.tenants.directory.onboarding import add_agency, create_tenant
    from yimen.tenants.directory.rules import division_name

    password_hash = generate_password_hash("Bench@2026")  # one slow hash, shared
    out = []
    started = time.perf_counter()
    for n, division in enumerate(support._current_division_codes()[:count]):
        slug = f"qu{n:03d}"
        province, county = division_name(division)
        with db.new_session() as s:
            tenant = s.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
            if tenant is None:
                defaults = server.app.extensions["yimen.district_defaults"]
                name = province + county
                tenant = create_tenant(s, slug, name, division, public_url, defaults=defaults)
                with tenant_scope(tenant.id):
                    for spec in agency_specs(slug, division, county[0], county):
                        add_agency(s, spec, password_hash=password_hash)
                    row, _ = create_machine_client(
                        s, f"{slug}-officer", "zhzf 办案终端", ["officer"]
                    )
                    row.agency_code = "zhzf"
                    s.commit()
            out.append(
                {"slug": slug, "tenant_id": tenant.id, "division": division, "county": county}
            )
        if (n + 1) % 20 == 0:
            print(
                f"  districts {n + 1}/{count} ({time.perf_counter() - started:.0f} s)", flush=True
            )
    return out


def _district_slots(conn, district: dict, slots: dict) -> None:
    """Appends the district's 20 slots: agency, case-number stem, first two certified
    officers (SHARE: 12 slots for zhzf, the rest for the market, environment and
    emergency bureaus)."""
    from yimen.platform.cases.documents import numbering

    tenant = district["tenant_id"]
    rows = {
        code: (agency_id, prefix, name)
        for agency_id, code, prefix, name in conn.execute(
            "SELECT id, code, doc_prefix, name FROM agency WHERE tenant_id = %s", (tenant,)
        )
    }
    officers: dict[uuid.UUID, list] = {}
    for agency_id, officer_id, username in conn.execute(
        "SELECT agency_id, id, username FROM officer"
        " WHERE tenant_id = %s AND certificate_no IS NOT NULL ORDER BY username",
        (tenant,),
    ):
        officers.setdefault(agency_id, []).append((officer_id, username))
    for code, weight in SHARE:
        agency_id, prefix, name = rows[code]
        stem = (prefix.strip() or name).removesuffix(numbering.WORDS["行政处罚决定书"])
        (first, user1), (second, _) = officers[agency_id][:2]
        for _ in range(weight):
            slots["agencies"].append(agency_id)
            slots["stems"].append(stem + numbering.WORDS[numbering.CASE_NUMBER])
            slots["first_officers"].append(first)
            slots["second_officers"].append(second)
            slots["officers1"].append(user1)


def _search_terms(owner, districts: list[dict]) -> None:
    """case_search_term for the generated cases, what migration 20261207_0180's triggers
    write (its TERMS_OF), loaded as a bulk load is: without its keys, which are built
    afterwards in one sort each (bounded by maintenance_work_mem)."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "migrations/versions"
    spec = importlib.util.spec_from_file_location(
        "terms", next(path.glob("*_20261207_0180_case_search_terms.py"))
    )
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    started = time.perf_counter()
    owner.execute("SET maintenance_work_mem = '512MB'")
    owner.execute("ALTER TABLE case_search_term DROP CONSTRAINT pk_case_search_term")
    owner.execute(
        "ALTER TABLE case_search_term DROP CONSTRAINT fk_case_search_term_case_id_enforcement_case"
    )
    owner.execute(
        "ALTER TABLE case_search_term DROP CONSTRAINT fk_case_search_term_tenant_id_tenant"
    )
    for n, district in enumerate(districts, 1):
        touched = (
            "(SELECT tenant_id, id AS case_id FROM enforcement_case"
            f" WHERE tenant_id = '{district['tenant_id']}')"
        )
        owner.execute(
            "INSERT INTO case_search_term (tenant_id, term, case_id) "
            + migration.TERMS_OF.format(touched=touched)
        )
        if n % 20 == 0:
            took = time.perf_counter() - started
            print(f"  search terms: districts {n}/{len(districts)} ({took:.0f} s)", flush=True)
    owner.execute(
        "ALTER TABLE case_search_term ADD CONSTRAINT pk_case_search_term"
        " PRIMARY KEY (tenant_id, term, case_id)"
    )
    owner.execute(
        "ALTER TABLE case_search_term ADD CONSTRAINT fk_case_search_term_case_id_enforcement_case"
        " FOREIGN KEY (tenant_id, case_id) REFERENCES enforcement_case (tenant_id, id)"
        " ON DELETE CASCADE"
    )
    owner.execute(
        "ALTER TABLE case_search_term ADD CONSTRAINT fk_case_search_term_tenant_id_tenant"
        " FOREIGN KEY (tenant_id) REFERENCES tenant (id) ON DELETE RESTRICT"
    )
    rows = owner.execute(
        "SELECT reltuples::bigint FROM pg_class WHERE relname = 'case_search_term'"
    )
    size = owner.execute("SELECT pg_size_pretty(pg_total_relation_size('case_search_term'))")
    print(
        f"  search terms: ~{rows.fetchone()[0]:,} rows, {size.fetchone()[0]} with its key"
        f" ({time.perf_counter() - started:.0f} s)",
        flush=True,
    )


def generate(database, districts: list[dict], total: int) -> None:
    """`total` cases, set-based in PostgreSQL in chunks of 20,000 rows (bounded memory
    on both sides), as the owner role, progress printed. The rows of a chunk belong to
    all the districts in turn; since one statement under FORCE ROW LEVEL SECURITY can
    write only the tenant it is bound to, the owner lifts FORCE on the three tables it
    fills for the time of the generation and puts it back (the application role, which
    owns nothing, is under RLS either way)."""
    import psycopg

    from yimen.platform.cases.service import today
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.tenants.workflow.service import effective_for

    # case_search_term: the triggers on the first two write the search's bigrams (20261207_0180)
    tables = (
        "enforcement_case",
        "case_party",
        "case_officer",
        "case_participant",
        "case_search_term",
    )
    pools = Pools([d["division"] for d in districts])
    owner = psycopg.connect(database.owner_url.replace("+psycopg", ""), autocommit=True)
    slots: dict[str, list] = {
        k: [] for k in ("agencies", "stems", "first_officers", "second_officers", "officers1")
    }
    pins = []
    for district in districts:
        with owner.transaction():
            owner.execute(
                "select set_config('app.tenant_id', %s, true)", (str(district["tenant_id"]),)
            )
            _district_slots(owner, district, slots)
        with tenant_scope(district["tenant_id"]), db.new_session() as s:
            pins.append(effective_for(s, slots["agencies"][-1], "general").key)
    params = {
        "districts": len(districts),
        "total": total,
        "tenants": [d["tenant_id"] for d in districts],
        "counties": [d["county"] for d in districts],
        "pins": pins,
        "np": len(pools.persons),
        "no": len(pools.orgs),
        "persons": pools.persons,
        "id_numbers": pools.id_numbers,
        "phones": pools.phones,
        "orgs": pools.orgs,
        "org_codes": pools.org_codes,
        "shops": pools.shops,
        "shop_codes": pools.shop_codes,
        "codes": [code for _, code in VIOLATIONS],
        "streets": list(STREETS),
        "violations": [text for text, _ in VIOLATIONS],
        "stages": list(OPEN_STAGES),
        "today": today(),
        **slots,
    }
    chunk, step = 20_000, max(total // 10, 20_000)
    started, shown = time.perf_counter(), 0
    try:
        for table in tables:
            owner.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        # The search's bigrams are written after the cases, in one pass, as a bulk load
        # would (the triggers would write them row set by row set, into a growing key).
        owner.execute("ALTER TABLE enforcement_case DISABLE TRIGGER USER")
        owner.execute("ALTER TABLE case_party DISABLE TRIGGER USER")
        for first in range(1, total + 1, chunk):
            last = min(first + chunk - 1, total)
            owner.execute(GENERATE, params | {"first": first, "last": last})
            if last - shown >= step or last == total:
                shown, took = last, time.perf_counter() - started
                print(
                    f"  cases {last:,}/{total:,} ({took:.0f} s, {last / took:,.0f} cases/s)",
                    flush=True,
                )
        _search_terms(owner, districts)
    finally:
        owner.execute("ALTER TABLE enforcement_case ENABLE TRIGGER USER")
        owner.execute("ALTER TABLE case_party ENABLE TRIGGER USER")
        for table in tables:
            owner.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    started = time.perf_counter()
    for table in tables:
        owner.execute(f"VACUUM ANALYZE {table}")
    owner.close()
    print(f"  VACUUM ANALYZE ({time.perf_counter() - started:.0f} s)", flush=True)


# --- measuring ------------------------------------------------------------------------


class Capture:
    """The statements one request sends (with parameters and time), its transactions
    and pool checkouts, from SQLAlchemy engine and pool events."""

    def __init__(self) -> None:
        from sqlalchemy import event

        from yimen.platform.kernel.db import db

        self.event, self.on = event, False
        self.statements: list[list] = []
        self.begins = self.checkouts = 0
        self.in_sql = 0.0
        started: list[float] = []

        def before(_conn, _cursor, statement, parameters, _context, _many):
            started.append(time.perf_counter())
            if self.on:
                self.statements.append([statement, parameters, 0.0])

        def after(*_):
            took = time.perf_counter() - started.pop()
            self.in_sql += took
            if self.on:
                self.statements[-1][2] = took

        def begin(_conn):
            self.begins += 1

        def checkout(*_):
            self.checkouts += 1

        self.hooks = [
            (db.engine, "before_cursor_execute", before),
            (db.engine, "after_cursor_execute", after),
            (db.engine, "begin", begin),
            (db.engine.pool, "checkout", checkout),
        ]
        for target, name, fn in self.hooks:
            event.listen(target, name, fn)

    def record(self, fn) -> None:
        self.statements, self.begins, self.checkouts = [], 0, 0
        self.on = True
        try:
            fn()
        finally:
            self.on = False

    def close(self) -> None:
        for target, name, fn in self.hooks:
            self.event.remove(target, name, fn)


def _bare(statements: list[list]) -> list[list]:
    """The count and the page statements among what the app sent (one statement where
    the app sends the count as a scalar subquery of the page, two where it does not)."""
    picked = [
        st
        for st in statements
        if "FROM enforcement_case" in st[0]
        and ("count(*)" in st[0] or "LIMIT" in st[0])
        and "case_party.case_id IN" not in st[0]
    ]
    assert len(picked) in (1, 2), [s[0][:80] for s in statements]
    return picked


def _short(statement: str) -> str:
    text = " ".join(statement.split())
    if text.startswith("SELECT") and " FROM " in text:
        head, _, tail = text.partition(" FROM ")
        if len(head) > 40:
            text = head[:30] + " … FROM " + tail
    return text[:130]


def measure(args, app, database, tenant_id, token: dict, label: str, url: str, capture) -> dict:
    client = app.test_client()
    for _ in range(3):  # warm up (and psycopg's prepared statements on both sides)
        r = client.get(url, headers=token)
        assert r.status_code == 200, (url, r.status_code, r.get_data(as_text=True)[:300])
    capture.record(lambda: client.get(url, headers=token))
    statements = list(capture.statements)
    begins, checkouts = capture.begins, capture.checkouts
    bare = _bare(statements)
    total = r.json["total"] if r.is_json else None

    conn = database.connect_as_app()
    tenant = str(tenant_id)

    def replay() -> None:
        with conn.transaction():
            conn.execute("select set_config('app.tenant_id', %s, true)", (tenant,))
            for statement, parameters, _ in bare:
                conn.execute(statement, parameters).fetchall()

    for _ in range(3):
        replay()
    app_ms, sql_ms = [], []
    in_sql = 0.0
    rounds = 5
    for k in range(rounds):
        count = args.repeat // rounds + (1 if k < args.repeat % rounds else 0)
        capture.in_sql = 0.0
        for _ in range(count):
            t = time.perf_counter()
            r = client.get(url, headers=token)
            app_ms.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200
        in_sql += capture.in_sql
        for _ in range(count):
            t = time.perf_counter()
            replay()
            sql_ms.append((time.perf_counter() - t) * 1000)
    conn.close()
    return {
        "label": label,
        "url": url,
        "total": total,
        "app": app_ms,
        "sql": sql_ms,
        "in_sql": in_sql / len(app_ms) * 1000,
        "statements": statements,
        "begins": begins,
        "checkouts": checkouts,
    }


def report(results: list[dict], verbose: bool) -> None:
    print(
        f"  {'query':<26}{'rows':>8}{'app p50':>9}{'p95':>8}{'SQL p50':>9}{'p95':>7}"
        f"{'p95 x':>7}{'stmts':>6}{'tx':>4}{'conn':>5}{'in SQL':>8}"
    )
    for m in results:
        a95, s95 = _percentile(m["app"], 0.95), _percentile(m["sql"], 0.95)
        rows = "" if m["total"] is None else f"{m['total']:,}"
        print(
            f"  {m['label']:<26}{rows:>8}{_percentile(m['app'], 0.5):>9.1f}{a95:>8.1f}"
            f"{_percentile(m['sql'], 0.5):>9.1f}{s95:>7.1f}{a95 / s95:>6.1f}x"
            f"{len(m['statements']):>6}{m['begins']:>4}{m['checkouts']:>5}{m['in_sql']:>7.1f}"
        )
    if verbose:
        for m in results:
            print(f"\n  statements of one request, {m['label']} ({m['url']}), ms:")
            for statement, _, took in m["statements"]:
                print(f"    {took * 1000:7.2f}  {_short(statement)}")


def _keyset(app, token: dict) -> list[tuple[str, str]]:
    """The rows page 50 holds, asked for by `after` (the `next` of page 49) where the
    app pages by keyset; where the list is shorter, the last page by `after`."""
    client = app.test_client()
    first = client.get("/api/v1/cases", headers=token).json
    if "next" not in first:
        return []  # the app before keyset paging
    page = min(49, max(first["pages"] - 1, 1))
    cursor = client.get(f"/api/v1/cases?page={page}", headers=token).json["next"]
    return [(f"after page {page}", f"/api/v1/cases?after={cursor}")] if cursor else []


def profile(app, token: dict, url: str, n: int) -> str:
    """cProfile of n requests: the share waiting on PostgreSQL, the top 15 below the
    WSGI wrappers by cumulative time, the top 12 by own time."""
    from harness import profile_report

    client = app.test_client()

    def request() -> None:
        assert client.get(url, headers=token).status_code == 200

    paths = r"yimen/|marshmallow/schema\.py|orm/session\.py|orm/loading\.py|jwt/|joserfc/|authlib/"
    return profile_report(request, n, f"requests of {url}", paths, own=12)


def _locale(database) -> str:
    with database.connect_as_app() as conn:
        ctype, collate = conn.execute(
            "SELECT datctype, datcollate FROM pg_database WHERE datname = current_database()"
        ).fetchone()
        trgm = conn.execute(
            "SELECT default_version, installed_version FROM pg_available_extensions"
            " WHERE name = 'pg_trgm'"
        ).fetchone()
        version = conn.execute("SHOW server_version").fetchone()[0].split()[0]
    trgm_text = (
        "not available"
        if trgm is None
        else f"available ({trgm[0]}), {'installed' if trgm[1] else 'not installed'}"
    )
    return f"PostgreSQL {version}, LC_CTYPE {ctype}, LC_COLLATE {collate}, pg_trgm {trgm_text}"


class KeptDatabase:
    """support.PostgresDatabase under a fixed name, reused when a run finished it."""

    def __init__(self, cases: int) -> None:
        from tests import support

        self.name = f"yimen_bench_case_list_{cases}"
        self.owner_url = support._dsn_with(self.name, support.OWNER_ROLE)
        self.app_url = support._dsn_with(self.name, support.APP_ROLE)
        self.inner = support.PostgresDatabase()
        self.inner.name, self.inner.owner_url, self.inner.app_url = (
            self.name,
            self.owner_url,
            self.app_url,
        )

    def complete(self) -> bool:
        import psycopg

        from tests import support

        with psycopg.connect(support.PG_ADMIN_DSN, autocommit=True) as conn:
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                (self.name,),
            ).fetchone()
        return bool(row and row[0] == "bench_case_list complete")

    def mark_complete(self) -> None:
        import psycopg

        from tests import support

        with psycopg.connect(support.PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f"COMMENT ON DATABASE {self.name} IS 'bench_case_list complete'")

    def create(self) -> None:
        self.drop()
        self.inner.create()

    def drop(self) -> None:
        self.inner.drop()

    def connect_as_app(self):
        return self.inner.connect_as_app()


def _serve_seeded(database_url: str, var: Path):
    """support.start_live_server without the seeding, for a kept database: seed_demo run
    a second time on PostgreSQL looks the demo's reader client up in a transaction bound
    to no district (begun by its tenant lookup), finds nothing and is refused by RLS
    when it writes it again."""
    import threading

    from werkzeug.serving import make_server

    from tests import support
    from yimen.platform.app import create_app
    from yimen.platform.kernel.config import load_settings

    port = support.free_port()
    url = f"http://127.0.0.1:{port}"
    settings = load_settings(
        var_dir=var,
        database_url=database_url,
        public_url=url,
        broker_url="stub://",
        secret_key="test-secret-key",
    )
    app = create_app(settings)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="live-server")
    thread.start()
    return support.LiveServer(url, app, {"districts": []}, "postgresql", server, thread)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000, help="cases in all 100 districts")
    parser.add_argument("--repeat", type=int, default=50, help="requests per measured query")
    parser.add_argument(
        "--keep-db", action="store_true", help="keep the generated database and reuse it"
    )
    parser.add_argument(
        "--statements", action="store_true", help="list one request's statements with times"
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the officer's first page of the list"
    )
    args = parser.parse_args()

    from harness import postgres_support

    support = postgres_support("bench_case_list")
    if support is None:
        return

    from yimen.platform.api.limits import limiter
    from yimen.platform.idp.admin import create_machine_client
    from yimen.platform.kernel.db import db, tenant_scope

    run_started = time.perf_counter()
    if args.keep_db:
        database = KeptDatabase(args.cases)
        fresh = not database.complete()
    else:
        database, fresh = support.PostgresDatabase(), True
    if fresh:
        database.create()
        os.environ["YIMEN_DB_APP_ROLE"] = support.APP_ROLE
    else:
        os.environ["YIMEN_DB_APP_ROLE"] = support.APP_ROLE
        support.upgrade(database.owner_url)
    print(
        f"\nCase list, {args.cases:,} cases in {DISTRICTS} districts, database {database.name}"
        + (" (kept)" if args.keep_db else " (dropped at the end)")
        + ("" if fresh else ", reused"),
        flush=True,
    )
    server = capture = None
    try:
        limiter.enabled = False
        var = Path(tempfile.mkdtemp(prefix="yimen-bench-"))
        server = (
            support.start_live_server(database.app_url, var, "postgresql")
            if fresh
            else _serve_seeded(database.app_url, var)
        )
        app = server.app
        started = time.perf_counter()
        districts = _districts(server, DISTRICTS, server.url)
        if fresh:
            generate(database, districts, args.cases)
            if args.keep_db:
                database.mark_complete()
            print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
        print(_locale(database))

        district = districts[MEASURED]
        tokens = {}
        for who, roles, agency in (
            ("officer", ["officer"], "zhzf"),
            ("district", ["legal_affairs"], "sfj"),
        ):
            client_id = f"{district['slug']}-{who}-{uuid.uuid4().hex[:6]}"
            with tenant_scope(district["tenant_id"]), db.new_session() as s:
                row, secret = create_machine_client(s, client_id, f"bench {who}", roles)
                row.agency_code = agency
                s.commit()
            tokens[who] = (client_id, secret)

        with database.connect_as_app() as conn, conn.transaction():
            conn.execute(
                "select set_config('app.tenant_id', %s, true)", (str(district["tenant_id"]),)
            )
            # The commonest two-character name among the parties of zhzf's cases.
            (name,) = conn.execute(
                "SELECT p.name FROM case_party p JOIN enforcement_case c ON c.id = p.case_id"
                " JOIN agency a ON a.id = c.agency_id WHERE a.code = 'zhzf'"
                " AND p.kind = 'person' AND char_length(p.name) = 2"
                " GROUP BY p.name ORDER BY count(*) DESC, p.name LIMIT 1"
            ).fetchone()
        queries = [
            ("list", "/api/v1/cases"),
            ("search, 2 characters", f"/api/v1/cases?q={name}"),
            ("overdue", "/api/v1/cases?overdue=true"),
            ("page 50", "/api/v1/cases?page=50"),
            ("console search", f"/console/cases/?q={name}"),
        ]
        capture = Capture()
        for who, scope in (
            ("officer", "an officer of zhzf (agency bound)"),
            ("district", "the legal-affairs office (district wide)"),
        ):
            token = {
                "Authorization": "Bearer " + server.client_token(district["slug"], *tokens[who])
            }
            print(
                f"\n{district['slug']} as {scope}, {args.repeat} requests each, search for"
                f" the party name {name}, ms:",
                flush=True,
            )
            results = [
                measure(args, app, database, district["tenant_id"], token, label, url, capture)
                for label, url in queries + _keyset(app, token)
            ]
            report(results, args.statements)
            if args.profile and who == "officer":
                print("\ncProfile, the officer's list, first page:")
                print(profile(app, token, "/api/v1/cases", args.repeat))
        print(
            "\np95 x: app p95 ÷ bare SQL p95 (count + page, one transaction, same RLS binding);"
            " stmts/tx/conn: statements, transactions and pool checkouts of one request;"
            " in SQL: mean ms of a request spent inside statement execution"
        )
        print(f"run took {time.perf_counter() - run_started:.0f} s")
    finally:
        if capture is not None:
            capture.close()
        if server is not None:
            server.stop()
        db.remove()
        if db.engine is not None:
            db.engine.dispose()
        if not args.keep_db:
            database.drop()


if __name__ == "__main__":
    main()
