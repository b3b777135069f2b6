"""The documentation (README.md and the site in docs/) is the user's manual, and it must stay true.

Two halves. Coverage: every command and option, setting, exported column, vocabulary code and exit code
is documented where its subject lives; the lists come from the code (the click command tree, the
settings model, the export schema, the vocabularies), so a new one fails here until it is written up.
Examples: every ```console block (`$ bureau …` lines, each followed by its output) and every ```pycon
block (pandas sessions) is run again, page by page in order, on a fresh copy of the sample workspace,
and its output compared (times, sizes and the workspace's path normalized; a line `…` stands for any
lines). An HTML comment just before a block can set it up, unseen on the site:
`<!-- before: CMD; CMD -->` runs commands first without showing them, `<!-- editor: CMD -->` is the
$EDITOR for `bureau correct` in the block, `<!-- fresh -->` starts again from the sample workspace.
"""

from __future__ import annotations

import dataclasses
import doctest
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bureaucli.cli import cli
from bureaucli.errors import ExitCode
from bureaucli.export import SCHEMAS
from bureaucli.records import ACCUSATIONS, DECISIONS, ROLES, SECTORS
from bureaucli.settings import Settings
from conftest import REPO_ROOT
from ocr_pages import needs_tesseract

DOCS = REPO_ROOT / "docs"
PAGES = [REPO_ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
SAMPLES = REPO_ROOT / "data" / "raw"
"""The sample workspace is the checkout: these scans, and the gold annotations of tools/samples/."""


def page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """The text under `heading` (a whole heading line) up to the next heading of the same level."""
    level = heading.split(" ", 1)[0]
    parts = re.split(rf"^{re.escape(heading)}[ \t]*$", text, maxsplit=1, flags=re.M)
    assert len(parts) == 2, f"no heading {heading!r}"
    return re.split(rf"^{level} ", parts[1], maxsplit=1, flags=re.M)[0]


def mentions(text: str, word: str) -> bool:
    """`word` (an option such as --pages, an argument such as DOCUMENTS) appears as a word of its own."""
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


# --- coverage -----------------------------------------------------------------------------------------


def command_tree(group: click.Group = cli, path: tuple[str, ...] = ()) -> Iterator[tuple[str, click.Command]]:
    for name, command in sorted(group.commands.items()):
        yield " ".join((*path, name)), command
        if isinstance(command, click.Group):
            yield from command_tree(command, (*path, name))


COMMANDS = dict(command_tree())


def command_page(path: str) -> str:
    return page(f"commands/{path.split()[0]}.md")


def documented_params(command: click.Command) -> list[list[str]]:
    """What a reader looks for: any name of an option (`-v` or `--verbose`), an argument's METAVAR."""
    return [
        [param.human_readable_name]
        if isinstance(param, click.Argument)
        else param.opts + param.secondary_opts
        for param in command.params
        if not getattr(param, "hidden", False) and param.name != "help"
    ]


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_has_a_page(path):
    assert re.search(rf"^#+ `bureau {re.escape(path)}`$", command_page(path), flags=re.M)


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_option_is_documented_on_its_page(path):
    text = command_page(path)
    params = documented_params(COMMANDS[path])
    missing = [names[-1] for names in params if not any(mentions(text, name) for name in names)]
    assert not missing, f"docs/commands/{path.split()[0]}.md does not mention {missing}"


def test_every_global_option_is_documented():
    text = page("commands/index.md")
    assert all(
        any(mentions(text, name) for name in names) for names in [*documented_params(cli), ["--version"]]
    )


@pytest.mark.parametrize("group", [f.name for f in dataclasses.fields(Settings)])
def test_every_setting_is_documented(group):
    keys = [f.name for f in dataclasses.fields(getattr(Settings(), group))]
    missing = [key for key in keys if f"| `{group}.{key}` |" not in page("settings.md")]
    assert not missing, f"settings missing from the table in docs/settings.md: {missing}"


@pytest.mark.parametrize("table", sorted(SCHEMAS))
def test_every_exported_column_is_documented(table):
    text = section(page("tables.md"), f"## {table}")
    missing = [column for column, _ in SCHEMAS[table] if f"`{column}`" not in text]
    assert not missing, f"{table} columns missing from docs/tables.md: {missing}"


@pytest.mark.parametrize(
    ("heading", "code"),
    [
        *(("## Decisions", code) for code in DECISIONS),
        *(("## Accusations", code) for code in ACCUSATIONS),
        *(("## Sectors", code) for code in SECTORS),
        *(("## Mention roles", code) for code in ROLES),
    ],
)
def test_every_vocabulary_code_is_documented(heading, code):
    assert f"`{code}`" in section(page("vocabularies.md"), heading)


@pytest.mark.parametrize("code", [int(code) for code in ExitCode])
def test_every_exit_code_is_documented(code):
    assert f"\n| {code} |" in page("exit-codes.md")


@pytest.mark.parametrize("source", PAGES, ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_links_between_pages_resolve(source):
    """mkdocs --strict checks the site's links; this checks the README's too, and runs in `make test`."""
    text = source.read_text(encoding="utf-8")
    targets = re.findall(r"\]\((?!https?://|#|mailto:)([^)#\s]+)", text)
    missing = [target for target in targets if not (source.parent / target).exists()]
    assert not missing, f"{source.name} links to missing files: {missing}"


def test_no_unfilled_sections():
    for source in PAGES:
        assert not re.findall(r"\b[A-Z]+_(?:SECTION|TABLE)\b|\bTODO\b", source.read_text(encoding="utf-8"))


# --- examples -----------------------------------------------------------------------------------------


@dataclass
class Block:
    kind: str  # console or pycon
    text: str
    line: int
    before: list[str]
    editor: str | None
    fresh: bool


BLOCK = re.compile(
    r"(?P<setup>(?:^<!-- .*? -->\n)*)^```(?P<kind>console|pycon)\n(?P<text>.*?)^```$", re.M | re.S
)


def blocks(source: Path) -> list[Block]:
    text = source.read_text(encoding="utf-8")
    found = []
    for match in BLOCK.finditer(text):
        setup = dict.fromkeys(["before", "editor", "fresh"], "")
        for directive in re.findall(r"<!-- (.*?) -->", match["setup"]):
            key, _, value = directive.partition(":")
            setup[key.strip()] = value.strip() or "yes"
        found.append(
            Block(
                kind=match["kind"],
                text=match["text"],
                line=text.count("\n", 0, match.start("text")) + 1,
                before=[command.strip() for command in setup["before"].split(";") if command.strip()],
                editor=setup["editor"] or None,
                fresh=bool(setup["fresh"]),
            )
        )
    return found


EXAMPLE_PAGES = [source for source in PAGES if blocks(source)]


def normalize(text: str, workspace: Path) -> str:
    """Times, sizes and the workspace's path made equal; progress lines (`ocr: 3/6 pages, …`) dropped."""
    text = re.sub(r"^\w+: \d+/\d+ \w+, .* left\n?", "", text, flags=re.M)
    text = text.replace(str(workspace), "WORKSPACE")
    text = re.sub(r"/home/me/[\w.-]+", "WORKSPACE", text)
    text = re.sub(r"\b\d+(?:\.\d+)? s\b", "N s", text)
    text = re.sub(r"\b\d+ KB\b", "N KB", text)
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def matches(expected: str, actual: str) -> bool:
    """Line by line; a line holding only `…` matches any lines, none included."""
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if line == "…" else re.escape(line) + r"\n" for line in expected.splitlines()
    )
    return re.fullmatch(pattern, actual + "\n" if actual else "") is not None


def commands(block: Block) -> Iterator[tuple[str, str]]:
    """Each `$ command` of a console block with the output written under it."""
    for chunk in re.split(r"^\$ ", block.text, flags=re.M)[1:]:
        command, _, output = chunk.partition("\n")
        yield command, output


class Session:
    """A fresh copy of the sample workspace, on which one page's examples run in order."""

    def __init__(self, workspace: Path, env: dict[str, str]):
        self.workspace, self.env = workspace, env
        self.exit_code = 0
        self.globs: dict[str, object] = {}
        shutil.rmtree(workspace, ignore_errors=True)
        shutil.copytree(SAMPLES, workspace / "data" / "raw")
        shutil.copytree(REPO_ROOT / "tools" / "samples", workspace / "tools" / "samples")

    def run(self, command: str, editor: str | None = None) -> str:
        words = shlex.split(command, comments=True)
        if words[0] == "bureau":
            env = {**self.env, "EDITOR": editor or "false"}
            result = CliRunner().invoke(
                cli, prog_name="bureau", args=["-C", str(self.workspace), *words[1:]], env=env
            )
            if result.exception and not isinstance(result.exception, SystemExit):
                raise result.exception
            self.exit_code = result.exit_code
            return result.output
        done = subprocess.run(
            ["bash", "-c", f"(exit {self.exit_code}); {command}"],
            cwd=self.workspace,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            check=False,
        )
        self.exit_code = done.returncode
        return done.stdout + done.stderr

    def console(self, block: Block, where: str) -> None:
        for command, output in commands(block):
            actual = normalize(self.run(command, block.editor), self.workspace)
            expected = normalize(output, self.workspace)
            assert matches(expected, actual), (
                f"{where}: `$ {command}` printed\n{actual}\n\nthe docs say\n{expected}"
            )

    def pycon(self, block: Block, where: str) -> None:
        test = doctest.DocTestParser().get_doctest(block.text, self.globs, where, where, block.line)
        report: list[str] = []
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        runner.run(test, out=report.append, clear_globs=False)
        self.globs = test.globs  # DocTest works on a copy: the next block goes on from this one
        assert not runner.failures, "".join(report)


@pytest.fixture(scope="session")
def memo_tesseract(tmp_path_factory) -> dict[str, str]:
    """PATH and settings that put tesseract_memo.py in front of the real Tesseract for the session."""
    real = shutil.which("tesseract")
    shim = tmp_path_factory.mktemp("bin") / "tesseract"
    shim.write_text(
        f"#!{sys.executable}\nimport runpy\nrunpy.run_path({str(Path(__file__).parent / 'tesseract_memo.py')!r}, run_name='__main__')\n"
    )
    shim.chmod(0o755)
    return {
        "PATH": f"{shim.parent}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "TESSERACT_MEMO_REAL": str(real),
        "TESSERACT_MEMO_DIR": str(tmp_path_factory.mktemp("tesseract-memo")),
    }


@needs_tesseract
@pytest.mark.parametrize("source", EXAMPLE_PAGES, ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_examples_give_the_output_shown(source, tmp_path, memo_tesseract, monkeypatch):
    for key, value in memo_tesseract.items():
        monkeypatch.setenv(key, value)
    session = Session(tmp_path / "workspace", memo_tesseract)
    monkeypatch.chdir(session.workspace)
    for block in blocks(source):
        where = f"{source.relative_to(REPO_ROOT)}:{block.line}"
        if block.fresh:
            session = Session(tmp_path / "workspace", memo_tesseract)
            monkeypatch.chdir(session.workspace)
        for command in block.before:
            session.run(command)
        getattr(session, block.kind)(block, where)
