"""gunicorn settings for the web service; flags on the command line override them.

    gunicorn -c python:backcare.gunicorn_conf 'backcare.web:create_app()'
    gunicorn -c python:backcare.gunicorn_conf --bind 0.0.0.0:8080 --workers 4 'backcare.web:create_app()'

Header limits: gunicorn answers 431 (its own plain-text page) past `limit_request_field_size` per
header or `limit_request_fields` headers, and 414 past `limit_request_line`. They are set above
the app's own limit (16 KB of headers in all, `backcare.web.MAX_HEADER_BYTES`), so anything
between gets the app's clear HTTP 400 with a JSON reason; only absurd headers get gunicorn's 431.
"""

bind = "127.0.0.1:8080"
workers = 2
worker_class = "gthread"
threads = 4
timeout = 30  # Alexa gives up after 8 s; a worker stuck four times that long is restarted
graceful_timeout = 10
keepalive = 5
limit_request_line = 8190  # gunicorn's maximum
limit_request_fields = 100
limit_request_field_size = 32 * 1024
control_socket_disable = True  # gunicorn >= 25's runtime control socket: not used here (older versions ignore this)
