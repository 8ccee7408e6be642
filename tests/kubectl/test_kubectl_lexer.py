"""Shell-like splitting, heredocs, and pflag-style flag scanning."""

from __future__ import annotations

import pytest

from dstutor.errors import ParseError
from dstutor.kubectl.lexer import FlagError, Word, pending_heredoc, scan_flags, split_command
from dstutor.kubectl.registry import get_verb


@pytest.mark.parametrize(("line", "words"), [
    ("kubectl get pods", ["kubectl", "get", "pods"]),
    ("  kubectl   get\tpods  ", ["kubectl", "get", "pods"]),
    ("k get pods -l 'app in (a,b)'", ["k", "get", "pods", "-l", "app in (a,b)"]),
    ('k get pods -l "app=x"', ["k", "get", "pods", "-l", "app=x"]),
    ('k get pods -o "jsonpath={.items[*].metadata.name}"',
     ["k", "get", "pods", "-o", "jsonpath={.items[*].metadata.name}"]),
    ("k get pods -o jsonpath='{range .items[*]}{.metadata.name}{\"\\n\"}{end}'",
     ["k", "get", "pods", "-o", 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}']),
    ('k label node n "a=b c"', ["k", "label", "node", "n", "a=b c"]),
    ('k x "say \\"hi\\""', ["k", "x", 'say "hi"']),
    ('k x "back\\\\slash"', ["k", "x", "back\\slash"]),
    ('k x "keep\\n"', ["k", "x", "keep\\n"]),
    ("k x a\\ b", ["k", "x", "a b"]),
    ("k x \\'quoted", ["k", "x", "'quoted"]),
    ("k x pre'mid'post", ["k", "x", "premidpost"]),
    ("k x ''", ["k", "x", ""]),
    ('k x ""', ["k", "x", ""]),
    ("k get pods # list them", ["k", "get", "pods"]),
    ("k x a#b", ["k", "x", "a#b"]),
    ("k set image ds/x '*=busybox'", ["k", "set", "image", "ds/x", "*=busybox"]),
    ("k patch ds x -p '{\"spec\":{}}'", ["k", "patch", "ds", "x", "-p", '{"spec":{}}']),
    ("", []),
    ("   ", []),
])
def test_kubectl_lexer_splits_words(line: str, words: list[str]) -> None:
    assert split_command(line).texts == words


def test_kubectl_lexer_word_columns() -> None:
    lexed = split_command("kubectl  get 'a b' c")
    assert [(w.text, w.column) for w in lexed.words] == [
        ("kubectl", 0), ("get", 9), ("a b", 13), ("c", 19)]


@pytest.mark.parametrize(("text", "words", "stdin"), [
    ("kubectl apply -f - <<EOF\nkind: Pod\nEOF", ["kubectl", "apply", "-f", "-"],
     "kind: Pod\n"),
    ("kubectl apply -f - << EOF\na\nb\nEOF\n", ["kubectl", "apply", "-f", "-"], "a\nb\n"),
    ("kubectl apply -f - <<'EOF'\n$HOME\nEOF", ["kubectl", "apply", "-f", "-"], "$HOME\n"),
    ('kubectl apply -f - <<"END"\nx: 1\nEND', ["kubectl", "apply", "-f", "-"], "x: 1\n"),
    ("kubectl apply <<EOF -f -\nx: 1\nEOF", ["kubectl", "apply", "-f", "-"], "x: 1\n"),
    ("kubectl apply -f - <<-EOF\n\tkind: Pod\n\t  spec: {}\n\tEOF",
     ["kubectl", "apply", "-f", "-"], "kind: Pod\n  spec: {}\n"),
    ("kubectl apply -f - <<EOF\n  indented: yes\n\nEOF", ["kubectl", "apply", "-f", "-"],
     "  indented: yes\n\n"),
    ("kubectl apply -f - <<EOF\nEOF", ["kubectl", "apply", "-f", "-"], ""),
    ("kubectl apply -f - <<EOF\na\n EOF\nEOF", ["kubectl", "apply", "-f", "-"], "a\n EOF\n"),
])
def test_kubectl_lexer_heredoc_body_becomes_stdin(text: str, words: list[str],
                                                  stdin: str) -> None:
    lexed = split_command(text)
    assert lexed.texts == words
    assert lexed.stdin == stdin
    assert lexed.warnings == ()


def test_kubectl_lexer_heredoc_without_terminator_warns_like_bash() -> None:
    lexed = split_command("kubectl apply -f - <<EOF\nkind: Pod")
    assert lexed.stdin == "kind: Pod\n"
    assert lexed.warnings == ("bash: warning: here-document at line 1 delimited by "
                              "end-of-file (wanted `EOF')",)


@pytest.mark.parametrize(("text", "pending"), [
    ("kubectl apply -f - <<EOF", "EOF"),
    ("kubectl apply -f - <<EOF\nkind: Pod", "EOF"),
    ("kubectl apply -f - <<'END'\nkind: Pod\n", "END"),
    ("kubectl apply -f - <<EOF\nkind: Pod\nEOF", None),
    ("kubectl get pods", None),
    ("kubectl get pods -l 'a<<b'", None),
])
def test_kubectl_lexer_pending_heredoc(text: str, pending: str | None) -> None:
    assert pending_heredoc(text) == pending


@pytest.mark.parametrize(("line", "message", "column"), [
    ("k get pods -l 'app=x", "bash: unexpected EOF while looking for matching `''", 14),
    ('k get pods -l "app=x', 'bash: unexpected EOF while looking for matching `"\'', 14),
    ("k get pods | grep x", "error: shell operator '|' is not supported in dstutor; run one "
     "kubectl command per line", 11),
    ("k get pods; k get ds", "error: shell operator ';' is not supported in dstutor; run one "
     "kubectl command per line", 10),
    ("k get pods > out.txt", "error: shell operator '>' is not supported in dstutor; run one "
     "kubectl command per line", 11),
    ("k get pods -l app in (a,b)", "bash: syntax error near unexpected token `('", 21),
    ("k apply -f - <<", "bash: syntax error near unexpected token `newline'", 15),
    ("k apply -f - <<< x", "error: here-strings (<<<) are not supported; use a <<EOF heredoc",
     13),
    ("k apply -f - <<A <<B", "error: only one heredoc per command is supported", 17),
])
def test_kubectl_lexer_refuses_shell_syntax(line: str, message: str, column: int) -> None:
    with pytest.raises(ParseError) as info:
        split_command(line)
    assert str(info.value) == message
    assert info.value.column == column


def test_kubectl_lexer_second_line_without_heredoc_is_refused() -> None:
    with pytest.raises(ParseError):
        split_command("kubectl get pods\nkubectl get ds")


def _scan(verb: str, *texts: str) -> tuple[list[tuple[str, str]], list[str]]:
    spec = get_verb(verb)
    assert spec is not None
    words = [Word(t, i) for i, t in enumerate(texts)]
    flags, positional = scan_flags(words, spec.find_long, spec.find_short)
    return [(f.name, f.value) for f in flags], [w.text for w in positional]


@pytest.mark.parametrize(("verb", "texts", "flags", "positional"), [
    ("get", ["pods", "-o", "yaml"], [("output", "yaml")], ["pods"]),
    ("get", ["pods", "-oyaml"], [("output", "yaml")], ["pods"]),
    ("get", ["pods", "-o=yaml"], [("output", "yaml")], ["pods"]),
    ("get", ["pods", "--output=yaml"], [("output", "yaml")], ["pods"]),
    ("get", ["pods", "--output", "yaml"], [("output", "yaml")], ["pods"]),
    ("get", ["-nkube-system", "pods"], [("namespace", "kube-system")], ["pods"]),
    ("get", ["-Aw", "pods"], [("all-namespaces", "true"), ("watch", "true")], ["pods"]),
    ("get", ["-Aowide", "pods"], [("all-namespaces", "true"), ("output", "wide")], ["pods"]),
    ("get", ["-A=false", "pods"], [("all-namespaces", "false")], ["pods"]),
    ("get", ["--watch", "false", "pods"], [("watch", "true")], ["false", "pods"]),
    ("get", ["--all_namespaces"], [("all-namespaces", "true")], []),
    ("get", ["pods", "--", "-x", "--y"], [], ["pods", "-x", "--y"]),
    ("get", ["pods", "-", "x"], [], ["pods", "-", "x"]),
    ("get", ["-n", "-A"], [("namespace", "-A")], []),
    ("apply", ["-f", "-"], [("filename", "-")], []),
    ("delete", ["ds", "x", "--cascade"], [("cascade", "background")], ["ds", "x"]),
    ("delete", ["ds", "x", "--dry-run"], [("dry-run", "unchanged")], ["ds", "x"]),
    ("delete", ["ds", "x", "--cascade", "orphan"], [("cascade", "background")],
     ["ds", "x", "orphan"]),
])
def test_kubectl_lexer_scans_flags_like_pflag(verb: str, texts: list[str],
                                              flags: list[tuple[str, str]],
                                              positional: list[str]) -> None:
    assert _scan(verb, *texts) == (flags, positional)


@pytest.mark.parametrize(("texts", "message"), [
    (["--image", "x"], "unknown flag: --image"),
    (["--image=x"], "unknown flag: --image"),
    (["-z"], "unknown shorthand flag: 'z' in -z"),
    (["-Az"], "unknown shorthand flag: 'z' in -z"),
    (["-zA"], "unknown shorthand flag: 'z' in -zA"),
    (["-o"], "flag needs an argument: 'o' in -o"),
    (["-Ao"], "flag needs an argument: 'o' in -o"),
    (["--output"], "flag needs an argument: --output"),
    (["---x"], "bad flag syntax: ---x"),
    (["--=x"], "bad flag syntax: --=x"),
])
def test_kubectl_lexer_flag_errors(texts: list[str], message: str) -> None:
    with pytest.raises(FlagError) as info:
        _scan("get", *texts)
    assert str(info.value) == message
