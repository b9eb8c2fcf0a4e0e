"""The shape of a country's data, and the invariants every country file must satisfy.

The models are frozen and validated once at load time, so code reading them can trust them: a file
that lists a discontinued method, puts a credit option first or enables American Express by default
does not load at all.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal, Self

from inkasso._iso import COUNTRIES, CURRENCY_DIGITS
from inkasso.types import DebtorType
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator, model_validator

#: How a payment method relates to credit, in the order the pay page must show them. Finland's
#: Consumer Protection Act (6:12 b) requires exactly these three tiers in this order; applying it
#: everywhere also satisfies Sweden (credit never first) and DOMAIN.md's "pay now first".
#: "none": can never be paid with credit (bank debit, bank transfer, account-to-account apps).
#: "possible": may be paid with credit (a card may be a credit card; wallets hold cards).
#: "always": is credit or a payment deferral (pay later, instalments by a lender).
CreditExposure = Literal["none", "possible", "always"]
CREDIT_ORDER: dict[CreditExposure, int] = {"none": 0, "possible": 1, "always": 2}

#: What the debtor does: pay at once, take credit, push a bank transfer, or use a wallet app.
MethodKind = Literal["pay_now", "credit", "bank_transfer", "wallet"]

#: The QR code the pay page can print for a banking app: EPC069-12 ("GiroCode"), the Swiss
#: QR-bill (SPC 0200), or none.
QrStandard = Literal["epc", "swiss_qr_bill", "none"]

#: How a bank transfer is matched to its claim. Countries list the schemes they accept, preferred first.
#: "rf": ISO 11649 creditor reference (RF + 2 check digits + up to 21 characters); the only
#:   structured reference an EPC QR code can carry.
#: "qr_reference": Swiss 27-digit QR reference (mod 10 recursive); only with a QR-IBAN.
#: "kid": Norwegian KID number (mod 10 or mod 11); needs the creditor's KID agreement with its bank.
#: "ocr": Swedish Bankgiro/Plusgiro OCR reference (Luhn); needs the creditor's OCR agreement.
#: "fi_national": Finnish national reference (viitenumero, 7-3-1 check digit).
#: "be_structured": Belgian structured communication +++123/4567/89012+++ (mod 97).
#: "dk_fik": Danish FI payment line (+71/+73/+75 FI-kort); needs the creditor's FI creditor number.
#: "free_text": no structured scheme; our reference goes into the free remittance text.
#: "none": transfers are not offered, so there is nothing to match.
ReferenceScheme = Literal[
    "rf", "qr_reference", "kid", "ocr", "fi_national", "be_structured", "dk_fik", "free_text", "none"
]

#: Card brand ids as Stripe names them in `card.brand` (stripe-python 16.1.0).
CardBrand = Literal["visa", "mastercard", "amex", "cartes_bancaires", "diners", "discover", "jcb", "unionpay"]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

#: Gone, so never listed (DOMAIN.md): giropay ended in June 2024, Sofort on Stripe in March 2025. Our
#: ids and the provider type names that carried them (Adyen called Sofort `directEbanking`).
DISCONTINUED_METHODS: frozenset[str] = frozenset({"giropay", "sofort", "directEbanking"})

#: Brands a creditor may switch on but no country enables by default: American Express excludes the
#: collection of delinquent accounts in its merchant rules (DOMAIN.md).
OPT_IN_CARD_BRANDS: frozenset[str] = frozenset({"amex"})

#: The fallback's locale: CLDR's "English (World)", because `en_<code>` is not a locale for most codes.
FALLBACK_LOCALE = "en_001"

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_TIMEZONE = re.compile(r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$")

NonEmptyStr = Annotated[str, Field(min_length=1)]
Count = Annotated[StrictInt, Field(ge=0)]


class _Frozen(BaseModel):
    # extra="forbid": a misspelt key in a country file is an error, not a silently ignored default.
    model_config = ConfigDict(frozen=True, extra="forbid")


def _check_currencies(values: frozenset[str] | None) -> frozenset[str] | None:
    if values is not None:
        unknown = sorted(values - CURRENCY_DIGITS.keys())
        if unknown or not values:
            raise ValueError(f"unknown or empty currencies: {unknown}")
    return values


class Method(_Frozen):
    """A way to pay, with the names the providers use for it. Countries list methods by `id`."""

    id: str
    """Our id, stable across providers (`sepa_debit`, `ideal`, `twint`, ...)."""
    label: NonEmptyStr
    """Display name as the brand writes it (`iDEAL | Wero`, `TWINT`, `eps`); generic ones are translated."""
    kind: MethodKind
    credit: CreditExposure
    """Whether paying this way can involve credit; decides the display order."""
    stripe: str | None = None
    """Stripe's `payment_method_types` name, or None (omitted in the file) where Stripe has none.
    Apple Pay and Google Pay are `card` on Stripe (reported as a card with `wallet.type`)."""
    adyen: str | None = None
    """Adyen's payment method `type`, or None (omitted in the file) where Adyen has none."""
    currencies: frozenset[str] | None = None
    """Currencies this method can be paid in; None means any (cards, our own bank transfer details)."""
    recurring: StrictBool
    """Can be charged again without the debtor present, so an instalment plan can run on it."""
    reversible_after_collection: StrictBool = False
    """The payer can reverse a collected payment (SEPA: 8 weeks): a plan instalment is not final yet."""
    customer_types: frozenset[DebtorType]
    source: NonEmptyStr
    """Where the provider type names and properties were checked."""

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"method id {value!r} must be lower_snake_case")
        return value

    @field_validator("currencies")
    @classmethod
    def _known_currencies(cls, value: frozenset[str] | None) -> frozenset[str] | None:
        return _check_currencies(value)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        names = {name for name in (self.id, self.stripe, self.adyen) if name is not None}
        if names & DISCONTINUED_METHODS:
            raise ValueError(f"method {self.id!r} is discontinued: {sorted(names & DISCONTINUED_METHODS)}")
        if (self.kind == "credit") != (self.credit == "always"):
            raise ValueError(f"method {self.id!r}: kind 'credit' and credit 'always' go together")
        if not self.customer_types:
            raise ValueError(f"method {self.id!r} serves no customer type")
        return self


class HolidaysCalendar(_Frozen):
    """The calendar in the `holidays` package: `holidays.country_holidays(country, subdiv=subdivision)`."""

    country: str
    subdivision: str | None = None
    """Regional holidays differ (German Länder, Swiss cantons, UK nations, US states); the engine should
    use the debtor's subdivision when it knows it."""


class ContactHours(_Frozen):
    """When the engine may send messages: from `start` up to (not including) `end`, on `days`, in the
    country's local time (or the debtor's, where known)."""

    start: dt.time
    end: dt.time
    days: frozenset[Weekday]
    public_holidays: StrictBool = False
    """Whether contact on public holidays is allowed; the conservative default is no."""
    statutory: StrictBool
    """True when the hours come from law; False when they are our conservative default."""
    source: NonEmptyStr
    verified: StrictBool

    @model_validator(mode="after")
    def _window(self) -> Self:
        if not self.start < self.end:
            raise ValueError("contact hours must start before they end")
        if not self.days:
            raise ValueError("contact hours need at least one day")
        return self


class Instalments(_Frozen):
    """Self-service payment plans on the pay page (our policy defaults; a creditor may narrow them)."""

    allowed: StrictBool
    min_instalment: Count
    """Smallest instalment, in minor units of the country's currency."""
    max_months: Count

    @model_validator(mode="after")
    def _sane(self) -> Self:
        if self.allowed and (self.min_instalment == 0 or self.max_months < 2):
            raise ValueError("allowed instalments need a minimum above 0 and at least 2 months")
        return self


class Rule(_Frozen):
    """A legal rule: dated, sourced, and marked verified only if someone checked the source.

    An unverified rule is not applied silently: the portal shows the creditor a warning (DOMAIN.md).
    """

    source: NonEmptyStr
    """Statute and section."""
    applies_from: dt.date
    verified: StrictBool
    customer_types: frozenset[DebtorType]
    """Whom the rule protects; most consumer rules do not apply to businesses."""
    note: str = ""

    def in_force(self, on: dt.date) -> bool:
        """True from `applies_from` on. The caller passes the day: the domain reads no clock."""
        return on >= self.applies_from

    def applies_to(self, customer_type: DebtorType) -> bool:
        return customer_type in self.customer_types


class Notice(Rule):
    """Information the pay page or the messages must show."""

    key: str

    @field_validator("key")
    @classmethod
    def _key_shape(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"notice key {value!r} must be lower_snake_case")
        return value


class BoolRule(Rule):
    value: StrictBool


class CountRule(Rule):
    value: Count


class Legal(_Frozen):
    """Only what could be sourced. Interest rates and fee amounts are deliberately absent."""

    notices: tuple[Notice, ...] = ()
    consumer_collection_costs_allowed: BoolRule | None = None
    """None: not researched, so the engine must not charge collection costs on its own accord."""
    waiting_period_days: CountRule | None = None
    """Days after the qualifying reminder before collection costs may be charged."""
    payment_method_order: Rule | None = None
    """A statute on the order of payment methods (credit not first, nothing pre-selected)."""
    max_calls_in_7_days: CountRule | None = None

    def rules(self) -> dict[str, Rule]:
        """Every rule by a readable name, notices as `notice:<key>`."""
        named: dict[str, Rule | None] = {
            "consumer_collection_costs_allowed": self.consumer_collection_costs_allowed,
            "waiting_period_days": self.waiting_period_days,
            "payment_method_order": self.payment_method_order,
            "max_calls_in_7_days": self.max_calls_in_7_days,
        }
        found = {name: rule for name, rule in named.items() if rule is not None}
        found.update({f"notice:{notice.key}": notice for notice in self.notices})
        return found


class Country(_Frozen):
    """Everything the pay page and the engine need to know about a debtor's country."""

    code: str
    """ISO 3166-1 alpha-2, upper case."""
    name: NonEmptyStr
    """English name; the edge shows the localized one."""
    currency: str | None
    """ISO 4217; None only in the fallback for a country without a file, whose currency we do not know."""
    languages: tuple[str, ...]
    """Pay-page languages in order; the first is the default."""
    default_locale: str
    """Babel locale id, `<first language>_<code>` (`de_CH`, `nl_BE`); `en_001` in the fallback."""
    timezone: str
    """IANA zone for contact hours; for countries with several zones the debtor's own zone wins."""
    qr_standard: QrStandard
    transfer_reference: tuple[ReferenceScheme, ...]
    """Reference schemes for matching a bank transfer, preferred first."""
    holidays_calendar: HolidaysCalendar | None
    contact_hours: ContactHours
    instalments: Instalments
    pause_max_days: Count
    """Longest pause a debtor can ask for on the pay page."""
    methods: tuple[Method, ...]
    """In display order: never-credit first, then may-be-credit, then credit."""
    card_brands: tuple[CardBrand, ...]
    """Brands enabled by default; a creditor can change this (American Express is opt-in only)."""
    legal: Legal = Legal()
    has_rules: StrictBool = True
    """False for the fallback used when the debtor's country has no file: the portal warns."""

    @field_validator("code")
    @classmethod
    def _iso_country(cls, value: str) -> str:
        if value not in COUNTRIES:
            raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 code")
        return value

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str | None) -> str | None:
        if value is not None and value not in CURRENCY_DIGITS:
            raise ValueError(f"{value!r} is not an ISO 4217 currency")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone_shape(cls, value: str) -> str:
        # Shape only: resolving the zone reads the tz database, which is IO; a test resolves every one.
        if not _TIMEZONE.match(value):
            raise ValueError(f"{value!r} is not an IANA time zone name")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.currency is None and self.has_rules:
            raise ValueError("a country file must name its currency")
        self._check_languages()
        self._check_transfers()
        self._check_methods()
        self._check_cards()
        return self

    def _check_languages(self) -> None:
        if not self.languages or len(set(self.languages)) != len(self.languages):
            raise ValueError("languages must be a non-empty list without repeats")
        bad = [language for language in self.languages if not _LANGUAGE.match(language)]
        if bad:
            raise ValueError(f"languages must be lower-case ISO 639 codes: {bad}")
        expected = f"{self.languages[0]}_{self.code}" if self.has_rules else FALLBACK_LOCALE
        if self.default_locale != expected:
            raise ValueError(f"default_locale must be {expected}, not {self.default_locale!r}")

    def _check_transfers(self) -> None:
        schemes = self.transfer_reference
        if not schemes or len(set(schemes)) != len(schemes):
            raise ValueError("transfer_reference must be a non-empty list without repeats")
        offers_transfer = any(method.kind == "bank_transfer" for method in self.methods)
        if offers_transfer == ("none" in schemes):
            raise ValueError("transfer_reference is 'none' exactly when no bank transfer method is listed")
        if self.qr_standard == "epc" and (self.currency != "EUR" or "rf" not in schemes):
            # EPC069-12 carries amounts in EUR only, and RF is its only structured reference.
            raise ValueError("an EPC QR code needs EUR and the 'rf' reference")
        if self.qr_standard == "swiss_qr_bill" and not set(schemes) <= {"qr_reference", "rf", "free_text"}:
            raise ValueError("a Swiss QR-bill carries a QR reference, an RF reference or free text")

    def _check_methods(self) -> None:
        ids = [method.id for method in self.methods]
        if not ids or len(set(ids)) != len(ids):
            raise ValueError("methods must be a non-empty list without repeats")
        tiers = [CREDIT_ORDER[method.credit] for method in self.methods]
        if tiers != sorted(tiers):
            raise ValueError(f"methods must be ordered never-credit, may-be-credit, credit: {ids}")
        if self.currency is not None and not any(
            method.currencies is None or self.currency in method.currencies for method in self.methods
        ):
            raise ValueError(f"no method accepts the country's currency {self.currency}")

    def _check_cards(self) -> None:
        brands = set(self.card_brands)
        if len(brands) != len(self.card_brands):
            raise ValueError("card_brands repeats a brand")
        if brands & OPT_IN_CARD_BRANDS:
            raise ValueError(f"{sorted(brands & OPT_IN_CARD_BRANDS)} may only be enabled by a creditor, not by default")
        if any(method.id == "card" for method in self.methods) and not brands:
            raise ValueError("a country that lists cards needs default card_brands")

    def method(self, method_id: str) -> Method | None:
        return next((method for method in self.methods if method.id == method_id), None)

    def unverified_rules(self) -> dict[str, Rule | ContactHours]:
        """What the portal must warn about: legal rules and contact hours nobody has checked."""
        found: dict[str, Rule | ContactHours] = {
            name: rule for name, rule in self.legal.rules().items() if not rule.verified
        }
        if not self.contact_hours.verified:
            found["contact_hours"] = self.contact_hours
        return found
