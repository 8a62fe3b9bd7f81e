# Stand-ins for sentence-transformers, datasets, transformers and torch (test/scaleout): constructors with the
# real parameter names and defaults (sentence-transformers 6.0.1, transformers 5 TrainingArguments),
# recording the arguments each call was given (defaults not applied) into $STANDIN_RECORD as JSON at exit.
import atexit
import enum
import functools
import inspect
import json
import os

CALLS = []


def to_json(value):
    if hasattr(value, "standin_record"):
        return value.standin_record
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return {"set": sorted(to_json(item) for item in value)}
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if callable(value):
        return {"function": value.__qualname__}
    return value


def recorded(init):
    signature = inspect.signature(init)

    @functools.wraps(init)
    def wrapper(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        given = {name: to_json(value) for name, value in bound.arguments.items() if name != "self"}
        self.standin_record = {"class": type(self).__name__, "given": given}
        CALLS.append(self.standin_record)
        init(self, *args, **kwargs)

    return wrapper


def note(event):
    CALLS.append(event)


@atexit.register
def dump():
    with open(os.environ["STANDIN_RECORD"], "w", encoding="utf-8") as file:
        json.dump(CALLS, file)
