"""Shape comparison between what a sandbox serves and a sample printed in a platform document."""

from typing import Any

_NUMBER = (int, float)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, _NUMBER):
        return "int" if isinstance(value, int) else "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return type(value).__name__


def shape_differences(actual: Any, sample: Any, path: str = "$", *, exact_keys: bool = True) -> list[str]:
    """Every place where `actual` differs from `sample` in keys or JSON types.

    A null in the sample accepts any value (documents print null for optional values); an empty list
    in the sample accepts any list; lists are compared item by item against the sample's first item.
    With exact_keys, a dict must have exactly the sample's keys; otherwise at least them."""
    problems: list[str] = []
    if sample is None:
        return problems
    kind_a, kind_s = _kind(actual), _kind(sample)
    if (kind_s == "float" and kind_a == "int") or (kind_s == "int" and kind_a == "float"):
        return problems  # JSON has one number type; documents print 10000 and 10000.0 alike
    if kind_a != kind_s:
        return [f"{path}: {kind_a} where the sample has {kind_s}"]
    if kind_s == "dict":
        missing = sorted(set(sample) - set(actual))
        extra = sorted(set(actual) - set(sample))
        if missing:
            problems.append(f"{path}: missing keys {missing}")
        if exact_keys and extra:
            problems.append(f"{path}: keys not in the sample {extra}")
        for key in sample:
            if key in actual:
                problems.extend(shape_differences(actual[key], sample[key], f"{path}.{key}", exact_keys=exact_keys))
    elif kind_s == "list" and sample:
        for index, item in enumerate(actual):
            problems.extend(shape_differences(item, sample[0], f"{path}[{index}]", exact_keys=exact_keys))
    return problems


def assert_same_shape(actual: Any, sample: Any, *, exact_keys: bool = True) -> None:
    problems = shape_differences(actual, sample, exact_keys=exact_keys)
    assert not problems, "shape differs from the document's sample:\n" + "\n".join(problems[:30])
