"""审计链链头: each chain's row count and newest hash, recorded outside the database.

A chain (points/audit.py) shows a row changed or removed in its middle, but removing the newest rows
leaves a shorter chain that is still whole. `backup` therefore writes the heads beside every backup
(`FILE.heads.json`) and appends them as one JSON line to AUDIT_HEADS_LOG, and `verify_audit` checks
that the chains still reach every recorded head: at least as many rows, and the row at the recorded
position carrying the recorded hash (which covers every row before it). `restore` appends a line
marking the restore; records before it no longer bind the database.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .audit import chained_models


@dataclass(frozen=True)
class ChainHead:
    label: str
    rows: int
    head: str


@dataclass(frozen=True)
class HeadsRecord:
    at: str
    heads: tuple[ChainHead, ...]
    backup: str = ""
    restored: str = ""  # a restore: from here on the chains start again from that backup's heads


class HeadsError(Exception):
    pass


def chain_heads(using: str = "default") -> list[ChainHead]:
    """Every chain's row count and the hash of its newest row ("" for an empty chain)."""
    heads = []
    for model in chained_models():
        rows = model._base_manager.using(using)
        newest = rows.order_by("-pk").values_list("chain_hash", flat=True).first() or ""
        heads.append(ChainHead(model._meta.label, rows.count(), newest))
    return heads


def heads_line(heads, *, at: str, backup: str = "", restored: str = "") -> str:
    payload = {"at": at, "chains": [{"label": h.label, "rows": h.rows, "head": h.head} for h in heads]}
    if backup:
        payload["backup"] = backup
    if restored:
        payload["restored"] = restored
    return json.dumps(payload, ensure_ascii=False, sort_keys=True)


def append_line(path: Path, line: str) -> None:
    """Append one line to `path` (created owner-only): written with O_APPEND, never rewritten."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def read_records(path: Path) -> list[HeadsRecord]:
    """The records of a heads file (a backup's `.heads.json` or the AUDIT_HEADS_LOG) that still bind
    the database: all of them, or those from the last restore on (restoring an older backup drops the
    rows written after it, deliberately)."""
    path = Path(path)
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        raise HeadsError(f"无法读取链头记录 {path}：{exc}") from exc
    records = []
    for number, line in enumerate(lines, start=1):
        try:
            data = json.loads(line)
            heads = tuple(ChainHead(str(c["label"]), int(c["rows"]), str(c["head"])) for c in data["chains"])
            record = HeadsRecord(
                str(data.get("at", "")), heads, str(data.get("backup", "")), str(data.get("restored", ""))
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise HeadsError(f"链头记录 {path} 第 {number} 行格式不对：{exc}") from exc
        if record.restored:
            records = []
        records.append(record)
    if not records:
        raise HeadsError(f"链头记录 {path} 是空的。")
    return records


def head_problems(records: list[HeadsRecord], using: str = "default") -> list[tuple[str, str]]:
    """(chain, problem) for each chain that no longer reaches one of the recorded heads: the oldest
    such record is named. Every record is checked, not only the newest: a tail removed before the
    next nightly backup would otherwise be made the new head by that backup."""
    problems = []
    for model in chained_models():
        label = model._meta.label
        recorded = [(record, h) for record in records for h in record.heads if h.label == label and h.rows]
        if not recorded:
            continue
        wanted = {h.rows for _, h in recorded}
        last = max(wanted)
        found: dict[int, str] = {}
        walked = 0
        hashes = model._base_manager.using(using).order_by("pk").values_list("chain_hash", flat=True)
        # One pass over the hash column, stopping at the furthest recorded head.
        for walked, digest in enumerate(hashes.iterator(chunk_size=2000), start=1):
            if walked in wanted:
                found[walked] = digest
            if walked == last:
                break
        for record, head in recorded:
            if head.rows > walked:
                problems.append(
                    (label, f"现有 {walked} 行，少于 {record.at} 记录的 {head.rows} 行：末尾的记录被删除")
                )
                break
            if found[head.rows] != head.head:
                problems.append(
                    (
                        label,
                        f"第 {head.rows} 行的哈希与 {record.at} 记录的链头不同：该行或此前的记录被删除或替换",
                    )
                )
                break
    return problems
