"""AWS Lambda entry point: build the skill once per container, answer each request.

During a SnapStart or provisioned-concurrency initialisation (paid before any request waits) the
store client and the first request's code paths are warmed here; an on-demand cold start stays lazy.

The cyclic garbage collector is off while the function initialises: importing and building the
skill allocates tens of thousands of objects that live as long as the container and frees almost
none, so collecting then is wasted time (about 5 ms of an on-demand cold start). At the end those
objects are frozen (`gc.freeze`: later collections skip them) and collection resumes.
"""

import gc

gc.disable()
try:
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
        gc.collect()  # what the warm-up request left behind, before the rest is frozen
finally:
    gc.freeze()
    gc.enable()
