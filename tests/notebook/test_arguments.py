"""The `%spark` parser against what it promises: `%spark help` names every subcommand and option
the parser accepts, every subcommand has a handler, and the terminal command checks the values
they share with the same rules."""

from __future__ import annotations

import argparse
import re

import pytest

from sparkconnect import cli, values
from sparkconnect.notebook.arguments import HELP, build_parser, build_sql_parser
from sparkconnect.notebook.magics import SUBCOMMANDS


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(found) == 1
    return dict(found[0].choices)


def help_sections() -> dict[str, str]:
    """`%spark help` cut at each `%spark NAME` / `%%spark NAME` header: NAME -> its text."""
    headers = list(re.finditer(r"^  %%?spark (\w+)", HELP, flags=re.M))
    ends = [h.start() for h in headers[1:]] + [len(HELP)]
    return {h[1]: HELP[h.start() : end] for h, end in zip(headers, ends, strict=True)}


def named_in_help(action: argparse.Action) -> list[str]:
    """What the help must show for an argument: its option strings, or for a positional its
    metavar or its choices."""
    if action.option_strings:
        return list(action.option_strings)
    if action.metavar:
        return [str(action.metavar)]
    assert action.choices is not None, f"positional {action.dest} has neither metavar nor choices"
    return ["|".join(action.choices)]


def every_argument() -> list[tuple[str, str]]:
    parsers = {**subcommands(build_parser()), "sql": build_sql_parser()}
    return [
        (command, word)
        for command, parser in parsers.items()
        for action in parser._actions
        if not isinstance(action, argparse._HelpAction)  # argparse's own -h
        for word in named_in_help(action)
    ]


@pytest.mark.parametrize(("command", "word"), every_argument())
def test_help_names_every_argument_under_its_subcommand(command: str, word: str) -> None:
    section = help_sections()[command]
    assert re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", section), (
        f"`%spark help` does not mention {word} under {command}"
    )


def test_every_subcommand_has_a_handler_and_help() -> None:
    parsed = set(subcommands(build_parser()))
    assert set(SUBCOMMANDS) == parsed
    assert set(help_sections()) == parsed | {"sql"}


def test_the_terminal_and_the_magic_share_their_options() -> None:
    """Every subcommand both front ends have takes the same options, checked by the same rules
    (the terminal adds only --json)."""
    magic, terminal = subcommands(build_parser()), subcommands(cli.build_parser())
    shared = sorted(magic.keys() & terminal.keys())
    assert shared == ["conf", "jobs", "logs", "restart", "start", "status", "stop", "ui"]
    for command in shared:
        ours = magic[command]._option_string_actions
        theirs = {
            option: action
            for option, action in terminal[command]._option_string_actions.items()
            if option != "--json"
        }
        assert ours.keys() == theirs.keys(), command
        for option, action in theirs.items():
            mine = ours[option]
            assert (type(action), action.type, action.nargs, action.const, action.default) == (
                type(mine),
                mine.type,
                mine.nargs,
                mine.const,
                mine.default,
            ), (command, option)
    assert magic["start"]._option_string_actions["--port"].type is values.PORT
    assert "--force" in magic["restart"]._option_string_actions
    assert "--idle-timeout" in terminal["start"]._option_string_actions


@pytest.mark.parametrize(
    ("argv", "usage"),
    [
        (["stop", "--forse"], "usage: sparkconnect stop"),
        (["restart", "--bogus"], "usage: sparkconnect restart"),
        (["logs", "extra"], "usage: sparkconnect logs"),
    ],
)
def test_unknown_arguments_show_their_subcommands_usage(
    argv: list[str], usage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.build_parser().parse_args(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(usage) and f"unrecognized arguments: {argv[1]}" in err
