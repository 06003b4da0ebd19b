# The two commands a newcomer needs (see README.md):
#   make run    set up, then talk to the skill locally (SQLite store, local Alexa services emulator)
#   make test   set up (system packages, venvs), then lint and run the whole test suite
.PHONY: run test lint bench clean deploy-setup deploy icons

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

# Deploying (docs/deploy.md): the SAM CLI, the AWS CLI and ask-cli, then the skill in every region.
deploy-setup:
	@scripts/deploy-setup.sh all

deploy:
	@scripts/deploy.sh $(ARGS)

icons:
	@scripts/bootstrap.sh run
	@.venv/bin/backcare icons

clean:
	rm -rf .venv .venv-sam .aws-sam build .pytest_cache .hypothesis
