# The two commands a newcomer needs (see README.md):
#   make run    set up, then talk to the skill locally (SQLite store, local Alexa services emulator)
#   make test   set up (system packages, venvs), then lint and run the whole test suite
.PHONY: run test lint bench clean

run:
	@scripts/bootstrap.sh run
	@.venv/bin/backcare dialog $(ARGS)

test:
	@scripts/bootstrap.sh test
	@.venv/bin/ruff check .
	@.venv/bin/python -m pytest $(PYTEST_ARGS)

lint:
	@.venv/bin/ruff check .

bench:
	@scripts/bootstrap.sh run
	@.venv/bin/python bench/run.py $(ARGS)

clean:
	rm -rf .venv .venv-sam .aws-sam build .pytest_cache .hypothesis
