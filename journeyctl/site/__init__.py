"""The static HTML documentation site of a workspace (`journeyctl docs`)."""

from .build import SiteError, SiteOptions, SiteResult, build_site
from .views import VIEWS

__all__ = ["SiteError", "SiteOptions", "SiteResult", "VIEWS", "build_site"]
