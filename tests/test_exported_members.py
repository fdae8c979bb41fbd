"""The public surface is explicit: __all__ is sorted, complete and every error shares one root."""

import inspect

import smsbatch


def test_all_is_sorted_and_resolvable():
    assert smsbatch.__all__ == sorted(smsbatch.__all__)
    for name in smsbatch.__all__:
        assert hasattr(smsbatch, name), name


def test_public_names_are_all_exported():
    public = {
        name
        for name, value in vars(smsbatch).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name != "logging"
    }
    assert public == set(smsbatch.__all__)


def test_every_exception_derives_from_the_root():
    errors = [v for v in vars(smsbatch).values() if inspect.isclass(v) and issubclass(v, Exception)]
    assert len(errors) > 10
    for error in errors:
        assert issubclass(error, smsbatch.SmsBatchError), error


def test_retry_safety_is_encoded_in_the_tree():
    assert issubclass(smsbatch.NotSentError, smsbatch.TransportError)
    assert issubclass(smsbatch.MalformedReplyError, smsbatch.OutcomeUnknownError)
    assert not issubclass(smsbatch.OutcomeUnknownError, smsbatch.NotSentError)
    assert issubclass(smsbatch.TemplateError, ValueError)
