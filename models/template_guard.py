"""A GGUF's chat template is untrusted input: rendered in Jinja's sandbox, within a time and an
output budget, and refused by name when it fails.

A template is a program that the model's author wrote. Jinja's sandbox keeps it from Python's
internals; on top of that a :class:`GuardedTemplate` stops a render that runs past its time budget
(a trace function checks the clock on every line the compiled template runs, so a 100,000 x
100,000 loop stops within the budget), refuses output past its size budget as it streams, and
refuses ``*`` and ``**`` whose result would be huge (those run in C, where no clock is checked).

:func:`check_template` renders a fixed conversation at import; the runtime renders every prompt
through the same class, so a template that misbehaves only on some input is stopped there too.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from types import FrameType
from typing import Any

from core.errors import ModelError

IMPORT_SECONDS = 2.0  # budget of the check at import (a normal template renders in ~1 ms)
RUN_SECONDS = 5.0  # budget of one render at run time
MAX_OUTPUT_CHARS = 1_000_000  # about 250k tokens: more than any context window we load
MAX_POWER = 64  # largest exponent a template may raise a number to
FIXED_CONVERSATION = (
    {"role": "system", "content": "Answer from the sources only."},
    {"role": "user", "content": "Sources:\n[1] notice.pdf p. 1: Either party may end this "
                                "agreement on 30 days' notice.\n\nQuestion: What notice?"},
    {"role": "assistant", "content": "Thirty days [1]."},
    {"role": "user", "content": "And who may give it?"},
)


class TemplateRefused(ModelError):
    """A chat template that failed, ran past its budget, or tried to leave the sandbox."""


class _OverTime(BaseException):
    """Raised inside the template's own frames (a BaseException: no ``except Exception`` in
    compiled template code can swallow it)."""


def _environment(max_chars: int) -> Any:
    import jinja2
    import jinja2.ext
    from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

    class _Generation(jinja2.ext.Extension):
        """Pass-through for Hugging Face's ``{% generation %}`` tag (as llama-cpp-python)."""

        tags = {"generation"}

        def parse(self, parser: Any) -> Any:
            parser.stream.skip(1)
            return parser.parse_statements(("name:endgeneration",), drop_needle=True)

    class _Budgeted(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**" and isinstance(right, int) and abs(right) > MAX_POWER:
                raise SecurityError(f"a power of {right} is past the template's budget")
            if operator == "*":
                size = _repeat_size(left, right)
                if size > max_chars:
                    raise SecurityError(f"a repetition of {size:,} items is past the "
                                        "template's output budget")
            return super().call_binop(context, operator, left, right)

    environment = _Budgeted(loader=jinja2.BaseLoader(), trim_blocks=True, lstrip_blocks=True,
                            extensions=[_Generation, jinja2.ext.loopcontrols])
    environment.filters["tojson"] = _tojson
    return environment


def _repeat_size(left: Any, right: Any) -> int:
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, str | list | tuple) and isinstance(count, int):
            return len(sequence) * count
    return 0


def _tojson(value: Any, ensure_ascii: bool = False, indent: int | None = None,
            separators: tuple[str, str] | None = None, sort_keys: bool = False) -> str:
    return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators,
                      sort_keys=sort_keys)


def _raise_exception(message: str) -> None:
    raise ValueError(message)  # a template's own refusal (e.g. "no system role"): retried


def _strftime_now(format_: str) -> str:
    return datetime.now().strftime(format_)


class GuardedTemplate:
    """A chat template compiled once; :meth:`render` is what llama-cpp-python's
    ``Jinja2ChatFormatter`` renders (same variables, same sandbox), within budgets."""

    def __init__(self, template: str, *, eos: str = "", bos: str = "",
                 seconds: float = RUN_SECONDS, max_chars: int = MAX_OUTPUT_CHARS) -> None:
        import jinja2

        self.eos, self.bos, self.seconds, self.max_chars = eos, bos, seconds, max_chars
        try:
            self._template = _environment(max_chars).from_string(template)
        except jinja2.TemplateError as error:
            raise TemplateRefused(f"its chat template does not compile ({error}).") from None

    def render(self, messages: list[dict[str, str]], **extra: Any) -> str:
        """The prompt text. ValueError when the template itself refuses the conversation
        (``raise_exception``); :class:`TemplateRefused` for anything else that goes wrong."""
        variables = dict(messages=messages, eos_token=self.eos, bos_token=self.bos,
                         raise_exception=_raise_exception, add_generation_prompt=True,
                         functions=None, function_call=None, tools=None, tool_choice=None,
                         strftime_now=_strftime_now, **extra)
        deadline = time.monotonic() + self.seconds
        previous = sys.gettrace()
        sys.settrace(_deadline_tracer(deadline))
        try:
            return self._collect(variables)
        except _OverTime:
            raise TemplateRefused(f"its chat template ran past its {self.seconds:g} s time "
                                  "budget.") from None
        except (ValueError, TemplateRefused):
            raise
        except Exception as error:  # SecurityError, UndefinedError, TypeError, MemoryError...
            raise TemplateRefused(f"its chat template failed ({type(error).__name__}: "
                                  f"{error}).") from None
        finally:
            sys.settrace(previous)

    def _collect(self, variables: dict[str, Any]) -> str:
        pieces, size = [], 0
        for piece in self._template.generate(**variables):
            size += len(piece)
            if size > self.max_chars:
                raise TemplateRefused(f"its chat template wrote more than its budget of "
                                      f"{self.max_chars:,} characters.")
            pieces.append(piece)
        return "".join(pieces)


def _deadline_tracer(deadline: float) -> Any:
    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        if time.monotonic() > deadline:
            raise _OverTime
        return tracer
    return tracer


def check_template(template: str, *, name: str) -> None:
    """Refuse, by ``name``, a template that does not render :data:`FIXED_CONVERSATION` within
    the import budgets. A template that refuses a system role is tried without one, as the
    runtime does."""
    conversation = [dict(message) for message in FIXED_CONVERSATION]
    try:
        guarded = GuardedTemplate(template, eos="</s>", bos="<s>", seconds=IMPORT_SECONDS)
        try:
            guarded.render(conversation)
        except ValueError:
            system, first, *rest = conversation
            guarded.render([{"role": "user", "content": f"{system['content']}\n\n"
                                                        f"{first['content']}"}, *rest])
    except ValueError as error:
        raise ModelError(f"{name} is refused: its chat template rejects a plain conversation "
                         f"({error}).") from None
    except TemplateRefused as refused:
        raise TemplateRefused(f"{name} is refused: {refused.message}") from None
