"""The project's configuration: settings read from the environment, URLs, WSGI, formats."""
