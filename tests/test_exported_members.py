"""The public surface is explicit: __all__ is sorted, complete and every error shares one root."""

import inspect

import smsbatch


def test_all_is_sorted_and_resolvable():
    assert smsbatch.__all__ == sorted(smsbatch.__all__)
    for name in smsbatch.__all__:
        assert hasattr(smsbatch, name), name


def test_public_names_are_all_exported():
    public = {name for name in dir(smsbatch) if not name.startswith("_")}
    assert public == set(smsbatch.__all__)


def test_every_lazy_name_is_exported_and_checked_by_type_checkers():
    lazy = set(smsbatch._MODULE_OF)
    eager = {name for name in smsbatch.__all__ if name in vars(smsbatch)} - lazy
    assert lazy | eager == set(smsbatch.__all__)
    source = inspect.getsource(smsbatch)
    type_checking = source[source.index("if TYPE_CHECKING:") : source.index("__version__ =")]
    for name in lazy:
        assert f" {name}" in type_checking, name


def test_every_exception_derives_from_the_root():
    exported = [getattr(smsbatch, name) for name in smsbatch.__all__]
    errors = [v for v in exported if inspect.isclass(v) and issubclass(v, Exception)]
    assert len(errors) > 10
    for error in errors:
        assert issubclass(error, smsbatch.SmsBatchError), error


def test_retry_safety_is_encoded_in_the_tree():
    assert issubclass(smsbatch.NotSentError, smsbatch.TransportError)
    assert issubclass(smsbatch.MalformedReplyError, smsbatch.OutcomeUnknownError)
    assert not issubclass(smsbatch.OutcomeUnknownError, smsbatch.NotSentError)
    assert issubclass(smsbatch.TemplateError, ValueError)
