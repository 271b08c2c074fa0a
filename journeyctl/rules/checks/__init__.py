"""The gap rules, one module per theme; importing this package registers them all."""

from . import blueprint  # noqa: F401
from . import customer  # noqa: F401
from . import graph  # noqa: F401
from . import handoffs  # noqa: F401
from . import measurement  # noqa: F401
from . import rates  # noqa: F401
from . import references  # noqa: F401
from . import structure  # noqa: F401
from . import timeline  # noqa: F401
