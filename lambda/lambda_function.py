"""AWS Lambda entry point: build the skill once per container, answer each request."""

from backcare.config import Config
from backcare.logging_setup import configure
from backcare.skill import build_skill, make_lambda_handler

_config = Config.from_env()
configure(_config.log_level)
lambda_handler = make_lambda_handler(build_skill(_config))
