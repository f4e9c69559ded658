"""Messages are codes, translated at the edge: `t(code, **params)` gives the text of `code` in
the reader's language from the catalogues web/translations/{vi,en}/LC_MESSAGES/messages.po
(Vietnamese first, English second; docs/i18n.md says how to add one).

The catalogues are read from the .po files when first needed, not from compiled .mo files:
nothing to build or to go stale, so a fresh clone, `pip install`, `make test` and a helper
running pytest after editing a .po all see the same texts. Flask-Babel is wired to the same
catalogues and the same choice of language (`init_app`), so its gettext, ngettext, lazy
strings and Jinja's `_` agree with `t`.

Placeholders are str.format fields (`{name}`, `{name!r}`), filled after the lookup. A message
that shows a number is a plural entry whose number is the parameter `count`."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import Flask, has_request_context, request, session
from flask_babel import Babel, Domain, LazyString

from engine.errors import EngineError, Message

LANGUAGES = ("vi", "en")
DIRECTORY = Path(__file__).parent / "translations"
DOMAIN = "messages"

log = logging.getLogger(__name__)
_spoken: ContextVar[str | None] = ContextVar("laurel_language", default=None)


@dataclass(frozen=True)
class Catalogue:
    """One language's messages: gettext's lookup, and which codes it has (a missing one
    must fail, not show its code)."""

    translations: Translations
    codes: frozenset[str]
    plurals: frozenset[str]


def catalogue_path(lang: str) -> Path:
    return DIRECTORY / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalogue(lang: str) -> Catalogue:
    with catalogue_path(lang).open("rb") as po:
        messages = read_po(po, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, messages)  # leaves out empty and fuzzy entries, as gettext would
    compiled.seek(0)
    present: set[str] = set()
    plurals: set[str] = set()
    for message in messages:
        if not message.id or message.fuzzy:
            continue
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(texts):
            code = str(message.id[0] if message.pluralizable else message.id)
            present.add(code)
            if message.pluralizable:
                plurals.add(code)
    return Catalogue(Translations(compiled, domain=DOMAIN), frozenset(present), frozenset(plurals))


def language() -> str:
    """The language to speak: one forced by `speaking`, else the one chosen on the pages (kept
    in the session), else `Accept-Language` if it asks for English, else Vietnamese."""
    spoken = _spoken.get()
    if spoken is not None:
        return spoken
    if not has_request_context():
        return "vi"
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(LANGUAGES, default="vi") or "vi"


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Messages in `lang` within the block, whatever the request asked (a terminal's output
    in both languages, say)."""
    if lang not in LANGUAGES:
        raise ValueError(f"no catalogue for language {lang!r}")
    token = _spoken.set(lang)
    try:
        yield
    finally:
        _spoken.reset(token)


def known(code: str) -> bool:
    """Whether the catalogues have a message `code` (codes built from data may not)."""
    return code in catalogue("vi").codes


def codes(prefix: str) -> list[str]:
    """The codes that start with `prefix`, for a family of messages read by their shape."""
    return sorted(code for code in catalogue("vi").codes if code.startswith(prefix))


def template(code: str) -> str:
    """The message in the reader's language with its `{placeholders}` left in, for a page's
    script to fill."""
    found = catalogue(language())
    if code not in found.codes:
        raise KeyError(f"no message {code!r} in the {language()} catalogue")
    if code in found.plurals:
        raise ValueError(f"message {code!r} has plural forms: use t(code, count=…)")
    return str(found.translations.ugettext(code))


def t(code: str, /, **params: object) -> str:
    """The message `code` in the reader's language with `params` filled in; the plural form
    that fits `count` for a message with plural forms. An unknown code raises KeyError."""
    found = catalogue(language())
    if code in found.plurals:
        count = params["count"]
        if not isinstance(count, int):
            raise TypeError(f"message {code!r}: count must be an int, not {count!r}")
        text = found.translations.ungettext(code, code, count)
    else:
        text = template(code)
    return str(text).format(**params)


def lazy_t(code: str, /, **params: object) -> LazyString:
    """`t` when the text is read rather than now: for texts made before any request (a
    schema's messages, built at import), which must follow each request's language."""
    return LazyString(t, code, **params)


def say(message: Message | str) -> str:
    """What the engine or the domain said (a Message), in the reader's language, its values
    that are Messages too; a text is already said (a library's own words, say)."""
    if isinstance(message, str):
        return message
    params = {k: say(v) if isinstance(v, Message) else v for k, v in message.params.items()}
    return t(message.code, **params)


def describe(error: EngineError, fallback: str) -> str:
    """An error in the reader's language; the message `fallback` (the status's own words)
    when the catalogues cannot say it, which tests/test_i18n.py keeps from happening."""
    try:
        return say(error.message)
    except (KeyError, IndexError):
        log.warning("no message for %s", error.message)
        return t(fallback)


def say_fields(errors: Mapping[str, Message | str]) -> dict[str, Any]:
    """Field errors of InvalidTaskData in the reader's language."""
    return {k: translate_errors(say(v)) for k, v in errors.items()}


def translate_errors(errors: Any) -> Any:
    """Field errors in the reader's language. marshmallow writes English; the en catalogue's
    `mm_*` messages are its templates, so a message is recognised by them and written again
    from the same code in the reader's language."""
    if isinstance(errors, dict):
        return {k: translate_errors(v) for k, v in errors.items()}
    if isinstance(errors, list):
        return [translate_errors(v) for v in errors]
    if isinstance(errors, str):
        for code, pattern in _marshmallow_messages():
            match = pattern.fullmatch(errors)
            if match:
                return t(code, **match.groupdict())
    return errors


@cache
def _marshmallow_messages() -> list[tuple[str, re.Pattern[str]]]:
    """Each `mm_*` code with a pattern of its English, fields captured; the longest first,
    so "between min and max" wins over "at least min"."""
    with speaking("en"):
        templates = {code: template(code) for code in codes("mm_")}
    return [
        (code, _pattern(text))
        for code, text in sorted(templates.items(), key=lambda item: -len(item[1]))
    ]


def _pattern(text: str) -> re.Pattern[str]:
    parts = []
    for literal, field, _spec, _conversion in Formatter().parse(text):
        parts.append(re.escape(literal))
        if field:
            parts.append(f"(?P<{field}>.+?)")
    return re.compile("".join(parts), re.DOTALL)


class _Catalogues(Domain):  # type: ignore[misc]
    """Flask-Babel's translations: our catalogues in `language()`."""

    def get_translations(self) -> Translations:
        return catalogue(language()).translations


class _Babel(Babel):  # type: ignore[misc]
    @property
    def domain_instance(self) -> Domain:
        return _DOMAIN


_DOMAIN = _Catalogues(translation_directories=[str(DIRECTORY)], domain=DOMAIN)


def init_app(app: Flask) -> None:
    """Flask-Babel on the app, choosing the language as `language` does."""
    _Babel(
        app,
        locale_selector=language,
        default_locale="vi",
        default_domain=DOMAIN,
        default_translation_directories=str(DIRECTORY),
    )
