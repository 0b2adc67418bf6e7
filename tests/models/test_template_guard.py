"""A GGUF's chat template is untrusted input: refused by name at import when it fails or runs
past its budgets, and stopped at run time. Real GGUFs written by the gguf package, the real
catalog and the real llama.cpp runtime."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ModelError
from models.catalog import ModelCatalog
from models.prompts import PromptRequest
from models.runtime import LlamaCppRuntime
from models.template_guard import GuardedTemplate, TemplateRefused, check_template
from tests.models.tiny_gguf import write_tiny_gguf

LOOP = ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
        "{{ messages[0]['content'] }}")
INTERNALS = "{{ ''.__class__.__mro__[1].__subclasses__() }}{{ messages[0]['content'] }}"
HOSTILE = {
    "a 100,000 x 100,000 loop": (LOOP, "time budget"),
    "Python internals": (INTERNALS, "SecurityError"),
    "a huge repetition": ("{{ 'x' * 100000000 }}", "output budget"),
    "a huge power": ("{{ 2 ** 100000000 }}", "power"),
    "output past its budget": ("{% for i in range(100000) %}{{ messages|tojson }}{% endfor %}",
                               "characters"),
    "a syntax error": ("{% for m in messages %}{{ m.content }", "does not compile"),
    "an undefined call": ("{{ nothing_here() }}", "failed"),
}
USER = [{"role": "user", "content": "hello"}]


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_template_is_refused_by_name(name: str) -> None:
    template, reason = HOSTILE[name]
    with pytest.raises(TemplateRefused, match=reason) as refused:
        check_template(template, name="hostile.gguf")
    assert refused.value.message.startswith("hostile.gguf is refused")


@pytest.mark.parametrize("template", sorted(Path(__file__).with_name("templates").glob("*.jinja")),
                         ids=lambda path: path.stem)
def test_every_supported_family_template_passes_the_check(template: Path) -> None:
    check_template(template.read_text(encoding="utf-8"), name=template.name)


def test_a_template_that_refuses_the_system_role_passes_as_the_runtime_folds_it() -> None:
    check_template("{% if messages[0]['role'] == 'system' %}{{ raise_exception('no system') }}"
                   "{% endif %}{{ messages[0]['content'] }}", name="strict.gguf")


def test_the_guard_renders_as_the_runtime_did_before() -> None:
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    template = (Path(__file__).with_name("templates") / "qwen3.jinja").read_text(encoding="utf-8")
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
    before = Jinja2ChatFormatter(template=template, eos_token="<e>", bos_token="<b>")(
        messages=messages, enable_thinking=False).prompt  # type: ignore[arg-type]
    guarded = GuardedTemplate(template, eos="<e>", bos="<b>").render(messages,
                                                                      enable_thinking=False)
    assert guarded == before


def test_a_loop_is_stopped_at_its_budget_and_the_trace_function_restored() -> None:
    import sys

    previous = sys.gettrace()
    with pytest.raises(TemplateRefused, match="0.2 s time budget"):
        GuardedTemplate(LOOP, seconds=0.2).render(USER)
    assert sys.gettrace() is previous


@pytest.mark.parametrize("name", ["a 100,000 x 100,000 loop", "Python internals"])
def test_models_import_refuses_a_gguf_with_a_hostile_template(tmp_path: Path, name: str) -> None:
    source = write_tiny_gguf(tmp_path / "hostile.gguf", "qwen2", chat_template=HOSTILE[name][0])
    catalog = ModelCatalog(tmp_path / "models")
    with pytest.raises(ModelError, match=r"hostile\.gguf is refused"):
        catalog.import_file(source)
    assert catalog.list() == [] and not list((tmp_path / "models").glob("*.gguf"))


def test_models_import_of_a_folder_says_it_is_a_folder(tmp_path: Path) -> None:
    write_tiny_gguf(tmp_path / "one.gguf", "qwen2", chat_template=None)
    with pytest.raises(ModelError, match=r"is a folder; import takes one \.gguf model file\. "
                                         r"It holds one\.gguf"):
        ModelCatalog(tmp_path / "models").import_file(tmp_path)


@pytest.mark.parametrize("name", ["a 100,000 x 100,000 loop", "Python internals"])
def test_at_run_time_a_hostile_template_is_a_model_error_not_a_hang_or_a_traceback(
        tmp_path: Path, name: str) -> None:
    """A GGUF that reached the runtime without the import check (copied in by hand)."""
    path = write_tiny_gguf(tmp_path / "hostile.gguf", "qwen2", chat_template=HOSTILE[name][0])
    runtime = LlamaCppRuntime(context_cap=512)
    runtime.load(path, prompt_style="chat")
    try:
        with pytest.raises(TemplateRefused, match=HOSTILE[name][1]):
            list(runtime.stream(PromptRequest("Be brief.", "hello")))
    finally:
        runtime.unload()
