"""What the CBAM package takes from the operator because the registry does not hold it (a form).

The registry holds the installation's name, its region, its enterprise and contact, and its sector; it
does not hold a street address, a UN/LOCODE, coordinates, the operator's postal address, which fuels feed a
captive power plant, or the purchased precursors of a products plant. Those come here, are checked all at
once (every bad value named, nothing built), and what is still empty is listed as a gap of the package.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from carbonpeak.errors import InputError, ValidationFailed

FORM = "cbam-form"  # the ``file`` an error names: the package's form (web, API query or CLI options)

# UN/LOCODE: two letters of the country and three of the place (letters and the digits 2-9), as the
# CTI's A_InstData "UNLOCODE:" field takes it; a space between the two parts is accepted.
_UNLOCODE = re.compile(r"^[A-Z]{2} ?[A-Z2-9]{3}$")
_CN_CODE = re.compile(r"^76\d{2}(\d{2}){0,2}$")  # chapter 76 (aluminium), 4, 6 or 8 digits
_FUEL_CODE = re.compile(r"^[a-z0-9_]+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class InstallationForm:
    """The operator's entries, as text (what a form or an option gives); empty means not given."""

    street_number: str = ""
    post_code: str = ""
    po_box: str = ""
    unlocode: str = ""
    latitude: str = ""
    longitude: str = ""
    operator_address: str = ""
    electricity_fuels: str = ""  # fuel codes of the record's fuel lines that feed electricity production
    cn_code: str = ""  # an aluminium products plant's good (7603-7616); unwrought aluminium is 7601
    precursor_mass_t: str = ""  # unwrought aluminium bought and consumed over the period [t]
    precursor_country: str = ""  # where it was produced (ISO 3166 alpha-2)
    precursor_see: str = ""  # the supplier's actual SEE (direct) [t CO2e/t]; empty: the default value
    precursor_see_source: str = ""  # the supplier's communication it comes from

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> InstallationForm:
        names = {f.name for f in fields(cls)}
        return cls(**{k: str(v).strip() for k, v in values.items() if k in names and v is not None})

    def as_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class CheckedForm:
    """The form's values, checked and in their units."""

    entries: InstallationForm
    latitude: str | None  # six decimals (Art. 10 of Regulation (EU) 2023/956)
    longitude: str | None
    unlocode: str | None
    electricity_fuels: frozenset[str]
    cn_code: str | None
    precursor_mass_t: float | None
    precursor_country: str | None
    precursor_see: float | None


def check(form: InstallationForm) -> CheckedForm:
    """Every bad value at once (ValidationFailed naming each field and what it expects), else the values."""
    errors: list[InputError] = []
    latitude = _coordinate(form.latitude, "latitude", 90.0, errors)
    longitude = _coordinate(form.longitude, "longitude", 180.0, errors)
    unlocode = form.unlocode.upper() or None
    if unlocode and not _UNLOCODE.match(unlocode):
        errors.append(_bad("unlocode", form.unlocode, "cbam.expected_unlocode"))
    fuels = frozenset(f.strip() for f in form.electricity_fuels.replace(";", ",").split(",") if f.strip())
    for fuel in sorted(fuels):
        if not _FUEL_CODE.match(fuel):
            errors.append(_bad("electricity_fuels", fuel, "cbam.expected_fuel_code"))
    cn_code = form.cn_code.replace(" ", "") or None
    if cn_code and not _CN_CODE.match(cn_code):
        errors.append(_bad("cn_code", form.cn_code, "cbam.expected_cn_code"))
    mass = _number(form.precursor_mass_t, "precursor_mass_t", errors, positive=True)
    see = _number(form.precursor_see, "precursor_see", errors, positive=False)
    country = form.precursor_country.upper() or None
    if country and not _COUNTRY.match(country):
        errors.append(_bad("precursor_country", form.precursor_country, "cbam.expected_country"))
    if errors:
        raise ValidationFailed(errors, file=FORM)
    return CheckedForm(form, latitude, longitude, unlocode, fuels, cn_code, mass, country, see)


def _bad(field: str, value: str, expected: str) -> InputError:
    from carbonpeak.messages import Message

    return InputError(code="cbam.bad_value", file=FORM, field=field, value=value, expected=Message(expected))


def _coordinate(text: str, field: str, limit: float, errors: list[InputError]) -> str | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > limit:
        errors.append(_bad(field, text, f"cbam.expected_{field}"))
        return None
    return f"{value:.6f}"


def _number(text: str, field: str, errors: list[InputError], *, positive: bool) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        errors.append(_bad(field, text, "cbam.expected_positive" if positive else "cbam.expected_non_negative"))
        return None
    return value
