"""Named windows for `wattlab meter`: one file, no dependencies, Python 3.8+.

Run your program under wattlab's meter and name the parts you want measured:

    wattlab meter -- python3 my_inference.py

    from wattlab_window import window, mark

    with window("load"):
        model = load()
    with window("decode") as w:
        tokens = model.generate(...)
        w.mark(tokens=len(tokens))

wattlab reports each window's seconds and joules per device beside the whole command. Windows may nest and
overlap; names are unique while open and hold no whitespace or "=". Without `wattlab meter` (no
$WATTLAB_WINDOW_FD) every call does nothing, so the program runs the same unmetered.

The protocol is one line per event on the descriptor named by $WATTLAB_WINDOW_FD, timestamped by wattlab when it
arrives: `begin NAME`, `end NAME`, `mark [NAME] KEY=VALUE ...`. Print this file with
`wattlab meter --print-python-helper > wattlab_window.py`.
"""

import json
import os
import re
import stat
import sys
import threading
from contextlib import ContextDecorator

__all__ = ["window", "begin", "end", "mark", "enabled"]

ENV = "WATTLAB_WINDOW_FD"
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,99}$")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_lock = threading.Lock()
_fd = None  # None: not looked at yet; -1: nowhere to write


def _warn(message):
    sys.stderr.write("wattlab windows: %s\n" % message)


def _descriptor():
    global _fd
    if _fd is not None:
        return _fd
    _fd = -1
    raw = os.environ.get(ENV, "")
    if raw == "":
        return _fd
    try:
        n = int(raw)
        if n < 0:
            raise ValueError
    except ValueError:
        _warn("%s=%r is not a file descriptor number: windows are not reported" % (ENV, raw))
        return _fd
    try:
        mode = os.fstat(n).st_mode
    except OSError as error:
        _warn("%s=%d cannot be used (%s): windows are not reported" % (ENV, n, error.strerror))
        return _fd
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
        _warn("%s=%d is not a pipe (inherited by a process that `wattlab meter` did not start?): windows are not reported" % (ENV, n))
        return _fd
    _fd = n
    return _fd


def _check_name(name):
    if not isinstance(name, str) or name == "":
        raise ValueError("a window name must be a non-empty string, got %r" % (name,))
    if len(name) > 200:
        raise ValueError("window name %r... is %d characters long: the limit is 200" % (name[:40], len(name)))
    if re.search(r"[\s=]", name):
        raise ValueError('window name %r holds whitespace or "=": use e.g. "_" instead' % (name,))
    return name


def _format_value(key, value):
    if not _KEY.match(key):
        raise ValueError('mark key %r must start with a letter or "_" and hold only letters, digits, "_", "." or "-"' % (key,))
    if isinstance(value, bool):
        return "%s=%s" % (key, "true" if value else "false")
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("mark %s=%r: a number must be finite" % (key, value))
        return "%s=%r" % (key, value)
    if not isinstance(value, str):
        raise ValueError("mark %s: values are strings, numbers or booleans, got %s" % (key, type(value).__name__))
    plain = value != "" and not re.search(r'[\s"]', value) and not _NUMBER.match(value)
    return "%s=%s" % (key, value if plain else json.dumps(value))


def _send(line):
    global _fd
    fd = _descriptor()
    if fd < 0:
        return
    data = (line + "\n").encode("utf-8")
    try:
        with _lock:
            while data:
                data = data[os.write(fd, data):]
    except OSError as error:
        _fd = -1
        _warn("cannot write to %s=%d (%s): later windows are not reported" % (ENV, fd, error.strerror))


def enabled():
    """True under `wattlab meter` (windows are reported), False otherwise."""
    return _descriptor() >= 0


def begin(name):
    """Opens window `name`."""
    _send("begin " + _check_name(name))


def end(name):
    """Closes window `name`."""
    _send("end " + _check_name(name))


def mark(name=None, /, **values):
    """Metadata for the innermost open window, or window `name` (open, else the last closed): mark(tokens=128)."""
    if not values:
        raise ValueError("mark needs at least one key=value, e.g. mark(tokens=128)")
    pairs = [_format_value(key, value) for key, value in values.items()]
    head = ["mark"] + ([] if name is None else [_check_name(name)])
    _send(" ".join(head + pairs))


class window(ContextDecorator):
    """`with window("decode") as w: ... w.mark(tokens=n)`; also a decorator: `@window("step")`.

    The window ends when the block exits, also on an exception."""

    def __init__(self, name):
        self.name = _check_name(name)

    def __enter__(self):
        begin(self.name)
        return self

    def __exit__(self, *exc):
        end(self.name)
        return False

    def mark(self, **values):
        """Metadata for this window."""
        mark(self.name, **values)
