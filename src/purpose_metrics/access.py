"""Who may see what: the roles file, and what one person's access allows.

The roles file (`access.toml`, its path in $PURPOSE_METRICS_ACCESS) maps a
signed-in person, by email or by a group claim of the identity provider, to
a role:

    admin_contact = "data-team@example.com"   # shown to people the file does not name
    group_claim = "groups"                    # the ID-token claim that lists groups (default)

    [[grant]]
    email = "ana@example.com"
    role = "executive"

    [[grant]]
    group = "brand-verde"
    role = "brand"
    brands = ["verde"]

    [[grant]]
    email = "analyst@example.com"
    role = "viewer"
    brands = ["verde", "gala"]   # or "*" for every brand
    company = true               # the company-wide numbers too
    people = false               # employee-survey numbers (the People page)

Roles:
- `admin`: everything, imports, the database URL and the audit log.
- `executive`: the company and every brand, People included; no imports.
- `brand`: its `brands` only; the company only with `company = true`,
  People only with `people = true`.
- `viewer`: what its grant lists (`brands`, `company`, `people`).

Several grants that match one person add up (the union). A person no grant
names has no access at all (default deny).

`Access.restrict` is the one rule applied to everything a page shows: a
frame keeps the rows of the scopes (`scope` column) and brands (`brand_id`
column) the person may see. This module never imports Streamlit.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from .catalog import METRICS
from .errors import UsageError

ENV_ACCESS = "PURPOSE_METRICS_ACCESS"
ROLES = ("admin", "executive", "brand", "viewer")
COMPANY = "company"
DEFAULT_GROUP_CLAIM = "groups"
_GRANT_KEYS = {"email", "group", "role", "brands", "company", "people"}
_FILE_KEYS = {"admin_contact", "group_claim", "grant"}
# The employee-survey and workforce numbers (the People pillar): only for
# access with `people`.
PEOPLE_METRICS = frozenset(m.id for m in METRICS if m.pillar == "People")


class AccessDenied(Exception):
    """Something a person's access does not allow (the message says what)."""


@dataclass(frozen=True)
class Access:
    """What one person may see and do.

    `brands` None means every brand (of whatever data is loaded)."""

    who: str
    role: str
    brands: frozenset[str] | None = None
    company: bool = True
    people: bool = True
    admin: bool = False

    # --- scopes ---------------------------------------------------------------

    def sees(self, scope: str | None) -> bool:
        """May this person see `scope` ("company" or a brand id)?"""
        if scope is None:
            return False
        if scope == COMPANY:
            return self.company
        return self.brands is None or scope in self.brands

    def visible(self, scopes: Iterable[str]) -> list[str]:
        """`scopes` without the ones this person may not see (order kept)."""
        return [s for s in scopes if self.sees(s)]

    @property
    def every_brand(self) -> bool:
        return self.brands is None

    def describe(self) -> str:
        """'brand · Gala, Verde · the company · no People': the role and what
        it reaches, for the sidebar."""
        parts = [self.role]
        if self.brands is not None:
            parts.append(", ".join(sorted(self.brands)) or "no brand")
        if self.brands is not None or self.role == "viewer":
            parts.append("the company" if self.company else "not the company")
        if not self.people:
            parts.append("no People")
        return " · ".join(parts)

    # --- what a page shows ----------------------------------------------------

    def restrict(self, value: Any) -> Any:
        """`value` with every row this person may not see removed: frames by
        their `scope` and `brand_id` columns, tuples, lists and dicts item by
        item; anything else as it is."""
        if isinstance(value, pl.DataFrame):
            return self._frame(value)
        if isinstance(value, tuple):
            items = [self.restrict(v) for v in value]
            return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
        if isinstance(value, list):
            return [self.restrict(v) for v in value]
        if isinstance(value, dict):
            return {k: self.restrict(v) for k, v in value.items()}
        return value

    def _frame(self, frame: pl.DataFrame) -> pl.DataFrame:
        if self.brands is None and self.company and self.people:
            return frame
        keep = pl.lit(True)
        if not self.people and "metric_id" in frame.columns and frame.schema["metric_id"] == pl.String:
            keep = keep & ~pl.col("metric_id").is_in(sorted(PEOPLE_METRICS))
        if "scope" in frame.columns and frame.schema["scope"] == pl.String:
            scope = pl.col("scope")
            brand_ok = pl.lit(True) if self.brands is None else scope.is_in(sorted(self.brands))
            keep = keep & pl.when(scope == COMPANY).then(pl.lit(self.company)).otherwise(brand_ok)
        if "brand_id" in frame.columns and frame.schema["brand_id"] == pl.String:
            brand_ok = pl.lit(True) if self.brands is None else pl.col("brand_id").is_in(sorted(self.brands))
            # A row without a brand is company-wide: only with the company.
            keep = keep & pl.when(pl.col("brand_id").is_null()).then(pl.lit(self.company)).otherwise(brand_ok)
        return frame.filter(keep)


LOCAL = Access(who="local", role="local", admin=True)
"""No sign-in, served on this machine only: the person at the keyboard."""

ANONYMOUS = Access(who="anonymous", role="anonymous")
"""No sign-in, served on the network by explicit choice: read everything, import nothing."""


@dataclass(frozen=True)
class Grant:
    """One [[grant]] of the roles file."""

    role: str
    email: str | None = None
    group: str | None = None
    brands: frozenset[str] | None = None  # None: every brand
    company: bool = False
    people: bool = False

    def matches(self, email: str | None, groups: Sequence[str]) -> bool:
        if self.email is not None and email is not None and self.email == email.strip().lower():
            return True
        return self.group is not None and self.group in groups


@dataclass(frozen=True)
class Roles:
    """The parsed roles file."""

    grants: tuple[Grant, ...] = ()
    admin_contact: str | None = None
    group_claim: str = DEFAULT_GROUP_CLAIM
    source: str = ""

    def resolve(self, email: str | None, groups: Iterable[str] = ()) -> Access | None:
        """The access of a person (the union of every grant naming their
        email or one of their groups), or None: no grant names them."""
        groups = [str(g) for g in groups]
        mine = [g for g in self.grants if g.matches(email, groups)]
        if not mine:
            return None
        order = {r: i for i, r in enumerate(ROLES)}
        role = min((g.role for g in mine), key=order.__getitem__)
        brands: frozenset[str] | None = frozenset()
        for g in mine:
            brands = None if brands is None or g.brands is None else brands | g.brands
        return Access(
            who=(email or "").strip().lower() or "unknown",
            role=role,
            brands=brands,
            company=any(g.company for g in mine),
            people=any(g.people for g in mine),
            admin=any(g.role == "admin" for g in mine),
        )


def _grant(raw: Any, where: str) -> Grant:
    if not isinstance(raw, dict):
        raise UsageError(f"{where}: a grant is a table of keys ([[grant]])")
    unknown = sorted(set(raw) - _GRANT_KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_GRANT_KEYS))})")
    role = raw.get("role")
    if role not in ROLES:
        raise UsageError(f"{where}: role must be one of {', '.join(ROLES)}, not {role!r}")
    email, group = raw.get("email"), raw.get("group")
    for key, value in (("email", email), ("group", group)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise UsageError(f"{where}: {key} must be a non-empty text")
    if email is None and group is None:
        raise UsageError(f"{where}: a grant names an email or a group")
    for key in ("company", "people"):
        if key in raw and not isinstance(raw[key], bool):
            raise UsageError(f"{where}: {key} must be true or false")
    brands_raw = raw.get("brands")
    if role in ("admin", "executive"):
        if brands_raw is not None:
            raise UsageError(f"{where}: an {role} sees every brand; remove brands")
        return Grant(role, email and email.strip().lower(), group, None, True, True)
    if brands_raw == "*":
        brands = None
    elif isinstance(brands_raw, list) and brands_raw and all(isinstance(b, str) and b for b in brands_raw):
        brands = frozenset(brands_raw)
    else:
        raise UsageError(f'{where}: a {role} grant lists its brands (brands = ["verde"], or "*")')
    return Grant(
        role, email and email.strip().lower(), group, brands,
        company=raw.get("company", False), people=raw.get("people", False),
    )  # fmt: skip


def parse_roles(text: str, source: str = "access.toml") -> Roles:
    """The roles file's text, checked; UsageError names the grant and key."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{source}: not valid TOML ({exc})") from None
    unknown = sorted(set(raw) - _FILE_KEYS)
    if unknown:
        raise UsageError(f"{source}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_FILE_KEYS))})")
    grants = raw.get("grant", [])
    if not isinstance(grants, list):
        raise UsageError(f"{source}: grants are written [[grant]]")
    contact = raw.get("admin_contact")
    claim = raw.get("group_claim", DEFAULT_GROUP_CLAIM)
    if contact is not None and not isinstance(contact, str):
        raise UsageError(f"{source}: admin_contact must be a text")
    if not isinstance(claim, str) or not claim:
        raise UsageError(f"{source}: group_claim must be a non-empty text")
    parsed = tuple(_grant(g, f"{source}: grant {i}") for i, g in enumerate(grants, start=1))
    return Roles(parsed, contact, claim, source)


def roles_path() -> Path | None:
    """The roles file named by $PURPOSE_METRICS_ACCESS, or None when unset."""
    value = os.environ.get(ENV_ACCESS, "").strip()
    return Path(value) if value else None


def load_roles(path: Path) -> Roles:
    """The roles file at `path`; UsageError when it is missing or wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"the roles file {path} cannot be read: {exc.strerror or exc}") from None
    return parse_roles(text, str(path))
