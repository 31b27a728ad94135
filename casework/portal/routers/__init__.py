"""The portal's FastAPI routers: submission pages, status pages, document downloads and the
JSON API. Each reaches the shared parts through :data:`casework.portal.web.Web`."""
