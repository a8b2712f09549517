"""The roles file and what one person's access lets through (access.py).

Every expectation is written out by hand from the file in the test."""

from __future__ import annotations

from typing import NamedTuple

import polars as pl
import pytest

from purpose_metrics.access import LOCAL, Access, parse_roles
from purpose_metrics.errors import UsageError

ROLES = """
admin_contact = "data-team@example.com"
group_claim = "roles"

[[grant]]
email = "Ops@Example.com"
role = "admin"

[[grant]]
email = "ceo@example.com"
role = "executive"

[[grant]]
group = "brand-hearth"
role = "brand"
brands = ["hearth"]

[[grant]]
email = "analyst@example.com"
role = "viewer"
brands = ["alpine", "stride"]
company = true

[[grant]]
email = "hr@example.com"
role = "viewer"
brands = "*"
people = true
"""


@pytest.fixture
def roles():
    return parse_roles(ROLES)


def test_a_person_gets_the_grant_of_their_email_in_any_case(roles):
    me = roles.resolve("ops@EXAMPLE.com")
    assert (me.role, me.admin, me.brands, me.company, me.people) == ("admin", True, None, True, True)
    ceo = roles.resolve("ceo@example.com")
    assert (ceo.role, ceo.admin, ceo.brands, ceo.company, ceo.people) == (
        "executive",
        False,
        None,
        True,
        True,
    )


def test_a_brand_role_reaches_its_brands_only_and_not_the_company_or_people_unless_granted(roles):
    lead = roles.resolve("lead@example.com", ["staff", "brand-hearth"])
    assert (lead.role, lead.brands, lead.company, lead.people, lead.admin) == (
        "brand", frozenset({"hearth"}), False, False, False,
    )  # fmt: skip
    assert [s for s in ["company", "alpine", "hearth", "stride"] if lead.sees(s)] == ["hearth"]
    assert lead.visible(["company", "alpine", "hearth"]) == ["hearth"]


def test_grants_that_match_one_person_add_up(roles):
    # analyst: viewer of alpine + stride with the company; also in the hearth group.
    both = roles.resolve("analyst@example.com", ["brand-hearth"])
    assert both.role == "brand"  # the higher of brand and viewer
    assert both.brands == frozenset({"alpine", "stride", "hearth"})
    assert (both.company, both.people) == (True, False)
    # hr: every brand ("*") and people, but not the company.
    hr = roles.resolve("hr@example.com")
    assert (hr.brands, hr.company, hr.people) == (None, False, True)
    assert hr.visible(["company", "alpine", "tiny"]) == ["alpine", "tiny"]


def test_nobody_the_file_does_not_name_gets_anything(roles):
    assert roles.resolve("stranger@example.com", ["staff"]) is None
    assert roles.resolve(None, []) is None
    assert roles.admin_contact == "data-team@example.com"
    assert roles.group_claim == "roles"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[[grant]]\nemail = "a@b.c"\nrole = "owner"', "grant 1: role must be one of admin, executive, brand, viewer"),
        ('[[grant]]\ngroup = "g"\nrole = "brand"', "grant 1: a brand grant lists its brands"),
        ('[[grant]]\ngroup = "g"\nrole = "brand"\nbrands = []', "grant 1: a brand grant lists its brands"),
        ('[[grant]]\nrole = "executive"', "grant 1: a grant names an email or a group"),
        ('[[grant]]\nemail = "a@b.c"\nrole = "admin"\nbrands = ["x"]', "grant 1: an admin sees every brand"),
        ('[[grant]]\nemail = "a@b.c"\nrole = "viewer"\nbrands = "*"\npeople = "yes"', "grant 1: people must be true or false"),
        ('[[grant]]\nemail = "a@b.c"\nrole = "admin"\n[[grant]]\nemail = "x"\nrole = "viewer"\nbrand = ["x"]',
         "grant 2: unknown key 'brand'"),
        ('admins = ["a@b.c"]', "unknown key 'admins'"),
        ("[[grant]\n", "not valid TOML"),
    ],
)  # fmt: skip
def test_a_wrong_roles_file_is_refused_naming_the_grant_and_the_key(text, says):
    with pytest.raises(UsageError) as err:
        parse_roles(text, "access.toml")
    assert says in str(err.value)
    assert str(err.value).startswith("access.toml")


class Window(NamedTuple):
    label: str
    rows: pl.DataFrame


def _kpis() -> pl.DataFrame:
    return pl.DataFrame({
        "scope": ["company", "alpine", "hearth", "hearth", "stride"],
        "metric_id": ["net_revenue", "net_revenue", "net_revenue", "enps", "net_revenue"],
        "value": [100.0, 40.0, 35.0, 12.0, 25.0],
    })  # fmt: skip


def test_restrict_keeps_the_rows_of_the_scopes_a_person_sees():
    lead = Access("lead", "brand", brands=frozenset({"hearth"}), company=False, people=False)
    got = lead.restrict(_kpis())
    # hearth's revenue only: not the company, not other brands, not its eNPS (no people).
    assert got.rows() == [("hearth", "net_revenue", 35.0)]
    viewer = Access("v", "viewer", brands=frozenset({"alpine"}), company=True, people=True)
    assert viewer.restrict(_kpis())["value"].to_list() == [100.0, 40.0]


def test_restrict_goes_into_tuples_and_keeps_their_type_and_a_frame_by_brand_id():
    teams = pl.DataFrame({"brand_id": [None, "alpine", "hearth"], "team": ["finance", "store", "store"]})
    lead = Access("lead", "brand", brands=frozenset({"hearth"}), company=False, people=True)
    out = lead.restrict((Window("13 weeks", _kpis()), teams, "text"))
    assert isinstance(out[0], Window) and out[0].label == "13 weeks"
    assert out[0].rows["scope"].to_list() == ["hearth", "hearth"]
    # A team without a brand is company-wide: hidden without the company.
    assert out[1]["team"].to_list() == ["store"] and out[1]["brand_id"].to_list() == ["hearth"]
    assert out[2] == "text"
    with_company = Access("c", "viewer", brands=frozenset({"hearth"}), company=True, people=True)
    assert with_company.restrict(teams)["team"].to_list() == ["finance", "store"]


def test_local_mode_sees_everything_as_it_is():
    frame = _kpis()
    assert LOCAL.restrict(frame) is frame
    assert LOCAL.admin and LOCAL.visible(["company", "x"]) == ["company", "x"]
