"""Errors a user can cause.  The CLI prints them on one line and exits with status 2."""


class WordnetLMError(Exception):
    """Base class of every error caused by user input (files, words, options)."""


class InputFileError(WordnetLMError):
    """A file is missing, empty, binary, not UTF-8 or in the wrong format."""


class UnknownWordError(WordnetLMError, KeyError):
    """A word is not in the vocabulary."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "unknown word"


class ModelFileError(WordnetLMError):
    """A model file is corrupt, foreign or of an unsupported version."""


class TrainingError(WordnetLMError):
    """Training cannot go on (NaN/inf loss, bad hyper-parameters)."""


class OutputFileError(WordnetLMError):
    """An output path cannot be written, is one of the inputs, or is being written by another run."""


class OptionError(WordnetLMError):
    """An option's value is outside its domain, or options contradict each other."""
