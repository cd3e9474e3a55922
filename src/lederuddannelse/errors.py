"""One family of user-facing errors.

Anything a user can cause (a bad data file, a bad parameter, a failing chapter) raises a
subclass of :class:`LederuddannelseError`. The command line prints its message alone, without
a traceback, and exits non-zero; programming errors still show their traceback.
"""


class LederuddannelseError(Exception):
    """An error whose message is written for the user; the CLI prints it without a traceback."""


class ParameterError(LederuddannelseError):
    """A parameter has an unknown name or a value outside what is allowed."""


class DataValidationError(LederuddannelseError):
    """A data file does not match the codebook; the message lists every problem found."""


class WeightingError(LederuddannelseError):
    """Raking cannot reach the population margins (e.g. an empty category)."""


class EstimationError(LederuddannelseError):
    """An estimate or model cannot be computed as asked (unknown variable, separation, ...).

    ``reason`` names the kind of failure for a page that must tell its readers, in Danish, why
    a model is missing (``"separation"``, ``"collinear"``, ``"no_convergence"``, ``"empty"``;
    None: other), and ``detail`` carries what that sentence needs (e.g. the separated
    variable and category); the message stays the analyst's English explanation.
    """

    def __init__(self, message: str = "", *, reason: str | None = None, **detail) -> None:
        super().__init__(message)
        self.reason = reason
        self.detail = detail


class AbsentVariableError(EstimationError):
    """An estimate needs a variable that the data file does not have (its mapping lists it as
    absent). The build then publishes the chapter as a page that says so (book/build.py)."""


class ChapterError(LederuddannelseError):
    """A chapter failed while executing; names the chapter, the parameter group and the cell."""


class DisclosureError(LederuddannelseError):
    """The built site publishes a small count or a cell recoverable by differencing."""
