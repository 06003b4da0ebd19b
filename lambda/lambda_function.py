"""AWS Lambda entry point: build the skill once per container, answer each request.

During a SnapStart or provisioned-concurrency initialisation (paid before any request waits) the
store client and the first request's code paths are warmed here; an on-demand cold start stays lazy.
"""

from backcare.config import Config
from backcare.logging_setup import configure
from backcare.persistence import make_adapter
from backcare.skill import build_skill, make_lambda_handler

_config = Config.from_env()
configure(_config.log_level)
_adapter = make_adapter(_config)
lambda_handler = make_lambda_handler(build_skill(_config, persistence_adapter=_adapter))

if _config.eager_init:
    from backcare.warmup import warm_up

    warm_up(_config, _adapter)
