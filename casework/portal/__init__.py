"""The intake portal for victim advocates and attorneys (``casework portal``).

A small FastAPI application: submit a certification request through the same
intake validation as ``casework submit``, follow it through a private status
link, answer a request for more information, download delivered documents.
See :func:`casework.portal.app.create_app`.
"""
