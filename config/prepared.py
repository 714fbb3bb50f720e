"""Querysets compiled to SQL once per process, run with each call's values (`@prepared`).

Django builds and compiles a queryset's SQL on every evaluation: for the plain lists a page reads (a
member's dues of a year, the declarations of a quarter) that took 190 of the 510 µs the query cost, and
more with select_related and defer; a member's year page ran nine of them. A prepared query is the same
queryset, written with the ORM as usual, whose SQL and row layout are worked out once:

    @prepared(member_id=int, year=int)
    def year_dues(member_id, year):
        return DuesRecord.objects.filter(member_id=member_id, year=year)

    year_dues(member_id=7, year=2026)   # a list of DuesRecord, as list(queryset) gives

The first call builds and compiles the queryset twice, with two sets of probe values in place of the
parameters, and finds where each parameter landed among the SQL's parameters: the places whose values
differ between the two, each holding that parameter's probes as Django adapted them. Every call
then puts its own values there (adapted as Django adapts them for the database), runs the SQL and makes
the instances as Django's ModelIterable does (deferred fields, select_related, annotations). So the
queryset's shape must not depend on the values: parameters are whole numbers, text, dates or aware
datetimes compared as they are (`field=x`, `field__gte=x`), not transformed (`__year`, `__iexact`'s
escaping), nor lists (`__in`). Refused at the first call, by name: a parameter that does not reach the SQL
as given, SQL that changes with the current time zone (`__date`, `Trunc`), prefetch_related, a related
manager's queryset, select_for_update. Refused at every call: a value of another kind, None, a naive
datetime (where Django would guess its zone).

Compiled SQL is kept per database alias and forgotten when settings change (tests).
"""

from __future__ import annotations

import datetime
import functools
import inspect
import threading
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.query import ModelIterable, get_related_populators
from django.dispatch import receiver
from django.utils import timezone

KINDS = (int, str, datetime.date, datetime.datetime)
OTHER_ZONES = ("Pacific/Kiritimati", "America/Los_Angeles")  # one that is not the current: Prepared._compile
BIGINT = (-(2**63), 2**63 - 1)
_all: list[Prepared] = []


def _probe(kind: type, index: int, round_: int):
    """A value of `kind`, distinct for each parameter and each of the two rounds. Whole numbers fit a
    small integer column (Django refuses to compare one with a value out of its range)."""
    if kind is int:
        return 30_000 + 1_000 * round_ + index
    if kind is str:  # with LIKE's special characters: a lookup that escapes them changes the value
        return f"\ue000prepared %_\\ parameter {index} round {round_}\ue000"
    if kind is datetime.datetime:
        return datetime.datetime(1001 + round_, 1, 1 + index, tzinfo=datetime.UTC)
    return datetime.date(1001 + round_, 1, 1 + index)


def _adapter(kind: type, connection):
    """How Django hands a value of `kind` to the database in a lookup (Field.get_db_prep_value)."""
    if kind is datetime.datetime:
        return connection.ops.adapt_datetimefield_value
    if kind is datetime.date:
        return connection.ops.adapt_datefield_value
    return kind


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: tuple[tuple[int, tuple[int, ...], object], ...]  # (parameter index, positions, adapter)
    compiler: object
    model: type
    init_list: tuple[str, ...]
    fields: tuple[int, int]
    related_populators: tuple
    annotations: tuple[tuple[str, int], ...]


class Prepared:
    def __init__(self, build, kinds: dict[str, type]):
        bad = {name: kind for name, kind in kinds.items() if kind not in KINDS}
        if bad:
            raise TypeError(f"prepared parameters must be int, str, date or datetime: {bad}")
        if list(inspect.signature(build).parameters) != list(kinds):
            raise TypeError(f"{build.__qualname__}: declare every parameter, in order: {list(kinds)}")
        self.build, self.names = build, tuple(kinds)
        self.kinds = tuple(kinds[name] for name in self.names)
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()
        functools.update_wrapper(self, build)
        _all.append(self)

    def __call__(self, **values) -> list:
        if values.keys() != set(self.names):
            raise TypeError(f"{self.__qualname__} takes {', '.join(self.names)}")
        outside_columns = False
        for name, kind in zip(self.names, self.kinds, strict=True):
            value = values[name]
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise TypeError(f"{self.__qualname__}: {name} must be {kind.__name__}, not {value!r}")
            if kind is datetime.date and isinstance(value, datetime.datetime):
                raise TypeError(f"{self.__qualname__}: {name} must be a date, not a datetime")
            if kind is datetime.datetime and timezone.is_naive(value):
                raise ValueError(f"{self.__qualname__}: {name} must be an aware datetime, not {value!r}")
            outside_columns |= kind is int and not BIGINT[0] <= value <= BIGINT[1]
        if outside_columns:
            # A number no column holds (an id typed into a URL): Django's own evaluation answers it, as it
            # always did (no rows), where the database or its driver would refuse the value.
            return list(self.build(**values))
        compiled = self._compiled.get(DEFAULT_DB_ALIAS) or self._compile(DEFAULT_DB_ALIAS)
        params = list(compiled.params)
        for index, positions, adapt in compiled.slots:
            value = adapt(values[self.names[index]])
            for position in positions:
                params[position] = value
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return self._instances(compiled, rows)

    def clear(self) -> None:
        with self._lock:
            self._compiled.clear()

    def _compile(self, alias: str) -> _Compiled:
        with self._lock:
            if alias in self._compiled:
                return self._compiled[alias]
            connection = connections[alias]
            adapters = [_adapter(kind, connection) for kind in self.kinds]
            rounds = []
            for round_ in (0, 1):
                probes = [_probe(kind, i, round_) for i, kind in enumerate(self.kinds)]
                queryset = self.build(*probes)
                if queryset._iterable_class is not ModelIterable or queryset.db != alias:
                    raise TypeError(
                        f"{self.__qualname__}: a prepared query returns model instances of '{alias}'"
                    )
                if (
                    queryset._prefetch_related_lookups
                    or queryset._known_related_objects
                    or queryset.query.select_for_update
                ):
                    raise TypeError(
                        f"{self.__qualname__}: prefetch_related, a related manager's queryset and "
                        "select_for_update are not made by a prepared query"
                    )
                compiler = queryset.query.get_compiler(using=alias)
                try:
                    sql, params = compiler.as_sql()
                except (ValueError, EmptyResultSet) as exc:  # a value turned into another, or out of range
                    raise TypeError(
                        f"{self.__qualname__}: a parameter reaches the SQL transformed ({exc})"
                    ) from exc
                landed = [adapt(probe) for adapt, probe in zip(adapters, probes, strict=True)]
                rounds.append((sql, list(params), landed))
            (sql, params, landed), (sql_1, params_1, landed_1) = rounds
            if sql != sql_1 or len(params) != len(params_1):
                raise TypeError(f"{self.__qualname__}: the SQL depends on the parameters' values")
            # A lookup that reads the current time zone (__date, __month, Trunc) would keep the first
            # caller's: the SQL and its constants must not change under another zone.
            other_zone = next(z for z in OTHER_ZONES if z != timezone.get_current_timezone_name())
            with timezone.override(other_zone):
                other = self.build(*[_probe(kind, i, 0) for i, kind in enumerate(self.kinds)])
                other_sql, other_params = other.query.get_compiler(using=alias).as_sql()
            if other_sql != sql or list(other_params) != params:
                raise TypeError(f"{self.__qualname__}: the SQL depends on the current time zone")
            positions: dict[int, list[int]] = {i: [] for i in range(len(self.names))}
            for place, (value, value_1) in enumerate(zip(params, params_1, strict=True)):
                if type(value) is type(value_1) and value == value_1:
                    continue  # a constant of the query
                owner = next((i for i in positions if value == landed[i] and value_1 == landed_1[i]), None)
                if owner is None:
                    raise TypeError(f"{self.__qualname__}: a parameter reaches the SQL transformed")
                positions[owner].append(place)
            missing = [self.names[i] for i, places in positions.items() if not places]
            if missing:
                raise TypeError(
                    f"{self.__qualname__}: parameter {', '.join(missing)} does not reach the SQL as given "
                    "(transformed, or in a list?)"
                )
            slots = [(i, tuple(places), adapters[i]) for i, places in positions.items()]
            # As Django's ModelIterable lays a row out.
            select, klass_info = compiler.select, compiler.klass_info
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            compiled = _Compiled(
                sql=sql,
                params=tuple(params),
                slots=tuple(slots),
                compiler=compiler,
                model=klass_info["model"],
                init_list=tuple(f[0].target.attname for f in select[start:end]),
                fields=(start, end),
                related_populators=tuple(get_related_populators(klass_info, select, alias)),
                annotations=tuple(compiler.annotation_col_map.items()),
            )
            self._compiled[alias] = compiled
            return compiled

    @staticmethod
    def _instances(compiled: _Compiled, rows: list) -> list:
        start, end = compiled.fields
        from_db, init_list = compiled.model.from_db, list(compiled.init_list)
        out = []
        for row in compiled.compiler.results_iter([rows]):
            obj = from_db(DEFAULT_DB_ALIAS, init_list, row[start:end])
            for populator in compiled.related_populators:
                populator.populate(row, obj)
            for name, position in compiled.annotations:
                setattr(obj, name, row[position])
            out.append(obj)
        return out


def prepared(**kinds: type):
    """Decorator: the function's queryset, compiled once (see the module's description)."""
    return lambda build: Prepared(build, kinds)


@receiver(setting_changed)
def _forget(**kwargs):
    for query in _all:
        query.clear()
