"""Bad files through `recap parse`: each gives one clear `error: <path>: <reason>` line (or is
decoded correctly), and the rest of the batch is unaffected."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from .conftest import ROOT

ARTICLE = (ROOT / "corpus" / "articles" / "2025-03-14-simplified-close.txt").read_text(encoding="utf-8")
TRADITIONAL = (ROOT / "corpus" / "articles" / "2024-12-19-traditional-recap.txt").read_text(encoding="utf-8")
GOOD = "涨停80家，跌停25家，成交额1.44万亿"


def recap(*args, input=None, user=None, timeout=120):
    kwargs = {}
    if user is not None:
        kwargs["preexec_fn"] = lambda: (os.setgid(user), os.setuid(user))
    return subprocess.run([sys.executable, "-m", "extractor", *args], input=input, capture_output=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)}, **kwargs)


def parse_folder(folder: Path, out: Path):
    r = recap("parse", str(folder), "--out", str(out))
    assert "Traceback" not in r.stderr.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")
    return r


def error_lines(r) -> list[str]:
    return [x for x in r.stderr.decode("utf-8", "replace").splitlines() if x.startswith("error: ")]


# ------------------------------------------------------------ refused, with one clear line
REFUSED = {
    "empty": (b"", "empty file"),
    "whitespace-only": (b" \n\t\r\n" + "\u3000".encode(), "empty file"),
    "bom-only": (b"\xef\xbb\xbf", "empty file"),
    "binary-nul": (b"\x00\x01\x02binary\x00\xff" * 50, "binary"),
    "binary-png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
    "control-chars": (bytes(range(1, 32)) * 40, "binary"),
    "latin1": ("Résumé café naïve façade".encode("latin-1") * 10, "not valid UTF-8"),
    "utf8-mostly-broken": (ARTICLE.encode("utf-8")[::2], "not valid UTF-8"),
    "utf16-odd-length": (b"\xff\xfe" + "涨停80家".encode("utf-16-le") + b"\x00", "invalid utf-16"),
}


# ------------------------------------------------------------ decoded correctly
DECODED = {
    "gbk": (ARTICLE, "gbk"),
    "gb18030": (ARTICLE, "gb18030"),
    "gb18030-traditional": (TRADITIONAL, "gb18030"),
    "big5": (TRADITIONAL, "big5"),
    "utf-8-sig": (ARTICLE, "utf-8-sig"),
    "utf-16-bom": (ARTICLE, "utf-16"),
    "utf-16-be-bom": (TRADITIONAL, "utf-16-be", b"\xfe\xff"),
    "utf-32-bom": (ARTICLE, "utf-32"),
    "utf-16-le-no-bom": (ARTICLE, "utf-16-le"),
    "utf-16-be-no-bom": (TRADITIONAL, "utf-16-be"),
    "short-gbk": ("涨停80家", "gbk"),
    "short-big5": ("漲停80家", "big5"),
}



@pytest.fixture(scope="module")
def mixed_batch(tmp_path_factory):
    """One `recap parse` over a folder holding every refused and every encoded file, plus a good one."""
    tmp = tmp_path_factory.mktemp("mixed")
    src, out = tmp / "in", tmp / "out"
    src.mkdir()
    for case, (content, _) in REFUSED.items():
        (src / f"bad-{case}.txt").write_bytes(content)
    for case, (text, enc, *bom) in DECODED.items():
        (src / f"enc-{case}.txt").write_bytes((bom[0] if bom else b"") + text.encode(enc))
    (src / "good.txt").write_text(GOOD, encoding="utf-8")
    r = parse_folder(src, out)
    return r, error_lines(r), out


def test_mixed_batch_exit_status_and_one_line_per_refused_file(mixed_batch):
    r, errors, out = mixed_batch
    assert r.returncode == 1
    assert len(errors) == len(REFUSED), errors
    assert (out / "good.json").exists()
    assert len(list(out.glob("*.json"))) == 1 + len(DECODED)


@pytest.mark.parametrize("case", list(REFUSED), ids=list(REFUSED))
def test_refused_file_is_one_clear_error_line(mixed_batch, case):
    _, errors, out = mixed_batch
    mine = [e for e in errors if f"bad-{case}.txt" in e]
    assert len(mine) == 1 and REFUSED[case][1] in mine[0], errors
    assert not (out / f"bad-{case}.json").exists()


@pytest.mark.parametrize("case", list(DECODED), ids=list(DECODED))
def test_legacy_and_unicode_encodings_are_decoded_not_rejected(mixed_batch, case):
    from extractor import extract

    _, errors, out = mixed_batch
    assert not [e for e in errors if f"enc-{case}.txt" in e]
    got = json.loads((out / f"enc-{case}.json").read_bytes())
    want = extract(DECODED[case][0]).model_dump(mode="json")
    assert got["article_id"] == want["article_id"]  # the same decoded text
    assert got["figures"] == want["figures"] and got["market"] == want["market"]


@pytest.mark.parametrize("damage", ["truncated-last-char", "stray-byte", "one-byte-lost"])
def test_utf8_with_a_few_bad_bytes_is_kept_with_a_warning(tmp_path, damage):
    data = ARTICLE.encode("utf-8")
    data = {"truncated-last-char": data.rstrip()[:-1], "stray-byte": data[:60] + b"\xff" + data[60:],
            "one-byte-lost": data[:59] + data[60:]}[damage]
    (tmp_path / "a.txt").write_bytes(data)
    r = recap("parse", str(tmp_path / "a.txt"))
    assert r.returncode == 0, r.stderr
    lines = r.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: ") and "U+FFFD" in lines[0]
    out = json.loads(r.stdout)
    assert len(out["figures"]) >= 10  # the article is there, not mojibake


# ------------------------------------------------------------ special files
@pytest.fixture(scope="module")
def special_batch(tmp_path_factory):
    """One `recap parse` over a folder of links, special files and odd names, plus good files."""
    tmp = tmp_path_factory.mktemp("special")
    src, out = tmp / "in", tmp / "out"
    src.mkdir()
    (src / "good.txt").write_text(GOOD, encoding="utf-8")
    (src / "dangling.txt").symlink_to(tmp / "nowhere.txt")
    (src / "loop.txt").symlink_to(src / "loop.txt")
    os.mkfifo(src / "pipe.txt")  # would hang forever if opened
    (src / "sub.txt").mkdir()  # a folder named like an article is walked, not read
    (src / "sub.txt" / "inner.txt").write_text(GOOD, encoding="utf-8")
    with open(os.fsencode(str(src)) + b"/\xff\xfe-odd.txt", "wb") as fh:  # not UTF-8
        fh.write(GOOD.encode())
    with open(src / "huge.txt", "wb") as fh:  # sparse: costs no disk, refused before reading
        fh.truncate((256 << 20) + 1)
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(src / "sock.txt"))
    except OSError:
        sock.close()
        sock = None
    try:
        r = recap("parse", str(src), "/dev/null", "--out", str(out))
    finally:
        if sock:
            sock.close()
    return r, error_lines(r), out, sock is not None


SPECIAL = {
    "dangling.txt": "broken symbolic link",
    "loop.txt": "symbolic links",
    "pipe.txt": "not a regular file (a FIFO)",
    "huge.txt": "too large",
    "sock.txt": "not a regular file (a socket)",
    "/dev/null": "not a regular file (a device)",
}


@pytest.mark.parametrize("name", list(SPECIAL), ids=list(SPECIAL))
def test_special_file_is_one_clear_error_line(special_batch, name):
    r, errors, out, have_socket = special_batch
    if name == "sock.txt" and not have_socket:
        pytest.skip("cannot bind a unix socket in this folder")
    mine = [e for e in errors if name in e]
    assert len(mine) == 1 and SPECIAL[name] in mine[0], errors


def test_special_batch_keeps_the_good_files(special_batch):
    r, errors, out, have_socket = special_batch
    assert r.returncode == 1
    assert (out / "good.json").exists() and (out / "inner.json").exists()
    assert "Traceback" not in r.stderr.decode("utf-8", "replace")


def test_non_utf8_file_name_is_parsed(special_batch):
    r, errors, out, _ = special_batch
    assert not [e for e in errors if "-odd.txt" in e], errors
    assert (out / "\ufffd\ufffd-odd.json").exists()


# ------------------------------------------------------------ permissions
def _nobody_can_run_recap() -> str | None:
    """Why a permission test cannot run here, or None when it can."""
    if not hasattr(os, "geteuid"):
        return "no POSIX users"
    if os.geteuid() != 0:
        return None
    try:
        r = subprocess.run([sys.executable, "-c", "import extractor"], capture_output=True, timeout=60,
                           env={**os.environ, "PYTHONPATH": str(ROOT)},
                           preexec_fn=lambda: (os.setgid(65534), os.setuid(65534)))
    except (OSError, subprocess.SubprocessError) as e:
        return f"cannot drop root privileges: {e}"
    if r.returncode != 0:
        return "running as root, and the checkout or venv is not readable by user nobody"
    return None


def test_unreadable_file_and_folder():
    why = _nobody_can_run_recap()
    if why:
        pytest.skip(why)
    user = 65534 if os.geteuid() == 0 else None
    tmp = Path(tempfile.mkdtemp(prefix="recap-perm-"))
    try:
        os.chmod(tmp, 0o777)
        src = tmp / "in"
        (src / "locked").mkdir(parents=True)
        (src / "locked" / "hidden.txt").write_text(GOOD, encoding="utf-8")
        (src / "secret.txt").write_text(GOOD, encoding="utf-8")
        (src / "good.txt").write_text(GOOD, encoding="utf-8")
        os.chmod(src / "locked", 0o000)
        os.chmod(src / "secret.txt", 0o000)
        os.chmod(src, 0o755)
        os.chmod(src / "good.txt", 0o644)
        out = tmp / "out"
        out.mkdir()
        os.chmod(out, 0o777)
        r = recap("parse", str(src), "--out", str(out), user=user)
        stderr = r.stderr.decode()
        assert "Traceback" not in stderr, stderr
        errors = error_lines(r)
        assert r.returncode == 1 and len(errors) == 2, stderr
        assert any("locked" in e and "ermission denied" in e for e in errors), errors
        assert any("secret.txt" in e and "permission denied" in e for e in errors), errors
        assert (out / "good.json").exists()
    finally:
        for p in (tmp / "in" / "locked", tmp / "in" / "secret.txt"):
            if p.exists():
                os.chmod(p, 0o755)
        shutil.rmtree(tmp, ignore_errors=True)


def test_permission_errors_are_reported_in_process(monkeypatch, tmp_path):
    """The same messages without needing a non-root user: open() and os.walk fail as they would."""
    from extractor import io
    from extractor.normalize import InputError

    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    real_open = open

    def deny(path, *a, **k):
        if str(path).endswith("a.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *a, **k)

    monkeypatch.setattr("builtins.open", deny)
    with pytest.raises(InputError, match="permission denied"):
        io.Source(str(tmp_path / "a.txt"), "a").read()
    monkeypatch.setattr("builtins.open", real_open)

    def walk(top, onerror=None, **k):
        onerror(PermissionError(13, "Permission denied", str(top)))
        return iter(())

    monkeypatch.setattr(io.os, "walk", walk)
    assert list(io.expand([str(tmp_path)])) == [(None, f"{tmp_path}: Permission denied")]


# ------------------------------------------------------------ stdin
def test_stdin_binary_is_one_error_line():
    r = recap("parse", "-", input=b"\x00\x01\x02" * 100)
    assert r.returncode == 1 and error_lines(r) == [r.stderr.decode().strip()]
    assert "stdin" in r.stderr.decode() or "-:" in r.stderr.decode()



def test_non_utf8_file_name_reads_through_io(tmp_path):
    from extractor.io import expand

    with open(os.fsencode(str(tmp_path)) + b"/\xff-odd.txt", "wb") as fh:
        fh.write(GOOD.encode())
    [(source, problem)] = list(expand([str(tmp_path)]))
    assert problem is None and source.path.endswith("\ufffd-odd.txt") and source.stem == "\ufffd-odd"
    source.path.encode("utf-8")  # printable: safe in messages and JSON
    assert source.read() == GOOD
